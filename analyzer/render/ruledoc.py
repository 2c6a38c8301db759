"""Rule documentation, made from each rule's own metadata (`analyzer/rules/base.py`).

`tabletrace rule CODE` prints `rule_markdown`; SARIF's rule help uses it too, and
`scripts/regenerate_reports.py` writes `rules_table` into the README, so no rule's text is
kept in two places.
"""

from __future__ import annotations

from analyzer.rules import RULES
from analyzer.rules.base import Example, Rule


def _example_markdown(example: Example) -> list[str]:
    lines = []
    for path, text in sorted(example.files.items()):
        language = "sql" if path.endswith(".sql") else "python" if path.endswith(".py") else ""
        lines += [f"`{path}`:", "", f"```{language}", text.rstrip("\n"), "```", ""]
    if example.expected:
        lines.append("Reported: " + ", ".join(f"`{item}`" for item in sorted(example.expected)))
    else:
        lines.append("Not reported.")
    return lines


def rule_markdown(rule: Rule) -> str:
    """The rule's full documentation as Markdown (readable as plain text too)."""
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"Default severity: {rule.severity}. {rule.summary}",
        "",
        "## What it means",
        "",
        rule.explanation,
        "",
        "## Why it matters",
        "",
        rule.why_it_matters,
        "",
        "## How to fix it",
        "",
        rule.how_to_fix,
        "",
    ]
    caught = [example for example in rule.examples if example.expected]
    silent = [example for example in rule.examples if not example.expected]
    for title, examples in (("Caught", caught), ("Not reported", silent)):
        for index, example in enumerate(examples, 1):
            suffix = f" ({index})" if len(examples) > 1 else ""
            lines += [f"## {title}{suffix}", "", *_example_markdown(example), ""]
    lines += [
        "## Silencing it",
        "",
        f"On a line: `# tabletrace: ignore[{rule.code}]` (Python) or "
        f"`-- tabletrace: ignore[{rule.name}]` (SQL). Everywhere: `ignore = [\"{rule.code}\"]` "
        "in `[tool.tabletrace]`, or `--ignore` on the command line.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def rule_text(rule: Rule) -> str:
    """Plain help text for SARIF's `help.text`: meaning, why, fix."""
    return (
        f"{rule.explanation}\n\nWhy it matters: {rule.why_it_matters}\n\n"
        f"How to fix it: {rule.how_to_fix}"
    )


def rules_table() -> str:
    """The README's findings table, one row per registered rule."""
    rows = ["| code | name | severity | what it means |", "| --- | --- | --- | --- |"]
    for rule in RULES:
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| {rule.code} | `{rule.name}` | {rule.severity} | {summary} |")
    return "\n".join(rows)
