"""The policy stage: which findings a scan reports, after every rule has run.

`apply_policy(report, contents, config)` is the one call `scan()` makes at its end. It keeps
the selected rules (`select`/`extend-select`/`ignore`), drops what `per-file-ignores` and inline
`tabletrace: ignore` comments silence, reports comments that silenced nothing (TT100), gives
every finding its fingerprint and recounts the stats. Table statuses are not touched: a dead
table stays `dead` in the inventory even when its TT002 finding is silenced.

`apply_baseline` (in `analyzer.policy.baseline`) is the same kind of step for `--baseline`,
applied by the caller because the baseline is a file outside the scanned repository.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from analyzer.config import Config
from analyzer.models import Finding, Location, Report
from analyzer.ordering import finding_key
from analyzer.policy.baseline import (
    Baseline,
    BaselineError,
    BaselineOutcome,
    apply_baseline,
    parse_baseline,
    render_baseline,
    with_fingerprints,
)
from analyzer.policy.selection import Selection, find_rule, split_rule_list
from analyzer.policy.suppression import Suppression, find_suppressions
from analyzer.rules import unused_suppression

__all__ = [
    "Baseline",
    "BaselineError",
    "BaselineOutcome",
    "Selection",
    "apply_baseline",
    "apply_policy",
    "find_rule",
    "parse_baseline",
    "render_baseline",
    "split_rule_list",
]


def _finding_order(finding: Finding) -> tuple[str, str, str, int, str]:
    return finding_key(finding.code, finding.table, finding.path, finding.line, finding.message)


def _silencer(
    finding: Finding, by_line: dict[tuple[str, int], list[Suppression]]
) -> Suppression | None:
    """The first suppression covering one of the finding's locations and naming its rule."""
    for location in finding.locations:
        if location.line is None:
            continue
        for suppression in by_line.get((location.path, location.line), ()):
            if suppression.rules is None or any(
                (rule := find_rule(token)) is not None and rule.code == finding.code
                for token in suppression.rules
            ):
                return suppression
    return None


def _unused(suppression: Suppression, selection: Selection) -> str | None:
    """Why a suppression is reported as unused, or None when it did its job."""
    if suppression.rules is None:
        return None if suppression.used else "silences no finding"
    unknown = [token for token in suppression.rules if find_rule(token) is None]
    if unknown:
        return f"names no rule: {', '.join(unknown)} (`tabletrace rules` lists them)"
    idle = [
        token
        for token in suppression.rules
        if (rule := find_rule(token)) is not None
        and rule.code not in suppression.used
        and selection.selects(rule.code)
    ]
    if idle:
        return f"silences no {', '.join(idle)} finding"
    return None


def apply_policy(report: Report, contents: Mapping[str, bytes], config: Config) -> Report:
    """The report as the user asked for it; see the module docstring."""
    selection = Selection.from_config(config)
    suppressions = [
        suppression
        for path in sorted(contents)
        for suppression in find_suppressions(path, contents[path])
    ]
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in suppressions:
        for line in suppression.lines:
            by_line.setdefault((suppression.path, line), []).append(suppression)
    suppressed: Counter[str] = Counter()
    kept: list[Finding] = []
    for finding in report.findings:
        if not selection.selects(finding.code):
            continue
        if selection.ignored_at(finding.code, finding.path):
            suppressed["per-file-ignores"] += 1
            continue
        silencer = _silencer(finding, by_line)
        if silencer is not None:
            silencer.used.add(finding.code)
            suppressed["comment"] += 1
            continue
        kept.append(finding)
    rule = unused_suppression.RULE
    if selection.selects(rule.code):
        for suppression in suppressions:
            reason = _unused(suppression, selection)
            if reason is None or selection.ignored_at(rule.code, suppression.path):
                continue
            written = (
                "ignore" if suppression.rules is None else f"ignore[{','.join(suppression.rules)}]"
            )
            kept.append(
                rule.finding(
                    table=None,
                    message=(
                        f"`tabletrace: {written}` {reason}: delete the comment or correct it"
                    ),
                    locations=[
                        Location(
                            path=suppression.path,
                            line=suppression.line,
                            snippet=f"tabletrace: {written}",
                        )
                    ],
                )
            )
    findings = with_fingerprints(sorted(kept, key=_finding_order))
    counts = Counter(finding.name for finding in findings)
    stats = report.stats.model_copy(
        update={
            "findings": dict(sorted(counts.items())),
            "suppressed": dict(sorted((suppressed + Counter(report.stats.suppressed)).items())),
        }
    )
    return report.model_copy(update={"findings": findings, "stats": stats})
