"""`--format concise`: one finding per line, `path:line:col: CODE [severity] message`.

The shape of compiler errors, so editors, CI logs and problem matchers make each line a link.
tabletrace locates lines, not columns: the column is always 1, and a finding about a whole
file points at its line 1 (as ruff does). Diagnostics follow the findings in the same shape,
with their code and `[diagnostic]`. Lines are never wrapped; colour only when asked for (a
terminal).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzer.render.text import one_line

if TYPE_CHECKING:
    from analyzer.models import Report

#: One line's parts: path, line, code, severity ("diagnostic" for a diagnostic), message.
Row = tuple[str | None, int | None, str, str, str]

_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _position(path: str | None, line: int | None) -> str:
    return f"{path or '.'}:{line or 1}:1"


def render_concise(report: Report, *, color: bool = False) -> str:
    return _render(
        [(f.path, f.line, f.code, f.severity, f.message) for f in report.findings],
        [(d.path, d.line, d.code, "diagnostic", d.message) for d in report.diagnostics],
        color=color,
    )


def render_concise_json(text: bytes | str, *, color: bool = False) -> str:
    """The same lines from the report's JSON (`Report.to_json()`): a warm scan answered by
    the cache's stored report (`analyzer.stored`) writes them without building the report
    model, as the pre-commit hook's scan does on most commits."""
    data = json.loads(text)
    return _render(
        [(f["path"], f["line"], f["code"], f["severity"], f["message"])
         for f in data["findings"]],
        [(d["path"], d["line"], d["code"], "diagnostic", d["message"])
         for d in data["diagnostics"]],
        color=color,
    )


def _render(findings: Iterable[Row], diagnostics: Iterable[Row], *, color: bool) -> str:
    lines = []
    for path, line, code, severity, message in [*findings, *diagnostics]:
        position = _position(path, line)
        tag = f"{code} [{severity}]"
        if color:
            position = f"{_BOLD}{position}{_RESET}"
            tag = f"{_DIM if severity == 'diagnostic' else _COLOURS[severity]}{tag}{_RESET}"
        lines.append(f"{position}: {tag} {one_line(message)}")
    return "".join(line + "\n" for line in lines)
