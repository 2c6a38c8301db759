"""Early cutoff: when the files that changed since the last scan give the facts they gave
then, the last scan's report (before policy) is this scan's report too.

Why: everything after extraction (resolution, replay, the graph, the rules) is a pure
function of the per-file results, the settings and what discovery found; extraction is
what reads the bytes. Most edits leave those results as they were: a file without SQL,
models or migrations is kept only as its first look (imports and definitions, no line of
its code), and a comment or a changed log message leaves a parsed file's facts equal. For
such an edit, the scan re-reads the changed files, finds their results equal to the ones
the last scan used, and answers with the last scan's report, after the policy (selection,
suppression comments, fingerprints), which reads the new bytes, has run again. It never
imports the rest of the pipeline, and never unpickles the facts of the files that did not
change. The policy reads a file's bytes only for its suppression comments: when no changed
file holds one now or held one then (`LastScan.marked`), what it made of the last report
stands, and the scan answers with that report as stored, without importing the policy or
the report model.

The check is exact, never a guess: every changed file must give, at every stage the last
scan read it (its first look, then its full reading if a round read it in full), a result
equal to the one that scan used, field by field, those `==` leaves out included
(`lineshift.compare_lines`). Anything else (a new or removed file, other settings, a file read
differently, a transient failure) runs the whole pipeline, which finds the results
computed here in the cache.

When every changed file gives its results but for where its lines are (a line inserted
above its code: `analyzer.lineshift.compare_lines`), the last report is this scan's with
those files' evidence moved by their maps (`analyzer.remap`), and the policy runs as above.
A changed file read in full whose outline shows only comments and blank lines between its
top-level statements changed (`analyzer.outline`) is not read again: its facts are the last
ones with each statement's lines moved (`lineshift.move_lines`), so such an edit imports
neither LibCST nor the readers. An Alembic revision whose text changed (a comment) counts as
unchanged unless the last report called it documentation-only, the only kind whose text it
reads. Where the report
cannot be moved exactly (`remap` says when), the pipeline runs, but the relevance rounds,
which read no line, would read what the last scan's read: it runs with that selection
confirmed (`Verdict.selection`) and does not ask them again. So it does when a changed file's
results differ only where the rounds do not read them (`analyzer.rounds_view`: the text of a
query written as a literal, an SQL file).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.cache import FactCache, fact_key
from analyzer.config import Config
from analyzer.discover import Discovery
from analyzer.engine import (
    Extracted,
    Job,
    Selection,
    crashed,
    extract_in_process,
    extraction_jobs,
    job_key,
    skipped_by_first_look,
    too_large,
)
from analyzer.lineshift import compare_lines, move_lines, moved
from analyzer.marker import MARKER
from analyzer.outline import Outline, outline_map, outline_of, parse_tree
from analyzer.relevance import glance
from analyzer.stored import StoredReport

if TYPE_CHECKING:
    from analyzer.models import Report

#: The cache entry describing the last full scan of a scope (`LastScan`).
LAST_SCAN_KEY = fact_key("last-scan")
#: More changed files than this: the pipeline, with its worker processes, is the faster way.
MAX_CHANGED = 16
#: The fields of a report `apply_policy` replaces (`report.model_copy(update=...)`).
_CHANGED_BY_POLICY = {"findings", "stats"}


@dataclass(frozen=True, slots=True)
class LastScan:
    """What the last scan of a scope rested on, and what it concluded."""

    #: `analyzer.scan._inputs_key` of that scan: everything but the files' bytes.
    inputs: str
    #: path -> (sha256 of the bytes read, the cache keys of the results used, in stage order).
    files: dict[str, tuple[str, tuple[str, ...]]]
    #: The key of the report that scan left beside the pack (`FactCache.get_report`).
    report_key: str
    #: What `apply_policy` changed of it, as it was before: the findings and stats, as JSON
    #: (the rest of the report is the same before and after the policy, and is not kept
    #: twice).
    before_policy: bytes
    #: Other cache entries the report rests on, kept from ageing out with the facts.
    kept: tuple[str, ...] = ()
    #: The files that scan's relevance rounds read after its first round.
    selection: tuple[str, ...] = ()
    #: The files that held a suppression comment's marker (`analyzer.marker`) in that scan.
    marked: tuple[str, ...] = ()
    #: The Alembic revisions that report called documentation-only: the only ones whose
    #: texts it reads (`lineshift.Shift.revision_text`).
    documentation: tuple[str, ...] = ()
    #: The string literals that scan's relevance rounds read (`engine._Rounds.texts_read`),
    #: or those of the scan they were last asked in; None when not known.
    rounds_texts: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the last scan settles for this one."""

    #: This scan's report (the last one after the policy), when every changed file gives the
    #: results the last scan used: as the cache stored it when the policy's result cannot
    #: have changed either.
    report: Report | StoredReport | None = None
    #: When every changed file gives them but for where its lines are (`analyzer.lineshift`)
    #: and the last report cannot be moved with them (`analyzer.remap`): the files the last
    #: scan's rounds read after their first round, which this scan's rounds would read too
    #: (the pipeline runs, without asking the rounds again), and the string literals the
    #: rounds that chose them read.
    selection: Selection | None = None


