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
  whether the loops around it can matter (`relevance._may_be_sql`); the helper search reads
  no such candidate (`code_sql._own_reads`: NEVER, whatever its text), and nothing else of
  the rounds reads candidates. Its text is kept as that answer.
- never an SQL file's facts (`Extracted.sql`) nor an Alembic revision's (`Extracted.revision`):
  the rounds read Python facts only.

Everything else stays as it is and must be equal (lines aside: the rounds read no line). A
literal that also appears elsewhere in the facts (`cur.execute("SELECT ...")` records the text
in the call's arguments, a function returning it in its returns) differs there too, so such
an edit is not taken for one the rounds cannot see: the evaluator may read those texts.
"""

from __future__ import annotations

import dataclasses

from analyzer.engine import Extracted
from analyzer.facts import Literal, StringCandidate
from analyzer.sql.detect import starts_like_sql

#: The text a literal-only candidate is read as: whether it starts like SQL there.
_STARTS_LIKE_SQL = "starts like SQL"
_STARTS_OTHERWISE = "starts otherwise"


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
