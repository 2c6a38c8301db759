"""Regenerate reports/ and README's sample output from sample_repo.

Run `python scripts/regenerate_reports.py`; tests/test_reports.py fails when the committed
reports or the README excerpt differ from what this produces.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzer import Report, scan  # noqa: E402
from analyzer.render.console import (  # noqa: E402
    print_explain,
    print_history,
    render_text,
    text_console,
)
from analyzer.render.dot import render_dot, render_revisions_dot, render_svg  # noqa: E402
from analyzer.timeline import timeline  # noqa: E402

START, END = "<!-- sample-output:start -->", "<!-- sample-output:end -->"
EXCERPT_TABLE_ROWS = 8


def _plain(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def _command_output(report: Report, command: str, table_name: str) -> list[str]:
    console = text_console()
    table = report.table(table_name)
    assert table is not None, table_name
    if command == "explain":
        print_explain(report, table, console)
    else:
        print_history(report, table, timeline(report, table), console)
    return _plain(console.file.getvalue())


def readme_excerpt(report: Report, scan_text: str) -> str:
    """The README's sample output block: summary, a few inventory rows, one finding, commands."""
    lines = _plain(scan_text)
    tables = lines.index(next(line for line in lines if line.startswith("Tables")))
    summary = lines[: tables - 1]
    inventory = lines[tables : tables + 4 + EXCERPT_TABLE_ROWS]
    rule = next(i for i, line in enumerate(lines) if line.startswith("TT007"))
    finding = lines[rule : rule + 9]
    blocks = [
        "Real output on `sample_repo` (excerpt; the full report is `reports/scan.txt`, the "
        "JSON\n`reports/report.json`, the diagrams `reports/graph.svg` and "
        "`reports/revisions.svg`):",
        "```\n$ tabletrace scan sample_repo\n"
        + "\n".join([*summary, "", *inventory, " ...", "", *finding, " ..."])
        + "\n```",
        "```\n$ tabletrace history sample_repo character_attributes\n"
        + "\n".join(_command_output(report, "history", "character_attributes"))
        + "\n```",
        "```\n$ tabletrace explain sample_repo user_relationships\n"
        + "\n".join(_command_output(report, "explain", "user_relationships"))
        + "\n```",
    ]
    return "\n\n".join(blocks)


def updated_readme(readme: str, excerpt: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{excerpt}\n{END}{tail}"


def build_reports(sample: Path = REPO / "sample_repo") -> dict[str, str]:
    """File name -> content of every report kept in reports/ (SVG only when Graphviz exists)."""
    report = scan(sample)
    dot_text = render_dot(report)
    revisions_text = render_revisions_dot(report)
    scan_text = render_text(report)
    reports = {
        "scan.txt": scan_text,
        "report.json": report.to_json(),
        "graph.dot": dot_text,
        "revisions.dot": revisions_text,
        "README.md": readme_excerpt(report, scan_text),
    }
    if shutil.which("dot"):
        reports["graph.svg"] = render_svg(dot_text)
        reports["revisions.svg"] = render_svg(revisions_text)
    return reports


def main() -> None:
    target = REPO / "reports"
    target.mkdir(exist_ok=True)
    reports = build_reports()
    readme = REPO / "README.md"
    readme.write_text(
        updated_readme(readme.read_text(encoding="utf-8"), reports.pop("README.md")),
        encoding="utf-8",
    )
    print("updated the sample output in README.md")
    for name, content in reports.items():
        (target / name).write_text(content, encoding="utf-8")
        print(f"wrote reports/{name}")


if __name__ == "__main__":
    main()
