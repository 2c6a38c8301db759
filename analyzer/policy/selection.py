"""Which rules a scan reports: `select`, `extend-select`, `ignore` and `per-file-ignores`.

Rules are named by code (`TT002`) or name (`dead-table`), or `ALL`, as in ruff. The set is
`select` (all rules when unset) plus `extend-select`, minus `ignore`. `per-file-ignores` maps a
path glob to rules not reported for findings whose first location is under it; globs follow
`exclude` (`fnmatch`, where `*` also crosses `/`, and `dir/**` for everything under `dir`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.config import Config, ConfigError, path_matches
from analyzer.rules import RULES, RULES_BY_CODE, RULES_BY_NAME
from analyzer.rules.base import Rule

ALL = "ALL"


def find_rule(token: str) -> Rule | None:
    """The rule a user means by `TT002`, `tt002` or `dead-table`; None when there is none."""
    token = token.strip()
    return RULES_BY_CODE.get(token.upper()) or RULES_BY_NAME.get(token.lower())


def split_rule_list(values: Iterable[str]) -> list[str]:
    """`["TT001,TT002", "dead-table"]` -> `["TT001", "TT002", "dead-table"]` (CLI values)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def rule_codes(tokens: Iterable[str], key: str) -> set[str]:
    """Codes named by `tokens`; an unknown name is a configuration error naming `key`."""
    codes: set[str] = set()
    for token in split_rule_list(tokens):
        if token.upper() == ALL:
            codes.update(rule.code for rule in RULES)
            continue
        rule = find_rule(token)
        if rule is None:
            raise ConfigError(
                f"{key}: {token!r} is not a rule code or name (`tabletrace rules` lists them)"
            )
        codes.add(rule.code)
    return codes


@dataclass(frozen=True, slots=True)
class Selection:
    """The rules to report, and the rules to leave out per path glob."""

    codes: frozenset[str]
    per_file: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> Selection:
        selected = (
            rule_codes(config.select, "select")
            if config.select is not None
            else {rule.code for rule in RULES}
        )
        selected |= rule_codes(config.extend_select, "extend-select")
        selected -= rule_codes(config.ignore, "ignore")
        per_file = tuple(
            (pattern, frozenset(rule_codes(tokens, f"per-file-ignores[{pattern!r}]")))
            for pattern, tokens in sorted(config.per_file_ignores.items())
        )
        return cls(frozenset(selected), per_file)

    def selects(self, code: str) -> bool:
        return code in self.codes

    def ignored_at(self, code: str, path: str | None) -> bool:
        """True when `per-file-ignores` leaves `code` out for a finding located at `path`."""
        if path is None:
            return False
        return any(
            code in codes and path_matches(path, pattern) for pattern, codes in self.per_file
        )
