"""Regenerate reports/ from sample_repo: `python scripts/regenerate_reports.py`.

tests/test_reports.py fails when the committed reports differ from what this produces.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzer import scan  # noqa: E402
from analyzer.render.console import render_text  # noqa: E402
from analyzer.render.dot import render_dot, render_svg  # noqa: E402


def build_reports(sample: Path = REPO / "sample_repo") -> dict[str, str]:
    """File name -> content of every report kept in reports/ (SVG only when Graphviz exists)."""
    report = scan(sample)
    dot_text = render_dot(report)
    reports = {
        "scan.txt": render_text(report),
        "report.json": report.to_json(),
        "graph.dot": dot_text,
    }
    if shutil.which("dot"):
        reports["graph.svg"] = render_svg(dot_text)
    return reports


def main() -> None:
    target = REPO / "reports"
    target.mkdir(exist_ok=True)
    for name, content in build_reports().items():
        (target / name).write_text(content, encoding="utf-8")
        print(f"wrote reports/{name}")


if __name__ == "__main__":
    main()
