"""`--format concise`: one finding per line, `path:line:col: CODE [severity] message`.

The shape of compiler errors, so editors, CI logs and problem matchers make each line a link.
tabletrace locates lines, not columns: the column is always 1, and a finding about a whole
file points at its line 1 (as ruff does). Diagnostics follow the findings in the same shape,
with their code and `[diagnostic]`. Lines are never wrapped; colour only when asked for (a
terminal).
"""

from __future__ import annotations

from analyzer.models import Report
from analyzer.render.text import one_line

_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _position(path: str | None, line: int | None) -> str:
    return f"{path or '.'}:{line or 1}:1"


def render_concise(report: Report, *, color: bool = False) -> str:
    lines = []
    for finding in report.findings:
        position = _position(finding.path, finding.line)
        tag = f"{finding.code} [{finding.severity}]"
        if color:
            position = f"{_BOLD}{position}{_RESET}"
            tag = f"{_COLOURS[finding.severity]}{tag}{_RESET}"
        lines.append(f"{position}: {tag} {one_line(finding.message)}")
    for diagnostic in report.diagnostics:
        position = _position(diagnostic.path, diagnostic.line)
        tag = f"{diagnostic.code} [diagnostic]"
        if color:
            position = f"{_BOLD}{position}{_RESET}"
            tag = f"{_DIM}{tag}{_RESET}"
        lines.append(f"{position}: {tag} {one_line(diagnostic.message)}")
    return "".join(line + "\n" for line in lines)
