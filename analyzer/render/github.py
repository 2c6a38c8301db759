"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

`::warning file=app/x.py,line=3,title=TT002 dead-table::message`. GitHub shows them on the
pull request's diff and in the run summary. Values are escaped as the Actions toolkit does
(`%`, CR, LF everywhere; `:` and `,` in properties as well). A finding's other locations are
named at the end of its message; diagnostics become notices.
"""

from __future__ import annotations

from analyzer.models import Report
from analyzer.render.text import location_text, one_line

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
MAX_ALSO = 5


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, path: str | None, line: int | None, title: str, message: str) -> str:
    properties = []
    if path is not None:
        properties.append(f"file={escape_property(path)}")
        if line is not None:
            properties.append(f"line={line}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}\n"


def render_github(report: Report) -> str:
    commands = []
    for finding in report.findings:
        message = one_line(finding.message)
        others = [location_text(location) for location in finding.locations[1:]]
        if others:
            shown = others[:MAX_ALSO]
            more = f" and {len(others) - len(shown)} more" if len(others) > len(shown) else ""
            message += f" (also at {', '.join(shown)}{more})"
        commands.append(
            _command(
                LEVELS[finding.severity], finding.path, finding.line,
                f"{finding.code} {finding.name}", message,
            )
        )
    for diagnostic in report.diagnostics:
        commands.append(
            _command(
                "notice", diagnostic.path, diagnostic.line,
                f"tabletrace diagnostic {diagnostic.code}", one_line(diagnostic.message),
            )
        )
    return "".join(commands)