def remember(
    cache: FactCache,
    inputs: str,
    digests: Mapping[str, str],
    stage_keys: Mapping[str, list[str]],
    before_policy: Report,
    report_key: str,
    kept: tuple[str, ...],
    selection: tuple[str, ...] = (),
    marked: tuple[str, ...] = (),
    rounds_texts: frozenset[str] | None = None,
) -> None:
    """Keep what a full scan rested on for the next scan's early cutoff (its report itself
    is stored under `report_key` by the caller)."""
    cache.put(
        LAST_SCAN_KEY,
        LastScan(
            inputs=inputs,
            files={
                path: (digest, tuple(stage_keys.get(path, ())))
                for path, digest in sorted(digests.items())
            },
            report_key=report_key,
            before_policy=before_policy.model_dump_json(
                include=_CHANGED_BY_POLICY, by_alias=True
            ).encode("utf-8"),
            kept=kept,
            selection=tuple(sorted(selection)),
            marked=marked,
            rounds_texts=rounds_texts,
            documentation=tuple(sorted({
                revision.path for revision in before_policy.revisions
                if revision.category == "documentation"
            })),
        ),
    )


def _before_policy(last: LastScan, stored: StoredReport) -> Report | None:
    """The last scan's report (`stored`) as it was before `apply_policy`, or None when it is
    unreadable."""
    from analyzer.models import Finding, Stats

    try:
        report = stored.report()
        before = json.loads(last.before_policy)
        return report.model_copy(update={
            "findings": [Finding.model_validate(finding) for finding in before["findings"]],
            "stats": Stats.model_validate(before["stats"]),
        })
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class _Same:
    """A changed file's results, against the ones the last scan used."""

    #: the cache keys of its results at each stage the last scan read it
    keys: tuple[str, ...]
    #: old line -> new line under which each stage's result equals the last one (identity:
    #: equal), or None when the stages' maps disagree or a result differs only where the
    #: relevance rounds do not read it (the report cannot be moved, the selection stands)
    lines: dict[int, int] | None
    #: its Alembic revision's texts differ too (`lineshift.Shift.revision_text`)
    revision_text: bool = False

    @property
    def equal(self) -> bool:
        return self.lines is not None and not moved(self.lines)


def _same_results(job: Job, old_keys: tuple[str, ...], cache: FactCache,
                  rounds_texts: frozenset[str] | None) -> _Same | None:
    """The changed file's results at each stage the last scan used, and the line map under
    which they equal that scan's; None at the first other difference. `rounds_texts`: the
    string literals the last scan's rounds read (`LastScan.rounds_texts`)."""
    if len(old_keys) == 1:
        stages = [job]
    elif len(old_keys) == 2 and job.prefilter:  # read in full by a round
        stages = [job, dataclasses.replace(job, prefilter=False)]
    else:  # too large to read (no result cached), or not as this scan would read it
        return None
    first_old = cache.get(old_keys[0])
    if stages[0].prefilter and isinstance(first_old, Extracted) and first_old.glance is not None:
        # what sqlglot told the last look at this file: this look need not import it to ask
        stages[0] = dataclasses.replace(stages[0], verdicts=first_old.glance.verdicts)
    fresh: list[str] = []
    lines: dict[int, int] | None = {}
    revision_text = False
    # a round's full reading has its outline in the first look's result
    first_look_outline = first_old.outline if isinstance(first_old, Extracted) else None
    for index, (stage, old_key) in enumerate(zip(stages, old_keys, strict=True)):
        # a later stage's last result is unpickled only once the earlier ones are equal
        old = first_old if index == 0 else cache.get(old_key)
        extracted = (
            _outline_moved_or_none(stage, old, first_look_outline)
            if isinstance(old, Extracted) else None
        ) or extract_in_process(stage)
        if crashed(extracted):
            return None
        key = job_key(stage)
        cache.put(key, extracted)  # the pipeline finds it, should the cutoff fail later
        fresh.append(key)
        shift = compare_lines(old, extracted) if old is not None else None
        if shift is None:
            if not isinstance(old, Extracted) or not _same_for_rounds(
                old, extracted, rounds_texts
            ):
                return None
            lines = None  # changed, but not as the relevance rounds read it
            continue
        revision_text = revision_text or shift.revision_text
        if lines is not None and all(
            lines.setdefault(a, b) == b for a, b in shift.lines.items()
        ):
            continue
        lines = None  # two stages moved one line apart: equal but for lines, not movable
    return _Same(tuple(fresh), lines, revision_text)


def _same_for_rounds(old: Extracted, new: Extracted, rounds_texts: frozenset[str] | None
                     ) -> bool:
    """Whether the relevance rounds read the two results alike (`rounds_view`), lines aside:
    then the last scan's selection stands, and only the stages after the rounds run again."""
    from analyzer.rounds_view import same_for_rounds

    return same_for_rounds(old, new, rounds_texts)


