"""What the relevance rounds read of one file's extraction result, so that the early cutoff can
tell an edit that changes the report but not the files the rounds would read.

Why: after an edit that changes a file's facts (a column added to a query), the pipeline runs
again from cached facts, and its relevance rounds (`engine._Rounds`) were asked again from
scratch: the helper search and the demand over every parsed file, 0.3-0.5 s of a 2-2.5 s
rescan of synapse. When the changed files' results are equal *as the rounds read them* to the
last scan's, the rounds would end with the last scan's selection (given every file's result,
they are a function of them and nothing else), so the pipeline takes it as confirmed
(`cutoff.Verdict.selection`, as for an edit that only moved lines).

What the rounds read of a result (`engine._Rounds`, `relevance.Closure`, `relevance.Demand`,
`resolve.code_sql.CodeSqlResolver.find_helpers`), and so what `rounds_view` keeps:

- whether the file was skipped, its path, its first look (`Glance`) but for two fields: its
  `reasons` only through `Glance.relevant` (whether there are any), and never its `verdicts`
  (sqlglot's answers, kept for the next first look);
- its Python facts, every field, with one exception: a candidate made of literal text only
  (no hole) is read only through `detect.starts_like_sql` of its text, where the demand asks
  whether the loops around it can matter (`detect.candidate_may_be_sql`); the helper search
  reads no such candidate (`code_sql._own_reads`: NEVER, whatever its text), and nothing
  else of the rounds reads candidates. Its text is kept as that answer. (Nor does the helper
  search read a candidate with holes that no filling makes SQL, its literal parts compared
  here as they are: the literals in its holes are then not among those it read.)
- never an SQL file's facts (`Extracted.sql`) nor an Alembic revision's (`Extracted.revision`):
  the rounds read Python facts only.

Everything else stays as it is and must be equal (lines aside: the rounds read no line), with
two exceptions `same_for_rounds` makes when comparing:

- a string literal of the facts' expressions (`python.expr.Str`): a literal written in a call
  (`conn.fetch("SELECT ...")`) is also in the call's arguments and in what its function returns,
  where the evaluator may read it. The helper search's evaluator notes every literal it reads
  (`Evaluator.texts`: evaluated, quoted in a message, or in a hole of a candidate it reads),
  and the last scan kept them (`cutoff.LastScan.rounds_texts`). Two literals whose texts are
  both outside that set are taken as equal. Exact, because the rounds are deterministic: a
  run over the new facts does what the last run did step by step until it first reads an
  input that differs, and the only inputs that differ are literals that run never read, so
  it never reads them either, and ends where the last one ended. (The set is carried over
  while the selection stays confirmed: the same reads, on the same texts.)
- a call's source text (`CallFact.snippet`), which the rounds read only by comparing calls
  (`CodeSqlResolver._propagate`, whether a call was passed on already), when no two calls of
  the file, before or after, share a line and an enclosing function: calls that differ there
  are never equal, whatever their texts.

An edit of a query written in the call (`return await conn.fetch("SELECT ...")`, the style of
lnbits and of the benchmark's generated repository) changes the facts in those places only,
besides the candidate: before these two exceptions, every such edit asked the rounds again
(0.6 s of a 1.8 s rescan of the generated 1,000 modules).
"""

from __future__ import annotations

import dataclasses

from analyzer.engine import Extracted
from analyzer.facts import Literal, StringCandidate
from analyzer.lineshift import compare_lines
from analyzer.sql.detect import starts_like_sql

#: The text a literal-only candidate is read as: whether it starts like SQL there.
_STARTS_LIKE_SQL = "starts like SQL"
_STARTS_OTHERWISE = "starts otherwise"


#: What the rounds read of a call's source text: nothing but whether two calls are equal.
_CALL_TEXT = frozenset({("CallFact", "snippet")})


def same_for_rounds(old: Extracted, new: Extracted, texts_read: frozenset[str] | None) -> bool:
    """Whether the relevance rounds read two results of one file alike, lines aside (see the
    module docstring): their views equal, but for the string literals outside `texts_read`
    (those the last scan's rounds read; None: unknown, every literal compared) and, when no
    two calls of the file can be equal, the calls' source texts."""
    ignored = _CALL_TEXT if _calls_apart(old) and _calls_apart(new) else frozenset()
    shift = compare_lines(
        rounds_view(old), rounds_view(new), texts_read=texts_read, ignored=ignored
    )
    return shift is not None


def _calls_apart(result: Extracted) -> bool:
    """No two calls of the file share a line and an enclosing function (nor do the calls a
    runner is taken to make, `code_sql._runner_call`, which keep both): no two are equal."""
    calls = result.python.calls if result.python is not None else []
    return len({(call.line, call.function) for call in calls}) == len(calls)


def rounds_view(result: Extracted) -> Extracted:
    """`result` as the relevance rounds read it (see the module docstring): two results whose
    views are equal (`lineshift.compare_lines`) lead the rounds to the same files."""
    glance = result.glance
    if glance is not None:
        glance = dataclasses.replace(
            glance, reasons=("relevant",) if glance.relevant else (), verdicts=()
        )
    facts = result.python
    if facts is not None and any(_literal_only(c) for c in facts.candidates):
        facts = dataclasses.replace(facts, candidates=[
            _as_read(candidate) if _literal_only(candidate) else candidate
            for candidate in facts.candidates
        ])
    return dataclasses.replace(result, python=facts, glance=glance, sql=None, revision=None)


def _literal_only(candidate: StringCandidate) -> bool:
    return bool(candidate.parts) and all(type(p) is Literal for p in candidate.parts)


def _as_read(candidate: StringCandidate) -> StringCandidate:
    text = "".join(part.text for part in candidate.parts)  # type: ignore[union-attr]
    starts = starts_like_sql(text, at_sink=candidate.sink is not None)
    read = Literal(_STARTS_LIKE_SQL if starts else _STARTS_OTHERWISE, candidate.parts[0].line)
    return dataclasses.replace(candidate, parts=(read,))
