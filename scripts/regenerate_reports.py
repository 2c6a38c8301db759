"""Regenerate reports/ and the README's generated blocks from sample_repo and the rules.

Run `python scripts/regenerate_reports.py`; tests/test_reports.py fails when the committed
reports, the README's sample output or its findings table (made from each rule's own
metadata) differ from what this produces.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzer import Report, scan  # noqa: E402
from analyzer.render.catalog import (  # noqa: E402
    render_catalog_html,
    render_catalog_markdown,
)
from analyzer.render.console import (  # noqa: E402
    print_explain,
    print_history,
    render_text,
    text_console,
)
from analyzer.render.dot import render_dot, render_revisions_dot, render_svg  # noqa: E402
from analyzer.render.ruledoc import rules_table  # noqa: E402
from analyzer.render.sarif import render_sarif  # noqa: E402
from analyzer.timeline import timeline  # noqa: E402

START, END = "<!-- sample-output:start -->", "<!-- sample-output:end -->"
RULES_START, RULES_END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
DJANGO_START, DJANGO_END = "<!-- django-output:start -->", "<!-- django-output:end -->"
# README blocks written by this script: (start marker, end marker, key in build_reports()).
README_BLOCKS = (
    (START, END, "README.md"),
    (RULES_START, RULES_END, "README rules"),
    (DJANGO_START, DJANGO_END, "README django"),
)
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
        "Real output on `sample_repo` (excerpt; the full report, `--show-all`, is "
        "`reports/scan.txt`, the\nJSON `reports/report.json`, SARIF `reports/report.sarif`, "
        "the table catalogue\n`reports/catalog.md` and `reports/catalog.html`, the diagrams "
        "`reports/graph.svg` and\n`reports/revisions.svg`):",
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


def django_excerpt(report: Report) -> str:
    """The README's Django block: the back-office's renamed table still read by raw SQL, a
    many-to-many table's history, and a table owned outside the repository."""
    commands = (
        ("explain", "moderation_flag"),
        ("history", "moderation_report_tags"),
        ("explain", "billing_subscriptions"),
    )
    return "\n\n".join(
        f"```\n$ tabletrace {command} sample_repo {table}\n"
        + "\n".join(_command_output(report, command, table))
        + "\n```"
        for command, table in commands
    )


def updated_readme(readme: str, excerpt: str, start: str = START, end: str = END) -> str:
    head, found, rest = readme.partition(start)
    if not found:
        raise SystemExit(f"README.md has no {start} marker")
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{excerpt}\n{end}{tail}"


def build_reports(sample: Path = REPO / "sample_repo") -> dict[str, str]:
    """File name -> content of every report kept in reports/ (SVG only when Graphviz exists)."""
    report = scan(sample)
    dot_text = render_dot(report)
    revisions_text = render_revisions_dot(report)
    scan_text = render_text(report, limit=None)
    reports = {
        "scan.txt": scan_text,
        "report.json": report.to_json(),
        "report.sarif": render_sarif(report),
        "catalog.md": render_catalog_markdown(report),
        "graph.dot": dot_text,
        "revisions.dot": revisions_text,
        "README.md": readme_excerpt(report, scan_text),
        "README rules": rules_table(),
        "README django": django_excerpt(report),
    }
    if shutil.which("dot"):
        reports["graph.svg"] = render_svg(dot_text)
        reports["revisions.svg"] = render_svg(revisions_text)
        reports["catalog.html"] = render_catalog_html(report, reports["graph.svg"])
    return reports


def main() -> None:
    target = REPO / "reports"
    target.mkdir(exist_ok=True)
    reports = build_reports()
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    for start, end, key in README_BLOCKS:
        text = updated_readme(text, reports.pop(key), start, end)
    readme.write_text(text, encoding="utf-8")
    print("updated the sample output and the findings table in README.md")
    for name, content in reports.items():
        (target / name).write_text(content, encoding="utf-8")
        print(f"wrote reports/{name}")


if __name__ == "__main__":
    main()