def _outline_moved_or_none(job: Job, old: Extracted, first_look_outline: Outline | None
                           ) -> Extracted | None:
    """`_outline_moved`, or None should it fail in a way no test foresaw (a result of a
    shape the walk cannot copy, a tree too deep for it): reading the file is the exact way,
    and only slower, so the scan goes on that way rather than stopping."""
    try:
        return _outline_moved(job, old, first_look_outline)
    except Exception:
        return None


def _outline_moved(job: Job, old: Extracted, first_look_outline: Outline | None
                   ) -> Extracted | None:
    """The file's result at this stage without LibCST, when the last one read it in full and
    its outline shows that only comments and blank lines between its statements changed
    (`analyzer.outline`): the last facts, their lines moved, with the new first look; None
    when that cannot be known so (the file is read as the last scan read it).

    The first look is made again (it is `ast`'s): it must ask for the full reading as it did.
    Not for Alembic revisions, whose whole text the facts keep. `first_look_outline`: the
    outline of the same bytes from their first look, for a reading a round asked for."""
    facts = old.python
    last_outline = old.outline or first_look_outline
    if (
        facts is None or old.skipped or last_outline is None or old.revision is not None
        or facts.alembic_revision is not None or too_large(job) is not None
    ):
        return None
    tree = parse_tree(job.data)
    if tree is None:
        return None
    outline = outline_of(job.data, tree)
    lines = outline_map(last_outline, outline) if outline is not None else None
    moved_facts = move_lines(facts, lines) if lines is not None else None
    if moved_facts is None:
        # (before the first look, which costs more than the outline: an edit inside a
        # statement, the common one, is read again in full anyway)
        return None
    look = None
    if job.prefilter:
        look = glance(job.data, job.module, job.path, dialect=job.dialect,
                      verdicts=job.verdicts, tree=tree)
        if look is None or skipped_by_first_look(job, look):
            return None  # (`engine.run_job` would skip the file now)
    return Extracted(job.path, python=moved_facts, glance=look, outline=outline)


def verdict_of_last_scan(
    settings: Config,
    discovery: Discovery,
    contents: Mapping[str, bytes],
    digests: Mapping[str, str],
    *,
    cache: FactCache,
    prefilter: bool,
    file_timeout: float | None,
    report_key: str,
    inputs_key: str,
) -> Verdict:
    """This scan's report when the files changed since the last scan give the results that
    scan used (see the module docstring); else, when they give them but for their lines, the
    files the last scan's rounds read; else nothing: run the whole pipeline."""
    last = cache.get(LAST_SCAN_KEY)
    if not isinstance(last, LastScan):
        return Verdict()
    if last.inputs != inputs_key:
        return Verdict()
    if last.files.keys() != digests.keys():
        return Verdict()
    changed = sorted(path for path, digest in digests.items() if last.files[path][0] != digest)
    if not changed or len(changed) > MAX_CHANGED:
        return Verdict()
    jobs = {
        job.path: dataclasses.replace(job, prefilter=prefilter)
        for job in extraction_jobs(
            discovery, contents, digests, settings, file_timeout, only=frozenset(changed)
        )
    }
    files = dict(last.files)
    shifts: dict[str, dict[int, int]] = {}
    movable = True
    for path in changed:
        same = _same_results(jobs[path], last.files[path][1], cache, last.rounds_texts)
        if same is None or (same.revision_text and path in last.documentation):
            return Verdict()
        files[path] = (digests[path], same.keys)
        if same.lines is None:
            movable = False
        elif not same.equal:
            shifts[path] = same.lines
    selection = Verdict(selection=Selection(frozenset(last.selection), last.rounds_texts))
    if not movable:
        return selection
    # None when the report beside the pack is another scan's (two scans at once)
    stored = StoredReport.from_bytes(cache.get_report(last.report_key))
    if stored is None:
        return selection
    if shifts:
        # Only lines moved: the last report, its evidence moved (`analyzer.remap`).
        from analyzer.remap import moved_report

        remapped = moved_report(stored.text, last.before_policy, shifts)
        if remapped is None:
            return selection
        stored = dataclasses.replace(stored, text=remapped[0])
        last = dataclasses.replace(last, before_policy=remapped[1])
    marked = tuple(sorted(path for path, data in contents.items() if MARKER in data))
    if not set(changed).isdisjoint({*marked, *last.marked}):
        # The policy reads a file's bytes only for its suppression comments: when no changed
        # file holds one, nor held one, what it made of the last report stands, as stored.
        from analyzer.policy import apply_policy  # (and the report model: pydantic)

        before_policy = _before_policy(last, stored)
        if before_policy is None:
            return selection
        stored = StoredReport.of(apply_policy(before_policy, contents, settings))
    cache.keep([key for _, keys in files.values() for key in keys])
    cache.keep(last.kept)
    cache.put(
        LAST_SCAN_KEY,
        dataclasses.replace(last, files=files, report_key=report_key, marked=marked),
    )
    cache.put_report(report_key, stored.to_bytes())
    cache.flush()
    return Verdict(report=stored)
