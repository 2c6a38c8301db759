"""A report as the cache keeps it beside its pack: its canonical JSON and a small summary.

A scan in which nothing changed answers with the last report (`analyzer.scan`). Most such
scans write that report as JSON (CI) and decide the exit code from its findings' severities:
the summary and the stored text are all they need, so they never build the report model,
whose pydantic classes alone cost about 0.1 s to define, as much as the rest of the answer.
Any other use builds the model from the stored text (`StoredReport.report`).

Stored bytes: one line of JSON (the summary), then the report exactly as `Report.to_json()`
writes it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.models import Finding, Report


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings each severity has (what `--fail-on` decides on)."""
    return dict(sorted(Counter(finding.severity for finding in findings).items()))


@dataclass(frozen=True)
class StoredReport:
    """The report's canonical JSON, and what a caller may ask of it without reading it."""

    text: bytes
    files_scanned: int = 0
    excluded_files: int = 0
    skipped_test_files: int = 0
    skipped_example_files: int = 0
    #: how many findings each severity has
    severities: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, report: Report) -> StoredReport:
        return cls(
            text=report.to_json().encode("utf-8"),
            files_scanned=report.stats.files_scanned,
            excluded_files=report.stats.excluded_files,
            skipped_test_files=report.stats.skipped_test_files,
            skipped_example_files=report.stats.skipped_example_files,
            severities=severity_counts(report.findings),
        )

    def to_bytes(self) -> bytes:
        summary = {
            "files_scanned": self.files_scanned,
            "excluded_files": self.excluded_files,
            "skipped_test_files": self.skipped_test_files,
            "skipped_example_files": self.skipped_example_files,
            "severities": self.severities,
        }
        return json.dumps(summary, sort_keys=True).encode("ascii") + b"\n" + self.text

    @classmethod
    def from_bytes(cls, data: bytes | None) -> StoredReport | None:
        """The stored report, or None when `data` is none (`FactCache.get_report` found no
        report under the key) or not one (an older format)."""
        if data is None:
            return None
        head, newline, text = data.partition(b"\n")
        if not newline:
            return None
        try:
            summary = json.loads(head)
            return cls(
                text=text,
                files_scanned=int(summary["files_scanned"]),
                excluded_files=int(summary["excluded_files"]),
                skipped_test_files=int(summary["skipped_test_files"]),
                skipped_example_files=int(summary["skipped_example_files"]),
                severities={str(k): int(v) for k, v in summary["severities"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def report(self) -> Report:
        """The report model, built from the stored JSON (raises ValueError if it is not one)."""
        from analyzer.models import Report

        return Report.model_validate_json(self.text)
