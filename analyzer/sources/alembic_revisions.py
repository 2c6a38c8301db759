"""Glue between the scan and Alembic: environments, histories, documentation, report rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.facts import AlembicRevision, PythonFacts
from analyzer.models import Revision, RevisionTable
from analyzer.readers.sql_file import SqlFileFacts
from analyzer.resolve.alembic_ops import RevisionRunner
from analyzer.resolve.templates import TemplateExpander
from analyzer.sources.alembic import (
    AlembicHistory,
    RevisionNode,
    build_alembic_history,
)
from analyzer.sources.alembic_env import (
    AlembicEnvironment,
    detached_folders,
    fallback_environments,
    in_folders,
)
from analyzer.sources.model import SchemaOp, SourceHistory, apply
from analyzer.sql.names import TableKey

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def alembic_histories(
    configured: list[AlembicEnvironment],
    revisions: list[tuple[AlembicRevision, PythonFacts | None]],
    expander: TemplateExpander,
    sql_files: Mapping[str, SqlFileFacts],
    *,
    dialect: str,
    default_schema: str,
) -> list[AlembicHistory]:
    """One history per environment; revision files no configuration names get their own."""
    runner = RevisionRunner(expander.evaluator, expander)
    revisions = [(runner.run(facts, python), python) for facts, python in revisions]
    detached = detached_folders(
        (facts.path for facts, _ in revisions if not facts.down_revisions), configured
    )
    environments = configured + fallback_environments(
        (facts.path for facts, _ in revisions), configured, detached
    )
    histories = []
    claimed: set[str] = set()
    # Most specific environment first, so nested layouts assign each file once.
    for environment in sorted(environments, key=lambda e: (-len(e.script_location), e.id)):
        members = [
            (facts, python)
            for facts, python in revisions
            if facts.path not in claimed and environment.owns(facts.path)
            and (environment.config is None or not in_folders(facts.path, detached))
        ]
        claimed.update(facts.path for facts, _ in members)
        if not members:
            continue
        histories.append(
            build_alembic_history(
                environment, members, expander, sql_files, dialect=dialect,
                default_schema=default_schema,
            )
        )
    return sorted(histories, key=lambda h: h.environment.id)


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return None


def _mention_line(facts: AlembicRevision, name: str) -> int:
    """Where the revision file first names the table (its text is in the facts)."""
    match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", facts.text)
    if match is None:
        return facts.upgrade_line or 1
    return facts.text.count("\n", 0, match.start()) + 1


def add_documentation(histories: Iterable[AlembicHistory], known: Iterable[TableKey]) -> None:
    """Give documentation-only revisions a `document` definition for each table they mention."""
    by_name: dict[str, TableKey] = {}
    for key in sorted(known, key=lambda k: (k.schema != "public", k.schema, k.name)):
        by_name.setdefault(key.name, key)
    for history in histories:
        for node in history.revisions:
            if node.category != "documentation":
                continue
            text = f"{node.facts.docstring or ''}\n{node.facts.upgrade_text}"
            mentioned = sorted({word for word in WORD.findall(text) if word in by_name})
            for name in mentioned:
                history.history.operations.append(
                    SchemaOp(
                        source=history.history.id,
                        source_kind="alembic",
                        path=node.facts.path,
                        line=_mention_line(node.facts, name),
                        operation="document",
                        table=by_name[name],
                        revision=node.revision,
                        snippet=_first_line(node.facts.docstring) or "documentation-only revision",
                    )
                )


def _revision_model(node: RevisionNode) -> Revision:
    return Revision(
        environment=node.environment,
        revision=node.revision,
        path=node.facts.path,
        line=node.facts.revision_line,
        down_revisions=list(node.facts.down_revisions),
        depends_on=list(node.facts.depends_on),
        branch_labels=list(node.facts.branch_labels),
        order=node.order,
        is_head=node.is_head,
        is_merge=node.is_merge,
        category=node.category,
        message=_first_line(node.facts.docstring),
        tables=sorted(
            (
                RevisionTable(
                    table=touch.table.display,
                    operation=touch.operation,
                    path=touch.path,
                    line=touch.line,
                    conditional=touch.conditional,
                )
                for touch in node.touches
            ),
            key=lambda t: (t.path, t.line, t.table, t.operation),
        ),
    )


def revision_models(histories: Iterable[AlembicHistory]) -> list[Revision]:
    return sorted(
        (_revision_model(node) for history in histories for node in history.revisions),
        key=lambda r: (r.environment, r.order, r.revision),
    )


@dataclass(frozen=True, slots=True)
class Squash:
    """An environment whose head revision is the revision another's history starts from:
    the revisions a squash replaced, kept to bring old databases up to it (zou's
    `versions/legacy/`, run by a second configuration up to that revision)."""

    older: SourceHistory
    squash: SourceHistory
    revision: str  # the id both share: the older ones' head, the squash's root
    path: str  # the squash revision's file, and its `revision = ...` line
    line: int


def squashes(histories: Iterable[AlembicHistory]) -> list[Squash]:
    """The squashes among the environments, after replay; each older history gets what an
    old database becomes once the squash's later revisions run on it (`upgraded`: not the
    squash revision itself, which an old database, already at that id, never runs)."""
    histories = list(histories)
    roots: dict[str, tuple[AlembicHistory, RevisionNode]] = {}
    for alembic in histories:
        for node in alembic.revisions:
            if node.revision and not node.facts.down_revisions:
                roots.setdefault(node.revision, (alembic, node))
    found: list[Squash] = []
    for alembic in histories:
        head = next(
            (head for head in alembic.heads if head in roots and roots[head][0] is not alembic),
            None,
        )
        if head is None:
            continue
        squash, root = roots[head]
        older = alembic.history
        upgraded = {key: entry.copy() for key, entry in older.state.items()}
        for op in squash.history.operations:
            if op.revision != head:
                apply(upgraded, op, "alembic")
        older.squashed_into, older.upgraded = squash.history.id, upgraded
        found.append(
            Squash(older, squash.history, head, root.facts.path, root.facts.revision_line)
        )
    return found
