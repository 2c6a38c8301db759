"""Fingerprints and baselines: accept today's findings, report only new ones.

A fingerprint is a hash of what identifies a finding to a person: the rule, the table and the
path of its first location, never a line number, so it survives lines moving and unrelated
edits. A finding about no table (a dynamic table name, a revision graph) adds the whitespace-
normalised snippet of its first location, so two such findings in one file differ; identical
findings that remain get `#2`, `#3`... in report order, so every fingerprint is unique.

The baseline file is JSON (sorted, one finding per entry with its rule, table, path and message
for reviewers), written by `scan --write-baseline FILE` and read by `scan --baseline FILE`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from analyzer import __version__
from analyzer.models import Finding, Report

BASELINE_KEY = "tabletrace_baseline"
BASELINE_FORMAT = 1


class BaselineError(ValueError):
    """The baseline file cannot be used; the message says why."""


def _identity(finding: Finding) -> str:
    context = ""
    if finding.table is None and finding.locations:
        context = " ".join((finding.locations[0].snippet or "").split())
    return "\0".join((finding.code, finding.table or "", finding.path or "", context))


def with_fingerprints(findings: list[Finding]) -> list[Finding]:
    """The findings, in the same order, each with its `fingerprint` set."""
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        digest = hashlib.sha256(_identity(finding).encode("utf-8")).hexdigest()[:20]
        seen[digest] += 1
        fingerprint = digest if seen[digest] == 1 else f"{digest}#{seen[digest]}"
        result.append(finding.model_copy(update={"fingerprint": fingerprint}))
    return result


@dataclass(frozen=True, slots=True)
class Baseline:
    """Fingerprints of accepted findings."""

    fingerprints: frozenset[str]


def render_baseline(report: Report) -> str:
    """The baseline file for every finding of `report` (deterministic JSON)."""
    entries = [
        {
            "fingerprint": finding.fingerprint,
            "code": finding.code,
            "name": finding.name,
            "table": finding.table,
            "path": finding.path,
            "message": finding.message,
        }
        for finding in report.findings
    ]
    document = {
        BASELINE_KEY: BASELINE_FORMAT,
        "generator": f"tabletrace {__version__}",
        "findings": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_baseline(text: str) -> Baseline:
    """Read a baseline file's text; a clear BaselineError when it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"not a tabletrace baseline (invalid JSON: {exc})") from exc
    if not isinstance(document, dict) or BASELINE_KEY not in document:
        raise BaselineError(
            f"not a tabletrace baseline (no {BASELINE_KEY!r} key); write one with "
            "`tabletrace scan PATH --write-baseline FILE`"
        )
    if document[BASELINE_KEY] != BASELINE_FORMAT:
        raise BaselineError(
            f"baseline format {document[BASELINE_KEY]!r} is not supported (expected "
            f"{BASELINE_FORMAT}); write it again with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries
    ):
        raise BaselineError("baseline 'findings' must be a list of objects with a 'fingerprint'")
    return Baseline(frozenset(entry["fingerprint"] for entry in entries))


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    report: Report
    matched: int  # findings the baseline accepted (not reported)
    stale: int  # baseline entries that match no finding any more (fixed since)


def apply_baseline(report: Report, baseline: Baseline) -> BaselineOutcome:
    """`report` without the findings the baseline accepts; stats count them as suppressed."""
    kept = [f for f in report.findings if f.fingerprint not in baseline.fingerprints]
    matched = len(report.findings) - len(kept)
    present = {f.fingerprint for f in report.findings}
    stale = len(baseline.fingerprints - present)
    suppressed = dict(report.stats.suppressed)
    if matched:
        suppressed["baseline"] = suppressed.get("baseline", 0) + matched
    counts = Counter(f.name for f in kept)
    stats = report.stats.model_copy(
        update={
            "findings": dict(sorted(counts.items())),
            "suppressed": dict(sorted(suppressed.items())),
        }
    )
    updated = report.model_copy(update={"findings": kept, "stats": stats})
    return BaselineOutcome(updated, matched, stale)
