"""The order of the report's findings and diagnostics, whose keys hold text.

Why one module: the pipeline sorts them (`analysis.analyse`; `policy.apply_policy` again
after suppressions, and the fingerprints' `#2` suffixes follow that order), and
`analyzer.remap` checks that a report whose lines it moved is still in that order. The
three must use one key, or a moved report could keep an order a scan would not give.
"""

from __future__ import annotations


def finding_key(
    code: str, table: str | None, path: str | None, line: int | None, message: str
) -> tuple[str, str, str, int, str]:
    return (code, table or "", path or "", line or 0, message)


def diagnostic_key(
    path: str, line: int | None, code: str, message: str
) -> tuple[str, int, str, str]:
    return (path, line or 0, code, message)
