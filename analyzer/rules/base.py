"""What a rule is: a stable code and name, a severity, a graph query, its examples and docs.

As in Fixit, every rule carries examples of what it must catch and what it must not; the test
suite scans each example repository and checks the rule against them. As in ruff, every rule
carries its own documentation (`explanation`, `why_it_matters`, `how_to_fix`): `tabletrace rule
CODE` prints it with the examples, SARIF's rule help and the README's findings table are made
from it, and tests/test_rule_docs.py fails for a registered rule that leaves any of it empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzer.models import Confidence, Finding, Location, Severity, Use

if TYPE_CHECKING:
    import networkx as nx

    from analyzer.config import Config
    from analyzer.database.evidence import DatabaseContext
    from analyzer.sources.model import SchemaOp


@dataclass(frozen=True, slots=True)
class Example:
    """A tiny repository (path -> text) and the tables the rule must report for it.

    `expected` holds `schema.name` of each expected finding (or `path:line` for findings that
    are not about one table); an empty set means the rule must stay silent. `database_sql`
    (rules that need a database) builds the live database the repository is compared with;
    tests/test_database_rules.py runs those examples against a real PostgreSQL.
    """

    files: dict[str, str]
    expected: frozenset[str] = field(default_factory=frozenset)
    database_sql: str = ""


@dataclass(frozen=True, slots=True)
class RuleContext:
    graph: nx.MultiDiGraph
    config: Config


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Callable[[RuleContext], Iterable[Finding]]
    examples: tuple[Example, ...] = ()
    # Documentation (plain text, paragraphs separated by blank lines; `code` in backquotes).
    explanation: str = ""  # what a finding means, in full
    why_it_matters: str = ""  # what goes wrong if it is left alone
    how_to_fix: str = ""  # what to change, and how to silence it when it is intended
    # Rules whose evidence is a database (--database-url, verify): `check` finds nothing
    # statically and `database_check` runs in analyzer.database.compare.
    database_check: Callable[[DatabaseContext], Iterable[Finding]] | None = None

    @property
    def requires_database(self) -> bool:
        return self.database_check is not None

    def finding(
        self,
        *,
        table: str | None,
        message: str,
        locations: list[Location],
        severity: Severity | None = None,
        confidence: Confidence = "high",
    ) -> Finding:
        first = locations[0] if locations else None
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            table=table,
            path=first.path if first else None,
            line=first.line if first else None,
            message=message,
            locations=locations,
            confidence=confidence,
        )


def nothing_without_a_database(ctx: RuleContext) -> Iterable[Finding]:
    """The static check of a database rule: without a database it has no evidence."""
    return ()


def use_location(use: Use) -> Location:
    return Location(path=use.path, line=use.line, snippet=use.snippet)


def op_location(op: SchemaOp) -> Location:
    return Location(path=op.path, line=op.line, snippet=op.snippet)


def where(op: SchemaOp) -> str:
    word = "migration" if op.source_kind == "django" else "revision"
    revision = f" ({word} {op.revision})" if op.revision else ""
    return f"{op.path}:{op.line}{revision}"


def column_gaps(expected: Iterable[str], actual: Iterable[str]) -> tuple[list[str], list[str]]:
    """(columns `actual` lacks, columns it has beyond `expected`), each sorted."""
    wanted, present = set(expected), set(actual)
    return sorted(wanted - present), sorted(present - wanted)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
