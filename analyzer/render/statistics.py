"""`--statistics`: how many findings each rule reported, most first (as ruff's)."""

from __future__ import annotations

import json
from collections import defaultdict

from analyzer.models import Finding, Report

SEVERITY_ORDER = ("error", "warning", "info")


def _rows(report: Report) -> list[tuple[int, str, str, str]]:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_code[finding.code].append(finding)
    rows = []
    for code, findings in by_code.items():
        severities = {finding.severity for finding in findings}
        severity = ", ".join(s for s in SEVERITY_ORDER if s in severities)
        rows.append((len(findings), code, findings[0].name, severity))
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def render_statistics(report: Report) -> str:
    rows = _rows(report)
    if not rows:
        return ""
    count_width = max(len(str(row[0])) for row in rows)
    name_width = max(len(row[2]) for row in rows)
    return "".join(
        f"{count:>{count_width}}  {code}  {name:<{name_width}}  [{severity}]\n"
        for count, code, name, severity in rows
    )


def render_statistics_json(report: Report) -> str:
    return json.dumps(
        [
            {"code": code, "name": name, "count": count, "severity": severity}
            for count, code, name, severity in _rows(report)
        ],
        indent=2,
    ) + "\n"
