#!/usr/bin/env python3
"""Write a deterministic synthetic service repository to benchmark tabletrace on.

Why synthetic: the performance targets are about a *mid-size real service*, and the only real
repository in the tree (`sample_repo/`) has 85 files. This generator produces any number of
modules with the shape that matters for the scanner's cost: most modules are ordinary
application code with no database access at all (the prefilter should make them cheap), a
minority carries raw SQL in every form tabletrace resolves (plain, triple-quoted, f-strings with
value holes and with table-name holes bound to imported constants, ``%`` formatting, ``text()``),
a few modules declare SQLAlchemy models and some use them, and the migration sources (Alembic
revisions with a branch and merge every ~20 revisions, a pg_dump init file, numbered SQL
migrations) grow with the code base.

Everything is drawn from one ``random.Random(seed)`` and only lists are iterated, so the same
arguments give byte-identical trees. Every generated Python file is valid Python 3 and the tree
scans without diagnostics.

Usage: ``python benchmarks/generate.py OUT_DIR --modules N [--seed S]``
"""

from __future__ import annotations

import argparse
import ast
import math
import random
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

# ----------------------------------------------------------------------------- vocabulary

ENTITIES = (
    "account", "address", "alert", "api_key", "attachment", "balance", "batch", "booking",
    "budget", "campaign", "cart", "category", "channel", "comment", "contract", "coupon",
    "customer", "device", "discount", "document", "employee", "event", "export", "feature",
    "feedback", "file", "invoice", "job", "ledger", "license", "location", "message", "metric",
    "note", "notification", "order", "organization", "partner", "payment", "permission", "plan",
    "price", "product", "profile", "project", "promotion", "quota", "rating", "receipt", "refund",
    "region", "report", "reservation", "review", "role", "schedule", "session", "setting",
    "shipment", "sku", "subscription", "supplier", "tag", "task", "team", "tenant", "ticket",
    "token", "transaction", "upload", "user", "vendor", "warehouse", "webhook", "workflow",
)
# (plural suffix used in the table name, singular suffix used in the model class name)
QUALIFIERS = (
    ("_items", "_item"), ("_events", "_event"), ("_history", "_history"),
    ("_snapshots", "_snapshot"), ("_settings", "_setting"), ("_links", "_link"),
    ("_archive", "_archive"), ("_stats", "_stat"), ("_queue", "_queue"),
    ("_versions", "_version"), ("_attempts", "_attempt"), ("_notes", "_note"),
)
DOMAINS = (
    "billing", "catalog", "orders", "accounts", "notifications", "search", "inventory",
    "reporting", "shipping", "auth", "analytics", "support", "pricing", "fulfillment",
    "marketing", "partners", "compliance", "scheduling", "documents", "integrations",
    "payments", "identity", "messaging", "workflows",
)
SUBPACKAGES = (
    "api", "services", "repositories", "workers", "handlers", "schemas", "utils", "jobs",
    "adapters", "domain",
)
VERBS = (
    "build", "normalize", "merge", "render", "compute", "validate", "collect", "resolve",
    "format", "summarize", "split", "rank", "refresh", "sync", "score", "prepare",
)
WORDS = (
    "caption", "owner", "region", "limit", "source", "target", "window", "reason", "channel",
    "locale", "bucket", "weight", "threshold", "cursor", "origin", "scope", "tier", "slot",
)
ROLE_STEMS = {
    "sql": ("repository", "store", "dao", "queries_impl", "persistence"),
    "model": ("models",),
    "orm": ("service", "manager", "crud", "use_cases"),
    "plain": ("handlers", "utils", "schemas", "formatters", "validators", "workflow", "views",
              "helpers", "policies", "mappers"),
}


@dataclass(frozen=True, slots=True)
class ColumnType:
    """One column type in every spelling the generated sources need."""

    pg: str  # pg_dump spelling
    model: str  # SQLAlchemy type expression in models
    op: str  # Alembic spelling
    py: str  # Python annotation
    literal: str  # SQL literal for data fixes
    copy: str  # value in a COPY block


TYPES = {
    "varchar": ColumnType("character varying(200)", "String(200)", "sa.String(length=200)",
                          "str", "'unknown'", "alpha"),
    "short": ColumnType("character varying(32)", "String(32)", "sa.String(length=32)", "str",
                        "'pending'", "pending"),
    "text": ColumnType("text", "Text", "sa.Text()", "str", "''", "some text"),
    "int": ColumnType("integer", "Integer", "sa.Integer()", "int", "0", "3"),
    "bigint": ColumnType("bigint", "BigInteger", "sa.BigInteger()", "int", "0", "1"),
    "numeric": ColumnType("numeric(12,2)", "Numeric(12, 2)", "sa.Numeric(12, 2)", "Decimal",
                          "0", "12.50"),
    "bool": ColumnType("boolean", "Boolean", "sa.Boolean()", "bool", "false", "t"),
    "json": ColumnType("jsonb", "JSONB", "postgresql.JSONB()", "dict[str, Any]", "'{}'::jsonb",
                       "{}"),
    "ts": ColumnType("timestamp with time zone", "DateTime(timezone=True)",
                     "sa.DateTime(timezone=True)", "datetime", "now()",
                     "2024-05-01 10:00:00+00"),
    "float": ColumnType("double precision", "Float", "sa.Float()", "float", "0", "0.5"),
}
COLUMN_POOL = (
    ("name", "varchar"), ("title", "varchar"), ("status", "short"), ("kind", "short"),
    ("code", "short"), ("description", "text"), ("notes", "text"), ("amount", "numeric"),
    ("quantity", "int"), ("priority", "int"), ("sort_order", "int"), ("is_active", "bool"),
    ("is_archived", "bool"), ("payload", "json"), ("attributes", "json"), ("updated_at", "ts"),
    ("expires_at", "ts"), ("processed_at", "ts"), ("score", "float"), ("weight", "float"),
    ("external_ref", "varchar"), ("email", "varchar"), ("currency", "short"),
    ("revision_no", "int"), ("attempts", "int"),
)
STDLIB = frozenset({
    "__future__", "asyncio", "collections", "collections.abc", "dataclasses", "datetime",
    "decimal", "enum", "functools", "itertools", "json", "logging", "re", "typing", "uuid",
})


# ----------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class Profile:
    """The knobs of the generated repository; defaults model a mid-size database service."""

    raw_sql: float = 0.15
    models: float = 0.05
    orm: float = 0.15
    min_lines: int = 50
    max_lines: int = 400
    mean_lines: int = 150
    tables: int | None = None  # default: 20 + modules / 8, clamped to 40..300
    # Share of database-free modules holding a string that starts with a lowercase SQL verb
    # ("update", "delete", "create"... as CRUD action names or log messages). Such strings
    # are everywhere in real code and defeat cheap "does this file contain SQL" filters; this
    # is a guess, so it is a knob.
    keyword_strings: float = 0.25


@dataclass(slots=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    fk: str | None = None  # referenced table name (always in schema public)

    @property
    def ctype(self) -> ColumnType:
        return TYPES[self.type]


@dataclass(slots=True)
class TableSpec:
    """A table and the sources that create, alter, map and use it."""

    name: str
    singular: str
    entity: str
    domain: str = ""
    schema: str = "public"
    columns: list[Column] = field(default_factory=list)
    alembic: bool = True  # some revision creates it
    baseline: bool = True  # created in the first revision
    in_init: bool = True  # in the pg_dump init file
    sql_migration: bool = False  # created by a numbered SQL migration
    late_column: str | None = None  # added by a later revision
    legacy_name: str | None = None  # created under this name, renamed later
    model_module: str | None = None  # dotted module that maps it
    table_object: bool = False  # mapped with Table() rather than a class
    has_queries: bool = False  # svc/db/queries.py holds queries for it

    @property
    def const(self) -> str:
        return self.name.upper()

    @property
    def sql_name(self) -> str:
        """The name as application SQL spells it (public is the search path)."""
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"

    @property
    def dump_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def class_name(self) -> str:
        return camel(self.singular)

    @property
    def object_name(self) -> str:
        return f"{self.name}_table"

    @property
    def mapped_name(self) -> str:
        return self.object_name if self.table_object else self.class_name

    @property
    def data_columns(self) -> list[Column]:
        return [c for c in self.columns if c.name != "id" and c.fk is None]

    @property
    def fk_column(self) -> Column | None:
        return next((c for c in self.columns if c.fk), None)


@dataclass(slots=True)
class ModuleSpec:
    path: str  # repo-relative
    dotted: str
    kind: str  # sql | model | orm | plain
    domain: str
    entity: str
    target_lines: int
    tables: list[TableSpec] = field(default_factory=list)
    keyword_strings: bool = False


@dataclass(slots=True)
class Plan:
    tables: list[TableSpec]
    modules: list[ModuleSpec]
    temp_tables: list[TableSpec]
    profile: Profile


def camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def table_count(modules: int, profile: Profile) -> int:
    if profile.tables is not None:
        return profile.tables
    return max(40, min(300, 20 + modules // 8))


def make_tables(rng: random.Random, count: int) -> list[TableSpec]:
    """About half core entity tables, then their satellites (`order_items`...)."""
    entities = list(ENTITIES)
    rng.shuffle(entities)
    n_core = min(len(entities), max(20, count // 2))
    core = entities[:n_core]
    satellites = [(e, q) for e in core for q in QUALIFIERS]
    rng.shuffle(satellites)
    tables = [TableSpec(plural(e), e, e) for e in core]
    for entity, (suffix, singular_suffix) in satellites[: max(0, count - n_core)]:
        table = TableSpec(entity + suffix, entity + singular_suffix, entity)
        if suffix == "_stats":
            table.schema = "analytics"
        tables.append(table)
    for index, table in enumerate(tables):
        table.domain = DOMAINS[index % len(DOMAINS)]
        table.columns = make_columns(rng, table, tables[: min(index, n_core)])
    return tables


def make_columns(rng: random.Random, table: TableSpec, parents: list[TableSpec]) -> list[Column]:
    """id, an optional foreign key to a core table, 3-8 data columns, created_at."""
    columns = [Column("id", "bigint", nullable=False)]
    parent = next((p for p in parents if p.entity == table.entity), None)
    if parent is None and parents and rng.random() < 0.4:
        parent = rng.choice(parents)
    if parent is not None and parent.name != table.name:
        columns.append(Column(f"{parent.singular}_id", "bigint", nullable=False, fk=parent.name))
    for name, type_key in rng.sample(COLUMN_POOL, rng.randint(3, 8)):
        columns.append(Column(name, type_key, nullable=rng.random() < 0.5))
    columns.append(Column("created_at", "ts", nullable=False))
    return columns


def assign_sources(rng: random.Random, tables: list[TableSpec], revisions: int,
                   migrations: int) -> list[TableSpec]:
    """Decide which source creates each table; return the temporary (created+dropped) tables."""
    for table in tables:
        roll = rng.random()
        if roll < 0.08:  # a legacy table only raw SQL knows about
            table.alembic = table.baseline = False
            table.sql_migration = migrations > 0 and rng.random() < 0.5
            table.in_init = not table.sql_migration
            continue
        table.baseline = revisions < 2 or rng.random() < 0.6
        table.in_init = table.baseline or rng.random() < 0.3
        if table.baseline and revisions >= 2 and rng.random() < 0.25:
            candidates = [c.name for c in table.data_columns if c.nullable]
            table.late_column = rng.choice(candidates) if candidates else None
    baseline = [t for t in tables if t.baseline]
    for table in rng.sample(baseline, min(len(baseline), revisions // 5)):
        table.legacy_name = f"{table.name}_legacy"
        table.late_column = None  # later ops use the final name: keep them off this table
    temp: list[TableSpec] = []
    for index in range(revisions // 10 if revisions >= 4 else 0):
        entity = ENTITIES[(index * 7) % len(ENTITIES)]
        spec = TableSpec(f"tmp_{entity}_backfill_{index}", f"tmp_{entity}", entity)
        spec.columns = [Column("id", "bigint", nullable=False), Column("payload", "json"),
                        Column("created_at", "ts", nullable=False)]
        temp.append(spec)
    return temp


def line_target(rng: random.Random, profile: Profile) -> int:
    """A log-normal size, clipped: most modules are small, a few are long."""
    sigma = 0.55
    mu = math.log(profile.mean_lines) - sigma * sigma / 2
    return max(profile.min_lines, min(profile.max_lines, int(rng.lognormvariate(mu, sigma))))


def make_modules(rng: random.Random, count: int, tables: list[TableSpec],
                 profile: Profile) -> list[ModuleSpec]:
    """Lay out N application modules over svc/<domain>/<sub>/ with the configured mix."""
    n_models = max(1, round(count * profile.models))
    n_sql = round(count * profile.raw_sql)
    n_orm = round(count * profile.orm)
    kinds = ["model"] * n_models + ["sql"] * n_sql + ["orm"] * n_orm
    kinds += ["plain"] * max(0, count - len(kinds))
    kinds = kinds[:count]
    rng.shuffle(kinds)
    domains = list(DOMAINS[: max(4, min(len(DOMAINS), count // 40))])
    subs = {d: rng.sample(SUBPACKAGES, rng.randint(3, 6)) for d in domains}
    modules: list[ModuleSpec] = []
    for index, kind in enumerate(kinds):
        domain = rng.choice(domains)
        sub = "models" if kind == "model" else rng.choice(subs[domain])
        entity = rng.choice(ENTITIES)
        stem = f"{entity}_{rng.choice(ROLE_STEMS[kind])}_{index}"
        path = f"svc/{domain}/{sub}/{stem}.py"
        modules.append(ModuleSpec(path, path[:-3].replace("/", "."), kind, domain, entity,
                                  line_target(rng, profile),
                                  keyword_strings=rng.random() < profile.keyword_strings))
    assign_model_tables(rng, modules, tables)
    return modules


def assign_model_tables(rng: random.Random, modules: list[ModuleSpec],
                        tables: list[TableSpec]) -> None:
    """Each mappable table gets at most one model module, preferring its own domain."""
    model_modules = [m for m in modules if m.kind == "model"]
    mappable = [t for t in tables if t.alembic or t.in_init]
    rng.shuffle(mappable)
    for table in mappable:
        if rng.random() >= 0.8:
            continue
        same = [m for m in model_modules if m.domain == table.domain]
        target = rng.choice(same or model_modules)
        table.model_module = target.dotted
        table.table_object = rng.random() < 0.12
        target.tables.append(table)
    for module in model_modules:
        if not module.tables:  # every model module maps something
            module.tables.append(rng.choice(mappable))
            module.tables[-1].model_module = module.dotted
        module.tables.sort(key=lambda t: t.name)


def make_plan(rng: random.Random, modules: int, profile: Profile) -> Plan:
    tables = make_tables(rng, table_count(modules, profile))
    revisions = max(2, modules // 50)
    temp = assign_sources(rng, tables, revisions, max(1, modules // 100))
    for table in tables:
        table.has_queries = rng.random() < 0.3
    return Plan(tables, make_modules(rng, modules, tables, profile), temp, profile)


# ----------------------------------------------------------------------------- Python modules


class PyModule:
    """A Python module under construction: imports are collected as units need them."""

    def __init__(self, docstring: str, domain_logger: bool = True) -> None:
        self.docstring = docstring
        self.imports: set[tuple[str, str, str]] = {("from", "__future__", "annotations")}
        self.constants: list[str] = []
        self.units: list[list[str]] = []
        self.names: set[str] = set()
        self.logger = domain_logger
        if domain_logger:
            self.need_import("logging")

    def need_from(self, module: str, name: str) -> str:
        self.imports.add(("from", module, name))
        return name

    def need_import(self, module: str, alias: str = "") -> str:
        self.imports.add(("import", module, alias))
        return alias or module

    def unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.names:
            candidate, n = f"{name}_{n}", n + 1
        self.names.add(candidate)
        return candidate

    def snapshot(self) -> tuple[set[tuple[str, str, str]], list[str], set[str]]:
        return set(self.imports), list(self.constants), set(self.names)

    def restore(self, saved: tuple[set[tuple[str, str, str]], list[str], set[str]]) -> None:
        self.imports, self.constants, self.names = set(saved[0]), list(saved[1]), set(saved[2])

    def add(self, lines: list[str]) -> None:
        self.units.append(lines)

    def line_count(self) -> int:
        return len(self.render().splitlines())

    def render(self) -> str:
        out = ['"""' + self.docstring + '"""', ""]
        out += render_imports(self.imports)
        if self.logger:
            out += ["", "logger = logging.getLogger(__name__)"]
        if self.constants:
            out += ["", *self.constants]
        for unit in self.units:
            out += ["", "", *unit]
        return "\n".join(out) + "\n"


def import_group(module: str) -> int:
    if module == "__future__":
        return 0
    if module.split(".")[0] in STDLIB or module in STDLIB:
        return 1
    return 3 if module.startswith(("svc", ".")) else 2


def render_imports(imports: set[tuple[str, str, str]]) -> list[str]:
    """isort-like: __future__, stdlib, third party, first party; `import x` before `from`."""
    groups: dict[int, list[str]] = {}
    froms: dict[str, list[str]] = {}
    for style, module, name in sorted(imports):
        if style == "from":
            froms.setdefault(module, []).append(name)
        else:
            line = f"import {module}" + (f" as {name}" if name else "")
            groups.setdefault(import_group(module), []).append(line)
    for module, names in sorted(froms.items()):
        line = f"from {module} import {', '.join(sorted(set(names)))}"
        if len(line) > 99:
            inner = "".join(f"    {n},\n" for n in sorted(set(names)))
            line = f"from {module} import (\n{inner})"
        groups.setdefault(import_group(module), []).append(line)
    out: list[str] = []
    for key in sorted(groups):
        if out:
            out.append("")
        out += groups[key]
    return out


def fill(template: str, **values: object) -> list[str]:
    return textwrap.dedent(template).strip("\n").format(**values).splitlines()


@dataclass(slots=True)
class Ctx:
    rng: random.Random
    plan: Plan
    spec: ModuleSpec
    mod: PyModule
    table_style: str = "from"


# ----------------------------------------------------------------------------- plain units


def names(ctx: Ctx) -> dict[str, str]:
    rng = ctx.rng
    noun = rng.choice(ENTITIES)
    f1, f2, f3 = rng.sample(WORDS, 3)
    return {"noun": noun, "Cls": camel(noun), "verb": rng.choice(VERBS), "f1": f1, "f2": f2,
            "f3": f3, "domain": ctx.spec.domain, "n": str(rng.choice((10, 25, 50, 100, 200)))}


def unit_dataclass(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["Cls"] = ctx.mod.unique(v["Cls"] + camel(v["f1"]))
    ctx.mod.need_from("dataclasses", "dataclass")
    ctx.mod.need_from("dataclasses", "replace")
    return fill('''
        @dataclass(frozen=True, slots=True)
        class {Cls}:
            """A {noun} {f1} as the {domain} API returns it; immutable so it can be cached."""

            {f1}: str
            {f2}: int
            {f3}: float = 0.0
            tags: tuple[str, ...] = ()

            def label(self) -> str:
                return f"{{self.{f1}}} ({{self.{f2}}})"

            def with_tags(self, *tags: str) -> {Cls}:
                merged = tuple(sorted(set(self.tags) | set(tags)))
                return replace(self, tags=merged)

            @property
            def is_heavy(self) -> bool:
                return self.{f3} > {n}
        ''', **v)


def unit_pydantic(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["Cls"] = ctx.mod.unique(v["Cls"] + "Payload")
    ctx.mod.need_from("pydantic", "BaseModel")
    ctx.mod.need_from("pydantic", "Field")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        class {Cls}(BaseModel):
            """Request body to {verb} a {noun}.

            Clients select the {noun} by id and may update its {f1} in the same call; the
            {f2} list replaces the stored one.
            """

            {noun}_id: int
            {f1}: str | None = None
            {f2}: list[str] = Field(default_factory=list)
            dry_run: bool = False

            def summary(self) -> dict[str, Any]:
                data = self.model_dump(exclude_none=True)
                data["count"] = len(self.{f2})
                return data
        ''', **v)


def unit_grouping(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["fn"] = ctx.mod.unique(f"group_{v['noun']}s_by_{v['f1']}")
    ctx.mod.need_from("collections", "defaultdict")
    ctx.mod.need_from("collections.abc", "Iterable")
    ctx.mod.need_from("collections.abc", "Mapping")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        def {fn}(
            items: Iterable[Mapping[str, Any]],
        ) -> dict[str, list[Mapping[str, Any]]]:
            """Group raw {noun} rows by {f1}, keeping the input order inside each group."""
            groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
            for item in items:
                key = str(item.get("{f1}") or "unknown")
                groups[key].append(item)
            for key, rows in groups.items():
                if len(rows) > {n}:
                    logger.debug("large {f1} group %s: %d rows", key, len(rows))
            return dict(sorted(groups.items()))
        ''', **v)


def unit_message(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["fn"] = ctx.mod.unique(f"{v['verb']}_{v['noun']}_message")
    return fill('''
        def {fn}(name: str, count: int, *, urgent: bool = False) -> str:
            """Build the notification text; select the template by urgency.

            Users see "Select a {noun} from the list" when nothing is pending.
            """
            if count == 0:
                return "Select a {noun} from the list"
            if urgent:
                template = "{{name}}: {{count}} {noun}s need attention now"
            else:
                template = "{{name}} has {{count}} {noun}s to update"
            text = template.format(name=name, count=count)
            logger.info("updated %s: %d %s", name, count, "{noun}s")
            return f"[{domain}] {{text}}"
        ''', **v)


def unit_service(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["Cls"] = ctx.mod.unique(v["Cls"] + camel(v["verb"]) + "er")
    ctx.mod.need_from("collections.abc", "Iterator")
    ctx.mod.need_from("collections.abc", "Sequence")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        class {Cls}:
            """Coordinates {noun} work for the {domain} domain.

            Callers select a strategy up front; update() then applies it batch by batch so a
            failure leaves the earlier batches done.
            """

            def __init__(self, client: Any | None = None, *, batch_size: int = {n}) -> None:
                self._client = client
                self._batch_size = batch_size
                self._seen: set[str] = set()

            def batches(self, items: Sequence[str]) -> Iterator[list[str]]:
                for start in range(0, len(items), self._batch_size):
                    yield list(items[start : start + self._batch_size])

            def update(self, items: Sequence[str]) -> int:
                fresh = [item for item in items if item not in self._seen]
                for batch in self.batches(fresh):
                    self._seen.update(batch)
                    logger.debug("processed batch of %d", len(batch))
                return len(fresh)

            def reset(self) -> None:
                self._seen.clear()
        ''', **v)


def unit_enum(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["Cls"] = ctx.mod.unique(v["Cls"] + "State")
    ctx.mod.need_from("enum", "Enum")
    return fill('''
        class {Cls}(str, Enum):
            """Lifecycle of a {noun}; stored as text, so values never change."""

            PENDING = "pending"
            ACTIVE = "active"
            SUSPENDED = "suspended"
            CLOSED = "closed"

            @property
            def is_final(self) -> bool:
                return self is {Cls}.CLOSED

            @classmethod
            def parse(cls, raw: str) -> {Cls}:
                try:
                    return cls(raw.strip().lower())
                except ValueError:
                    logger.warning("unknown {noun} state %r", raw)
                    return cls.PENDING
        ''', **v)


def unit_retry(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["fn"] = ctx.mod.unique(f"{v['verb']}_{v['noun']}_with_retry")
    ctx.mod.need_import("asyncio")
    ctx.mod.need_from("collections.abc", "Awaitable")
    ctx.mod.need_from("collections.abc", "Callable")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        async def {fn}(
            call: Callable[[], Awaitable[Any]], *, attempts: int = 3, delay: float = 0.5
        ) -> Any:
            """Retry a flaky upstream call; callers see only the last error."""
            last: Exception | None = None
            for attempt in range(1, attempts + 1):
                try:
                    return await call()
                except (TimeoutError, ConnectionError) as exc:
                    last = exc
                    logger.warning("attempt %d/%d failed: %s", attempt, attempts, exc)
                    await asyncio.sleep(delay * attempt)
            raise RuntimeError("could not {verb} the {noun}") from last
        ''', **v)


def unit_limits(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["CONST"] = ctx.mod.unique(f"DEFAULT_{v['noun'].upper()}_LIMITS")
    v["fn"] = ctx.mod.unique(f"merge_{v['noun']}_limits")
    ctx.mod.need_from("collections.abc", "Mapping")
    return fill('''
        {CONST}: dict[str, int] = {{
            "{f1}": 10,
            "{f2}": {n},
            "{f3}": 3,
        }}


        def {fn}(overrides: Mapping[str, int] | None = None) -> dict[str, int]:
            """Defaults updated with overrides; unknown keys are rejected, not ignored."""
            merged = dict({CONST})
            for key, value in (overrides or {{}}).items():
                if key not in merged:
                    raise KeyError(f"unknown limit {{key!r}}")
                merged[key] = max(0, int(value))
            return merged
        ''', **v)


def unit_parse(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["RE"] = ctx.mod.unique(f"_{v['noun'].upper()}_CODE")
    v["fn"] = ctx.mod.unique(f"parse_{v['noun']}_code")
    ctx.mod.need_import("re")
    return fill('''
        {RE} = re.compile(r"^(?P<prefix>[A-Z]{{3}})-(?P<number>\\d{{4,8}})$")


        def {fn}(raw: str) -> tuple[str, int]:
            """Split a {noun} code such as ABC-00042 into its prefix and number."""
            match = {RE}.match(raw.strip().upper())
            if match is None:
                raise ValueError(f"not a {noun} code: {{raw!r}}")
            return match["prefix"], int(match["number"])
        ''', **v)


def unit_pipeline(ctx: Ctx) -> list[str]:
    v = names(ctx)
    v["fn"] = ctx.mod.unique(f"{v['verb']}_{v['noun']}_ranking")
    ctx.mod.need_from("collections.abc", "Sequence")
    return fill('''
        def {fn}(
            scores: Sequence[float], labels: Sequence[str], *, top: int = {n}
        ) -> list[tuple[int, str, float]]:
            """Rank labels by score, ties broken by label so the order is stable."""
            if len(scores) != len(labels):
                raise ValueError("scores and labels differ in length")
            pairs = sorted(zip(labels, scores, strict=True), key=lambda p: (-p[1], p[0]))
            ranked = [(i + 1, label, round(score, 3)) for i, (label, score) in enumerate(pairs)]
            total = sum(scores) or 1.0
            shares = {{label: score / total for label, score in pairs}}
            logger.debug("top {noun} share %.2f", max(shares.values(), default=0.0))
            return ranked[:top]
        ''', **v)


def unit_actions(ctx: Ctx) -> list[str]:
    """CRUD action names: plain strings that happen to start like SQL."""
    v = names(ctx)
    v["CONST"] = ctx.mod.unique(f"{v['noun'].upper()}_ACTIONS")
    v["fn"] = ctx.mod.unique(f"can_{v['verb']}_{v['noun']}")
    return fill('''
        {CONST}: tuple[str, ...] = ("create", "update", "delete", "show")


        def {fn}(role: str, action: str) -> bool:
            """Admins may do anything; others may only show a {noun}."""
            if action not in {CONST}:
                raise ValueError(f"unknown action {{action!r}}")
            if action == "delete" and role != "admin":
                logger.info("delete refused for role %s", role)
                return False
            return role in ("admin", "editor") or action == "show"
        ''', **v)


PLAIN_UNITS: tuple[Callable[[Ctx], list[str]], ...] = (
    unit_dataclass, unit_pydantic, unit_grouping, unit_message, unit_service, unit_enum,
    unit_retry, unit_limits, unit_parse, unit_pipeline,
)


# ----------------------------------------------------------------------------- raw SQL units


def pick_columns(ctx: Ctx, table: TableSpec, count: int) -> list[str]:
    cols = [c.name for c in table.data_columns if c.name != "created_at"]
    return ctx.rng.sample(cols, min(count, len(cols)))


def table_ref(ctx: Ctx, table: TableSpec) -> str:
    """A Python expression naming the table, in the import style the module uses."""
    mod, style = ctx.mod, ctx.table_style
    if style == "from":
        return mod.need_from("svc.db.tables", table.const)
    if style == "module":
        return f"{mod.need_from('svc.db', 'tables')}.{table.const}"
    if style == "alias":
        return f"{mod.need_import('svc.db.tables', 't')}.{table.const}"
    if style == "relative":
        return mod.need_from("...db.tables", table.const)
    local = f"_{table.const}_TABLE"
    line = f'{local}: Final = "{table.sql_name}"'
    if line not in mod.constants:
        mod.need_from("typing", "Final")
        mod.constants.append(line)
    return local


def asyncpg_conn(ctx: Ctx) -> str:
    ctx.mod.need_import("asyncpg")
    return "conn: asyncpg.Connection"


def sql_plain(ctx: Ctx, table: TableSpec) -> list[str]:
    c1, c2, c3 = ([*pick_columns(ctx, table, 3), "id", "id"])[:3]
    fn = ctx.mod.unique(f"fetch_{table.name}_by_{c1}")
    return fill('''
        async def {fn}({conn}, value: object, limit: int = 100) -> list[asyncpg.Record]:
            """Newest rows first; the caller pages with limit."""
            return await conn.fetch(
                "SELECT id, {c2}, {c3} FROM {t} WHERE {c1} = $1 ORDER BY id DESC LIMIT $2",
                value,
                limit,
            )
        ''', fn=fn, conn=asyncpg_conn(ctx), c1=c1, c2=c2, c3=c3, t=table.sql_name)


def sql_join(ctx: Ctx, table: TableSpec) -> list[str]:
    fk = table.fk_column
    parent = next((t for t in ctx.plan.tables if fk and t.name == fk.fk), None)
    if fk is None or parent is None:
        return sql_cte(ctx, table)
    c1 = pick_columns(ctx, table, 1)[0]
    p1 = pick_columns(ctx, parent, 1)[0]
    fn = ctx.mod.unique(f"{table.name}_with_{parent.singular}")
    return fill('''
        async def {fn}({conn}, {parent_s}_id: int) -> list[dict[str, object]]:
            """Rows of one {parent_s} with the parent's {p1}, for the detail page."""
            rows = await conn.fetch(
                """
                SELECT c.id, c.{c1}, p.{p1} AS parent_{p1}
                FROM {t} AS c
                JOIN {pt} AS p ON p.id = c.{fk}
                WHERE p.id = $1
                ORDER BY c.created_at DESC, c.id
                """,
                {parent_s}_id,
            )
            return [dict(row) for row in rows]
        ''', fn=fn, conn=asyncpg_conn(ctx), parent_s=parent.singular, c1=c1, p1=p1,
        t=table.sql_name, pt=parent.sql_name, fk=fk.name)


def sql_cte(ctx: Ctx, table: TableSpec) -> list[str]:
    c1 = pick_columns(ctx, table, 1)[0]
    fn = ctx.mod.unique(f"latest_{table.name}_per_{c1}")
    return fill('''
        async def {fn}({conn}, days: int = 7) -> list[asyncpg.Record]:
            """The newest row per {c1} over the last days (one query, no N+1)."""
            query = """
                WITH recent AS (
                    SELECT id, {c1}, created_at
                    FROM {t}
                    WHERE created_at > now() - ($1 * interval '1 day')
                ), ranked AS (
                    SELECT id, {c1}, row_number() OVER (
                        PARTITION BY {c1} ORDER BY created_at DESC
                    ) AS rn
                    FROM recent
                )
                SELECT id, {c1} FROM ranked WHERE rn = 1
            """
            return await conn.fetch(query, days)
        ''', fn=fn, conn=asyncpg_conn(ctx), c1=c1, t=table.sql_name)


def sql_value_holes(ctx: Ctx, table: TableSpec) -> list[str]:
    c1, c2 = ([*pick_columns(ctx, table, 2), "id"])[:2]
    fn = ctx.mod.unique(f"search_{table.name}")
    return fill('''
        async def {fn}({conn}, term: str, limit: int = 20) -> list[asyncpg.Record]:
            """Legacy search: values are interpolated (the term is sanitised upstream)."""
            safe = term.replace("'", "''")
            sql = (
                f"SELECT id, {c1}, {c2} FROM {t} "
                f"WHERE CAST({c1} AS text) ILIKE '%{{safe}}%' ORDER BY id LIMIT {{int(limit)}}"
            )
            return await conn.fetch(sql)
        ''', fn=fn, conn=asyncpg_conn(ctx), c1=c1, c2=c2, t=table.sql_name)


def sql_table_hole(ctx: Ctx, table: TableSpec) -> list[str]:
    c1 = pick_columns(ctx, table, 1)[0]
    ref = table_ref(ctx, table)
    fn = ctx.mod.unique(f"count_{table.name}")
    return fill('''
        async def {fn}({conn}, since: object) -> int:
            """How many rows changed since a point in time (dashboard counter)."""
            value = await conn.fetchval(
                f"SELECT count(*) FROM {{{ref}}} WHERE created_at >= $1 AND {c1} IS NOT NULL",
                since,
            )
            return int(value or 0)
        ''', fn=fn, conn=asyncpg_conn(ctx), ref=ref, c1=c1)


def sql_delete_hole(ctx: Ctx, table: TableSpec) -> list[str]:
    ref = table_ref(ctx, table)
    fn = ctx.mod.unique(f"purge_old_{table.name}")
    return fill('''
        async def {fn}({conn}, cutoff: object, batch: int = 1000) -> int:
            """Delete expired rows in bounded batches so locks stay short."""
            removed = 0
            while True:
                status = await conn.execute(
                    f"""
                    DELETE FROM {{{ref}}}
                    WHERE id IN (
                        SELECT id FROM {{{ref}}} WHERE created_at < $1 ORDER BY id LIMIT $2
                    )
                    """,
                    cutoff,
                    batch,
                )
                count = int(status.split()[-1])
                removed += count
                if count < batch:
                    return removed
        ''', fn=fn, conn=asyncpg_conn(ctx), ref=ref)


def sql_percent(ctx: Ctx, table: TableSpec) -> list[str]:
    c1 = pick_columns(ctx, table, 1)[0]
    ref = table_ref(ctx, table)
    fn = ctx.mod.unique(f"set_{table.singular}_{c1}")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        def {fn}(cur: Any, row_id: int, value: object) -> int:
            """psycopg: the table name is formatted in, values stay parameters."""
            cur.execute("UPDATE %s SET {c1} = %%s WHERE id = %%s" % {ref}, (value, row_id))
            return cur.rowcount
        ''', fn=fn, c1=c1, ref=ref)


def sql_psycopg(ctx: Ctx, table: TableSpec) -> list[str]:
    c1, c2 = ([*pick_columns(ctx, table, 2), "id"])[:2]
    fn = ctx.mod.unique(f"load_{table.name}_page")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        def {fn}(cur: Any, after_id: int, size: int = 500) -> list[tuple[Any, ...]]:
            """Keyset pagination for the nightly export."""
            cur.execute(
                "SELECT id, {c1}, {c2} FROM {t} WHERE id > %s ORDER BY id LIMIT %s",
                (after_id, size),
            )
            rows = cur.fetchall()
            logger.debug("loaded %d {t} rows after %d", len(rows), after_id)
            return rows
        ''', fn=fn, c1=c1, c2=c2, t=table.sql_name)


def sql_text(ctx: Ctx, table: TableSpec) -> list[str]:
    c1 = pick_columns(ctx, table, 1)[0]
    fn = ctx.mod.unique(f"touch_{table.singular}")
    ctx.mod.need_from("sqlalchemy", "text")
    ctx.mod.need_from("typing", "Any")
    return fill('''
        def {fn}(session: Any, row_id: int, value: object) -> None:
            """SQLAlchemy Core text(): used where the ORM model does not exist yet."""
            session.execute(
                text("UPDATE {t} SET {c1} = :value WHERE id = :id"),
                {{"value": value, "id": row_id}},
            )
        ''', fn=fn, c1=c1, t=table.sql_name)


def sql_insert(ctx: Ctx, table: TableSpec) -> list[str]:
    cols = pick_columns(ctx, table, 3)
    fk = table.fk_column
    if fk is not None:
        cols = [fk.name, *cols]
    params = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    args = "".join(f"        {c},\n" for c in cols)
    fn = ctx.mod.unique(f"insert_{table.singular}")
    sig = ", ".join(f"{c}: object" for c in cols)
    return fill('''
        async def {fn}({conn}, {sig}) -> int:
            """Insert one row and return its id."""
            return await conn.fetchval(
                "INSERT INTO {t} ({cols}) VALUES ({params}) RETURNING id",
        {args}    )
        ''', fn=fn, conn=asyncpg_conn(ctx), sig=sig, t=table.sql_name,
        cols=", ".join(cols), params=params, args=args)


def sql_upsert(ctx: Ctx, table: TableSpec) -> list[str]:
    c1 = pick_columns(ctx, table, 1)[0]
    fn = ctx.mod.unique(f"upsert_{table.singular}_{c1}")
    return fill('''
        async def {fn}({conn}, row_id: int, value: object) -> None:
            """Idempotent write: replays of the same event converge."""
            await conn.execute(
                """
                INSERT INTO {t} (id, {c1}, created_at)
                VALUES ($1, $2, now())
                ON CONFLICT (id) DO UPDATE SET {c1} = EXCLUDED.{c1}
                """,
                row_id,
                value,
            )
        ''', fn=fn, conn=asyncpg_conn(ctx), c1=c1, t=table.sql_name)


def sql_shared_query(ctx: Ctx, table: TableSpec) -> list[str]:
    if not table.has_queries:
        return sql_plain(ctx, table)
    queries = ctx.mod.need_from("svc.db", "queries")
    fn = ctx.mod.unique(f"get_{table.singular}")
    return fill('''
        async def {fn}({conn}, row_id: int) -> asyncpg.Record | None:
            """Shared query text lives in svc.db.queries so reviews see all of it."""
            return await conn.fetchrow({q}.GET_{C}_BY_ID, row_id)


        async def {fn}_recent({conn}, limit: int = 50) -> list[asyncpg.Record]:
            return await conn.fetch({q}.LIST_RECENT_{C}, limit)
        ''', fn=fn, conn=asyncpg_conn(ctx), q=queries, C=table.const)


SQL_UNITS: tuple[Callable[[Ctx, TableSpec], list[str]], ...] = (
    sql_plain, sql_join, sql_cte, sql_value_holes, sql_table_hole, sql_delete_hole, sql_percent,
    sql_psycopg, sql_text, sql_insert, sql_upsert, sql_shared_query,
)


# ----------------------------------------------------------------------------- ORM units


def orm_name(ctx: Ctx, table: TableSpec) -> str:
    assert table.model_module is not None
    return ctx.mod.need_from(table.model_module, table.mapped_name)


def orm_select(ctx: Ctx, table: TableSpec) -> list[str]:
    if table.table_object:
        return orm_table_object(ctx, table)
    model, c1 = orm_name(ctx, table), pick_columns(ctx, table, 1)[0]
    ctx.mod.need_from("sqlalchemy", "select")
    ctx.mod.need_from("sqlalchemy.ext.asyncio", "AsyncSession")
    fn = ctx.mod.unique(f"list_{table.name}_by_{c1}")
    return fill('''
        async def {fn}(session: AsyncSession, value: object, limit: int = 50) -> list[{M}]:
            """Newest first; the API pages with limit."""
            stmt = select({M}).where({M}.{c1} == value).order_by({M}.id.desc()).limit(limit)
            result = await session.execute(stmt)
            return list(result.scalars().all())
        ''', fn=fn, M=model, c1=c1)


def orm_add(ctx: Ctx, table: TableSpec) -> list[str]:
    if table.table_object:
        return orm_table_object(ctx, table)
    model = orm_name(ctx, table)
    cols = pick_columns(ctx, table, 2)
    ctx.mod.need_from("sqlalchemy.ext.asyncio", "AsyncSession")
    fn = ctx.mod.unique(f"create_{table.singular}")
    sig = ", ".join(f"{c}: Any" for c in cols)
    ctx.mod.need_from("typing", "Any")
    kwargs = ", ".join(f"{c}={c}" for c in cols)
    return fill('''
        async def {fn}(session: AsyncSession, {sig}) -> {M}:
            """Create and flush so the caller gets the generated id."""
            record = {M}({kwargs})
            session.add(record)
            await session.flush()
            logger.info("created {singular} %s", record.id)
            return record
        ''', fn=fn, M=model, sig=sig, kwargs=kwargs, singular=table.singular)


def orm_query(ctx: Ctx, table: TableSpec) -> list[str]:
    if table.table_object:
        return orm_table_object(ctx, table)
    model, c1 = orm_name(ctx, table), pick_columns(ctx, table, 1)[0]
    ctx.mod.need_from("sqlalchemy.orm", "Session")
    fn = ctx.mod.unique(f"count_{table.name}_with_{c1}")
    return fill('''
        def {fn}(session: Session, value: object) -> int:
            """Legacy 1.x Query API, still used by the sync admin jobs."""
            return session.query({M}).filter({M}.{c1} == value).count()


        def {fn}_first(session: Session, value: object) -> {M} | None:
            return session.query({M}).filter_by({c1}=value).order_by({M}.id).first()
        ''', fn=fn, M=model, c1=c1)


def orm_get_update(ctx: Ctx, table: TableSpec) -> list[str]:
    if table.table_object:
        return orm_table_object(ctx, table)
    model, c1 = orm_name(ctx, table), pick_columns(ctx, table, 1)[0]
    ctx.mod.need_from("sqlalchemy", "update")
    ctx.mod.need_from("sqlalchemy.ext.asyncio", "AsyncSession")
    fn = ctx.mod.unique(f"set_{table.singular}_{c1}")
    return fill('''
        async def {fn}(session: AsyncSession, ids: list[int], value: object) -> int:
            """Bulk update without loading the rows."""
            stmt = update({M}).where({M}.id.in_(ids)).values({c1}=value)
            result = await session.execute(stmt)
            return result.rowcount


        async def get_{singular}_or_none(session: AsyncSession, row_id: int) -> {M} | None:
            return await session.get({M}, row_id)
        ''', fn=fn, M=model, c1=c1, singular=ctx.mod.unique(table.singular))


def orm_delete_join(ctx: Ctx, table: TableSpec) -> list[str]:
    if table.table_object:
        return orm_table_object(ctx, table)
    model = orm_name(ctx, table)
    ctx.mod.need_from("sqlalchemy", "delete")
    ctx.mod.need_from("sqlalchemy.ext.asyncio", "AsyncSession")
    fn = ctx.mod.unique(f"delete_{table.name}_before")
    return fill('''
        async def {fn}(session: AsyncSession, cutoff: object) -> int:
            """Retention job: rows older than the cutoff go."""
            result = await session.execute(delete({M}).where({M}.created_at < cutoff))
            return result.rowcount
        ''', fn=fn, M=model)


def orm_table_object(ctx: Ctx, table: TableSpec) -> list[str]:
    obj = orm_name(ctx, table)
    c1 = pick_columns(ctx, table, 1)[0]
    ctx.mod.need_from("sqlalchemy", "insert")
    ctx.mod.need_from("sqlalchemy", "select")
    ctx.mod.need_from("sqlalchemy.ext.asyncio", "AsyncSession")
    fn = ctx.mod.unique(f"{table.name}_rows")
    return fill('''
        async def {fn}(session: AsyncSession, value: object) -> list[object]:
            """Core Table object: no model class for this table."""
            result = await session.execute(select({T}).where({T}.c.{c1} == value))
            return list(result.all())


        async def {fn}_append(session: AsyncSession, value: object) -> None:
            await session.execute(insert({T}).values({c1}=value))
        ''', fn=fn, T=obj, c1=c1)


ORM_UNITS: tuple[Callable[[Ctx, TableSpec], list[str]], ...] = (
    orm_select, orm_add, orm_query, orm_get_update, orm_delete_join,
)


# ----------------------------------------------------------------------------- module bodies


def module_docstring(spec: ModuleSpec) -> str:
    what = {
        "sql": "data access with hand-written SQL",
        "orm": "use cases on top of the ORM models",
        "plain": "application logic",
        "model": "ORM models",
    }[spec.kind]
    return (f"The {spec.domain} domain: {what} around {spec.entity.replace('_', ' ')}s.\n\n"
            f"Callers select what they need here; nothing else should update this state.\n")


def pick_tables(ctx: Ctx, pool: list[TableSpec], count: int) -> list[TableSpec]:
    """Mostly the module's own domain, sometimes a neighbour's (as real code does)."""
    if not pool:
        return []
    own = [t for t in pool if t.domain == ctx.spec.domain]
    chosen: list[TableSpec] = []
    for _ in range(count):
        source = own if own and ctx.rng.random() < 0.7 else pool
        table = ctx.rng.choice(source)
        if table not in chosen:
            chosen.append(table)
    return chosen


def fill_module(ctx: Ctx, special: Callable[[], list[str]] | None, share: float) -> None:
    """Add units until the target size; `share` of them are the module's special kind."""
    profile = ctx.plan.profile
    if special is not None:
        ctx.mod.add(special())
    size = ctx.mod.line_count()
    while size < ctx.spec.target_lines:
        saved = ctx.mod.snapshot()
        if special is not None and ctx.rng.random() < share:
            unit = special()
        else:
            unit = ctx.rng.choice(PLAIN_UNITS)(ctx)
        if size + len(unit) + 2 > profile.max_lines and size >= profile.min_lines:
            ctx.mod.restore(saved)  # the unit is dropped: so are the imports it asked for
            break
        ctx.mod.add(unit)
        size = ctx.mod.line_count()


def render_sql_module(ctx: Ctx) -> str:
    ctx.table_style = ctx.rng.choice(("from", "module", "alias", "relative", "local"))
    usable = [t for t in ctx.plan.tables if t.alembic or t.in_init or t.sql_migration]
    tables = pick_tables(ctx, usable, ctx.rng.randint(2, 5))

    def special() -> list[str]:
        return ctx.rng.choice(SQL_UNITS)(ctx, ctx.rng.choice(tables))

    fill_module(ctx, special, 0.6)
    return ctx.mod.render()


def render_orm_module(ctx: Ctx) -> str:
    mapped = [t for t in ctx.plan.tables if t.model_module]
    tables = pick_tables(ctx, mapped, ctx.rng.randint(1, 4))

    def special() -> list[str]:
        return ctx.rng.choice(ORM_UNITS)(ctx, ctx.rng.choice(tables))

    fill_module(ctx, special if tables else None, 0.6)
    return ctx.mod.render()


def render_plain_module(ctx: Ctx) -> str:
    if ctx.spec.keyword_strings:
        ctx.mod.add(unit_actions(ctx))
    fill_module(ctx, None, 0.0)
    return ctx.mod.render()


# ----------------------------------------------------------------------------- model modules


def model_type(mod: PyModule, column: Column) -> str:
    expr = column.ctype.model
    head = expr.split("(")[0]
    if head == "JSONB":
        mod.need_from("sqlalchemy.dialects.postgresql", "JSONB")
    else:
        mod.need_from("sqlalchemy", head)
    return expr


def py_annotation(mod: PyModule, column: Column) -> str:
    py = column.ctype.py
    if py == "datetime":
        mod.need_from("datetime", "datetime")
    elif py == "Decimal":
        mod.need_from("decimal", "Decimal")
    elif "Any" in py:
        mod.need_from("typing", "Any")
    return f"{py} | None" if column.nullable else py


def model_class(mod: PyModule, table: TableSpec, siblings: list[TableSpec]) -> list[str]:
    mod.need_from("sqlalchemy.orm", "Mapped")
    mod.need_from("sqlalchemy.orm", "mapped_column")
    cls = table.class_name
    lines = [f"class {cls}(Base):",
             f'    """A {table.singular.replace("_", " ")} row ({table.domain} domain)."""', "",
             f'    __tablename__ = "{table.name}"']
    if table.schema != "public":
        lines.append(f'    __table_args__ = {{"schema": "{table.schema}"}}')
    lines.append("")
    for column in table.columns:
        lines.append(f"    {column.name}: Mapped[{py_annotation(mod, column)}] = "
                     f"{mapped_column_call(mod, column)}")
    parent = next((s for s in siblings if table.fk_column and s.name == table.fk_column.fk
                   and not s.table_object and s is not table), None)
    if parent is not None:
        mod.need_from("sqlalchemy.orm", "relationship")
        lines += ["", f"    {parent.singular}: Mapped[{parent.class_name}] = relationship()"]
    shown = table.data_columns[0].name
    lines += ["", "    def __repr__(self) -> str:",
              f'        return f"{cls}(id={{self.id!r}}, {shown}={{self.{shown}!r}})"']
    return lines


def mapped_column_call(mod: PyModule, column: Column) -> str:
    if column.name == "id":
        return f"mapped_column({model_type(mod, column)}, primary_key=True)"
    if column.fk:
        mod.need_from("sqlalchemy", "ForeignKey")
        return f'mapped_column(ForeignKey("{column.fk}.id", ondelete="CASCADE"))'
    if column.name == "created_at":
        mod.need_from("sqlalchemy", "func")
        return f"mapped_column({model_type(mod, column)}, server_default=func.now())"
    return f"mapped_column({model_type(mod, column)})"


def table_object(mod: PyModule, table: TableSpec) -> list[str]:
    mod.need_from("sqlalchemy", "Column")
    mod.need_from("sqlalchemy", "Table")
    lines = [f"{table.object_name} = Table(", f'    "{table.name}",', "    Base.metadata,"]
    for column in table.columns:
        extra = ""
        if column.name == "id":
            extra = ", primary_key=True"
        elif column.fk:
            mod.need_from("sqlalchemy", "ForeignKey")
            extra = f', ForeignKey("{column.fk}.id"), nullable=False'
        elif not column.nullable:
            extra = ", nullable=False"
        lines.append(f'    Column("{column.name}", {model_type(mod, column)}{extra}),')
    if table.schema != "public":
        lines.append(f'    schema="{table.schema}",')
    lines.append(")")
    return lines


def render_model_module(ctx: Ctx) -> str:
    """The models, then (for a short module) the enums and schemas that live beside them."""
    mod = ctx.mod
    mod.need_from("svc.db.base", "Base")
    for table in ctx.spec.tables:
        if table.table_object:
            mod.add(table_object(mod, table))
        else:
            mod.add(model_class(mod, table, ctx.spec.tables))
    ctx.spec.target_lines = ctx.plan.profile.min_lines
    fill_module(ctx, None, 0.0)
    return mod.render()


# ----------------------------------------------------------------------------- db package


def render_tables_module(plan: Plan) -> str:
    lines = ['"""Table names that several modules interpolate into SQL.', "",
             "One constant per table, so a rename is a one-line change here.", '"""', ""]
    lines += [f'{t.const} = "{t.sql_name}"' for t in plan.tables]
    return "\n".join(lines) + "\n"


def render_queries_module(plan: Plan) -> str:
    """Shared query texts: f-strings over the tables.py constants, plain strings otherwise."""
    tables = [t for t in plan.tables if t.has_queries]
    out = ['"""Queries shared by several repositories, reviewed in one place."""', "",
           "from __future__ import annotations", ""]
    if tables:
        out.append(render_imports({("from", "svc.db.tables", t.const) for t in tables})[0])
    for table in tables:
        cols = ", ".join(c.name for c in table.columns[:4])
        out += ["", f'GET_{table.const}_BY_ID = f"SELECT {cols} FROM {{{table.const}}} '
                    'WHERE id = $1"',
                f"LIST_RECENT_{table.const} = (",
                f'    "SELECT {cols} FROM {table.sql_name} "',
                '    "ORDER BY created_at DESC LIMIT $1"', ")"]
    return "\n".join(out) + "\n"


BASE_MODULE = '''"""Declarative base shared by every ORM model."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Root of the ORM class hierarchy; Base.metadata holds every mapped table."""
'''


# ----------------------------------------------------------------------------- Alembic


@dataclass(slots=True)
class Revision:
    rev: str
    parents: list[str]
    merge: bool = False
    branch: bool = False
    ops: list[tuple[str, ...]] = field(default_factory=list)
    when: datetime = datetime(2023, 1, 2, 9, 0)


def revision_graph(rng: random.Random, count: int) -> list[Revision]:
    """Linear history with a branch (two children of one parent) and a merge every ~20."""
    ids: set[str] = set()

    def new_id() -> str:
        while True:
            rev = f"{rng.getrandbits(48):012x}"
            if rev not in ids:
                ids.add(rev)
                return rev

    revs = [Revision(new_id(), [])]
    head = revs[0].rev
    while len(revs) < count:
        if len(revs) % 20 == 17 and count - len(revs) >= 3:
            a, b = Revision(new_id(), [head], branch=True), Revision(new_id(), [head], branch=True)
            merge = Revision(new_id(), [a.rev, b.rev], merge=True)
            revs += [a, b, merge]
            head = merge.rev
        else:
            revs.append(Revision(new_id(), [head]))
            head = revs[-1].rev
    when = datetime(2023, 1, 2, 9, 0)
    for rev in revs:
        rev.when = when
        when += timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 600))
    return revs


def schedule_ops(rng: random.Random, plan: Plan, revs: list[Revision]) -> None:
    """Baseline creates; later revisions create, add columns, rename, drop and fix data."""
    for table in plan.tables:
        if table.alembic and table.baseline:
            revs[0].ops.append(("create", table.name))
    later = [r for r in revs[1:] if not r.merge]
    if not later:
        return
    ops: list[tuple[str, ...]] = []
    for table in plan.tables:
        if table.alembic and not table.baseline:
            ops.append(("create", table.name))
        if table.late_column:
            ops.append(("add_column", table.name, table.late_column))
        if table.legacy_name:
            ops.append(("rename", table.name))
    rng.shuffle(ops)
    for index, op in enumerate(ops):
        later[index % len(later)].ops.append(op)
    mainline = [r for r in later if not r.branch]
    for index, temp in enumerate(plan.temp_tables):
        first = (index * 3) % max(1, len(mainline) - 1)
        mainline[first].ops.append(("create_temp", temp.name))
        mainline[min(len(mainline) - 1, first + 1)].ops.append(("drop", temp.name))
    baseline = [t for t in plan.tables if t.baseline and t.alembic and not t.legacy_name]
    for rev in later:
        if len(rev.ops) < 2 and baseline:
            table = rng.choice(baseline)
            kind = "execute" if rng.random() < 0.5 else "index"
            rev.ops.append((kind, table.name, rng.choice(table.data_columns).name))


def op_column(column: Column) -> str:
    parts = [f'"{column.name}"', column.ctype.op]
    if column.fk:
        parts.append(f'sa.ForeignKey("{column.fk}.id", ondelete="CASCADE")')
    if column.name == "id":
        parts.append("primary_key=True")
    elif column.name == "created_at":
        parts += ['server_default=sa.text("now()")', "nullable=False"]
    else:
        parts.append(f"nullable={column.nullable}")
    return f"sa.Column({', '.join(parts)})"


def schema_kw(table: TableSpec) -> str:
    return f', schema="{table.schema}"' if table.schema != "public" else ""


def render_op(op: tuple[str, ...], by_name: dict[str, TableSpec]) -> tuple[list[str], list[str]]:
    """(upgrade lines, downgrade lines) of one operation."""
    kind, name = op[0], op[1]
    table = by_name[name]
    if kind in ("create", "create_temp"):
        created = table.legacy_name if kind == "create" and table.legacy_name else name
        cols = [c for c in table.columns if c.name != table.late_column]
        body = [f'    op.create_table(\n        "{created}",']
        body += [f"        {op_column(c)}," for c in cols]
        if table.schema != "public":
            body.append(f'        schema="{table.schema}",')
        body.append("    )")
        return "\n".join(body).splitlines(), [f'    op.drop_table("{created}"{schema_kw(table)})']
    if kind == "add_column":
        column = next(c for c in table.columns if c.name == op[2])
        up = f'    op.add_column("{name}", {op_column(column)}{schema_kw(table)})'
        return [up], [f'    op.drop_column("{name}", "{column.name}"{schema_kw(table)})']
    if kind == "rename":
        return ([f'    op.rename_table("{table.legacy_name}", "{name}"{schema_kw(table)})'],
                [f'    op.rename_table("{name}", "{table.legacy_name}"{schema_kw(table)})'])
    if kind == "drop":
        return [f'    op.drop_table("{name}")'], ["    pass  # the backfill table is not restored"]
    column = next(c for c in table.columns if c.name == op[2])
    if kind == "execute":
        sql = (f"UPDATE {table.sql_name} SET {column.name} = {column.ctype.literal} "
               f"WHERE {column.name} IS NULL")
        return [f'    op.execute("{sql}")'], ["    pass  # data fix, nothing to undo"]
    index = f"ix_{name}_{column.name}"
    return ([f'    op.create_index("{index}", "{name}", ["{column.name}"]{schema_kw(table)})'],
            [f'    op.drop_index("{index}", table_name="{name}"{schema_kw(table)})'])


def revision_message(rev: Revision, index: int) -> str:
    if index == 0:
        return "baseline schema"
    if rev.merge:
        return "merge heads"
    kind, name = rev.ops[0][0], rev.ops[0][1]
    return {"create": f"create {name}", "create_temp": f"backfill {name}",
            "add_column": f"add column to {name}", "rename": f"rename {name}",
            "drop": f"drop {name}", "execute": f"fix {name} data",
            "index": f"index {name}"}.get(kind, f"update {name}")


def render_revision(rev: Revision, index: int, by_name: dict[str, TableSpec]) -> str:
    message = revision_message(rev, index)
    down = (repr(None) if not rev.parents else f'"{rev.parents[0]}"' if len(rev.parents) == 1
            else "(" + ", ".join(f'"{p}"' for p in rev.parents) + ")")
    up: list[str] = []
    undo: list[str] = []
    for op in rev.ops:
        lines, back = render_op(op, by_name)
        up += lines
        undo = back + undo
    postgres = any("postgresql." in line for line in up)
    imports = "from alembic import op\nimport sqlalchemy as sa\n"
    if postgres:
        imports += "from sqlalchemy.dialects import postgresql\n"
    if rev.merge:
        imports, up, undo = "", ["    pass"], ["    pass"]
    return REVISION_TEMPLATE.format(
        message=message, rev=rev.rev, revises=", ".join(rev.parents),
        date=rev.when.strftime("%Y-%m-%d %H:%M:%S.000000"), imports=imports, down=down,
        upgrade="\n".join(up or ["    pass"]), downgrade="\n".join(undo or ["    pass"]))


REVISION_TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: {date}

"""
from typing import Sequence, Union

{imports}

# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: Union[str, Sequence[str], None] = {down}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
{upgrade}


def downgrade() -> None:
    """Downgrade schema."""
{downgrade}
'''

ALEMBIC_INI = """# Alembic configuration for the service.

[alembic]
script_location = alembic
file_template = %%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql+psycopg://svc@localhost/svc

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''"""Alembic environment: the URL comes from SVC_DATABASE_URL when set."""

from __future__ import annotations

import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

database_url = os.environ.get("SVC_DATABASE_URL")
if database_url:
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))

target_metadata = None


def run_migrations_offline() -> None:
    """Emit the migration SQL without connecting (alembic upgrade head --sql)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against a live connection."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def write_alembic(out: Path, rng: random.Random, plan: Plan, count: int) -> int:
    revs = revision_graph(rng, count)
    schedule_ops(rng, plan, revs)
    by_name = {t.name: t for t in plan.tables + plan.temp_tables}
    versions = out / "alembic" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    write(out / "alembic.ini", ALEMBIC_INI)
    write(out / "alembic" / "env.py", ENV_PY)
    write(out / "alembic" / "script.py.mako", SCRIPT_MAKO)
    for index, rev in enumerate(revs):
        text = render_revision(rev, index, by_name)
        name = f"{rev.when:%Y%m%d_%H%M}_{rev.rev}_{slug(revision_message(rev, index))}.py"
        write(versions / name, text)
    return len(revs)


# ----------------------------------------------------------------------------- SQL files


def dump_table(table: TableSpec) -> list[str]:
    """One table as pg_dump writes it: CREATE, OWNER, its sequence and the id default."""
    name, seq = table.dump_name, f"{table.dump_name}_id_seq"
    cols = []
    for column in table.columns:
        spec = f"    {column.name} {column.ctype.pg}"
        if column.name == "created_at":
            spec += " DEFAULT now()"
        cols.append(spec + (" NOT NULL" if not column.nullable else ""))
    return [
        "--", f"-- Name: {table.name}; Type: TABLE; Schema: {table.schema}; Owner: svc", "--", "",
        f"CREATE TABLE {name} (", ",\n".join(cols), ");", "", "",
        f"ALTER TABLE {name} OWNER TO svc;", "",
        f"CREATE SEQUENCE {seq}", "    START WITH 1", "    INCREMENT BY 1", "    NO MINVALUE",
        "    NO MAXVALUE", "    CACHE 1;", "", "",
        f"ALTER SEQUENCE {seq} OWNER TO svc;", "",
        f"ALTER SEQUENCE {seq} OWNED BY {name}.id;", "", "",
        f"ALTER TABLE ONLY {name} ALTER COLUMN id SET DEFAULT nextval('{seq}'::regclass);",
        "", "",
    ]


def dump_data(rng: random.Random, table: TableSpec) -> list[str]:
    cols = ", ".join(c.name for c in table.columns)
    rows = []
    for row_id in range(1, rng.randint(2, 5)):
        values = [str(row_id) if c.name == "id" else "\\N" if c.nullable and rng.random() < 0.3
                  else c.ctype.copy for c in table.columns]
        rows.append("\t".join(values))
    return ["--", f"-- Data for Name: {table.name}; Type: TABLE DATA; Schema: {table.schema}; "
            "Owner: svc", "--", "", f"COPY {table.dump_name} ({cols}) FROM stdin;", *rows, "\\.",
            "", "", f"SELECT pg_catalog.setval('{table.dump_name}_id_seq', {len(rows)}, true);",
            "", ""]


def dump_constraints(table: TableSpec, present: set[str]) -> list[str]:
    out = [f"ALTER TABLE ONLY {table.dump_name}",
           f"    ADD CONSTRAINT {table.name}_pkey PRIMARY KEY (id);", "",
           f"CREATE INDEX idx_{table.name}_created_at ON {table.dump_name} "
           "USING btree (created_at);", ""]
    fk = table.fk_column
    if fk is not None and fk.fk in present:
        out += [f"ALTER TABLE ONLY {table.dump_name}",
                f"    ADD CONSTRAINT {table.name}_{fk.name}_fkey FOREIGN KEY ({fk.name}) "
                f"REFERENCES public.{fk.fk}(id) ON DELETE CASCADE;", ""]
    if any(c.name == "updated_at" for c in table.columns):
        out += [f"CREATE TRIGGER {table.name}_touch BEFORE UPDATE ON {table.dump_name} "
                "FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();", ""]
    return out


DUMP_HEADER = """--
-- PostgreSQL database dump
--

\\restrict Zq8XbVfJ2kLmA9sPz4rT1uWyE6hCdG8oNiKq3MxB5vRcY0j

-- Dumped from database version 16.4 (Debian 16.4-1.pgdg120+1)
-- Dumped by pg_dump version 16.4 (Debian 16.4-1.pgdg120+1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: svc
--

CREATE SCHEMA analytics;


ALTER SCHEMA analytics OWNER TO svc;

--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: public; Owner: svc
--

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


ALTER FUNCTION public.touch_updated_at() OWNER TO svc;

SET default_tablespace = '';

SET default_table_access_method = heap;

"""


def render_init_sql(rng: random.Random, plan: Plan) -> str:
    tables = sorted((t for t in plan.tables if t.in_init), key=lambda t: t.dump_name)
    present = {t.name for t in tables}
    out: list[str] = []
    for table in tables:
        out += dump_table(table)
    for table in tables:
        if rng.random() < 0.3:
            out += dump_data(rng, table)
    for table in tables:
        out += dump_constraints(table, present)
    footer = ["\\unrestrict Zq8XbVfJ2kLmA9sPz4rT1uWyE6hCdG8oNiKq3MxB5vRcY0j", "",
              "--", "-- PostgreSQL database dump complete", "--", ""]
    return DUMP_HEADER + "\n".join(out + footer)


def migration_statements(rng: random.Random, plan: Plan, created: list[TableSpec]) -> list[str]:
    """Hand-written fixes: tables, idempotent columns, indexes, data updates."""
    out: list[str] = []
    for table in created:
        cols = ["    id BIGSERIAL PRIMARY KEY"]
        cols += [f"    {c.name} {c.ctype.pg}" + (" NOT NULL" if not c.nullable else "")
                 for c in table.columns[1:]]
        out += [f"CREATE TABLE IF NOT EXISTS {table.sql_name} (", ",\n".join(cols), ");", ""]
    targets = [t for t in plan.tables if t.in_init]
    for _ in range(rng.randint(1, 3)):
        table = rng.choice(targets)
        column = rng.choice(table.data_columns)
        choice = rng.random()
        if choice < 0.35:
            out.append(f"ALTER TABLE {table.sql_name} ADD COLUMN IF NOT EXISTS {column.name} "
                       f"{column.ctype.pg};")
        elif choice < 0.7:
            out.append(f"CREATE INDEX IF NOT EXISTS idx_{table.name}_{column.name} "
                       f"ON {table.sql_name} ({column.name});")
        else:
            out.append(f"UPDATE {table.sql_name} SET {column.name} = {column.ctype.literal} "
                       f"WHERE {column.name} IS NULL;")
        out.append("")
    return out


def write_sql(out: Path, rng: random.Random, plan: Plan, count: int) -> int:
    write(out / "sql" / "00_init.sql", render_init_sql(rng, plan))
    owned = [t for t in plan.tables if t.sql_migration]
    for number in range(1, count + 1):
        created = [t for i, t in enumerate(owned) if i % count == number - 1]
        title = f"create {created[0].name}" if created else rng.choice(
            ("hotfix indexes", "backfill defaults", "reporting columns", "cleanup"))
        body = [f"-- Migration {number:03d}: {title}", "", "BEGIN;", ""]
        body += [*migration_statements(rng, plan, created), "COMMIT;", ""]
        write(out / "sql" / "migrations" / f"{number:03d}_{slug(title)}.sql", "\n".join(body))
    return count + 1


# ----------------------------------------------------------------------------- writing


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_packages(out: Path, modules: list[ModuleSpec]) -> None:
    """An __init__.py with a docstring in every package directory."""
    packages = {"svc", "svc/db"}
    for module in modules:
        parts = module.path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            packages.add("/".join(parts[:depth]))
    for package in sorted(packages):
        label = package.replace("/", ".")
        write(out / package / "__init__.py", f'"""The {label} package."""\n')


def write_project_files(out: Path, modules: int) -> None:
    write(out / "pyproject.toml", PYPROJECT)
    write(out / "README.md", f"# svc\n\nSynthetic service generated for benchmarking "
                             f"({modules} application modules).\n")


PYPROJECT = """[project]
name = "svc"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["alembic", "asyncpg", "psycopg", "pydantic>=2", "sqlalchemy>=2"]
"""

RENDERERS: dict[str, Callable[[Ctx], str]] = {
    "sql": render_sql_module, "orm": render_orm_module, "plain": render_plain_module,
    "model": render_model_module,
}


def generate(
    out: Path, modules: int, seed: int = 0, profile: Profile | None = None
) -> dict[str, int]:
    """Write the repository; return counts for the summary line."""
    profile = profile or Profile()
    rng = random.Random(seed)
    plan = make_plan(rng, modules, profile)
    write_packages(out, plan.modules)
    write_project_files(out, modules)
    write(out / "svc" / "db" / "base.py", BASE_MODULE)
    write(out / "svc" / "db" / "tables.py", render_tables_module(plan))
    write(out / "svc" / "db" / "queries.py", render_queries_module(plan))
    lines = 0
    for spec in plan.modules:
        ctx = Ctx(rng, plan, spec, PyModule(module_docstring(spec)))
        text = RENDERERS[spec.kind](ctx)
        lines += text.count("\n")
        write(out / spec.path, text)
    revisions = write_alembic(out, rng, plan, max(2, modules // 50))
    sql_files = write_sql(out, rng, plan, max(1, modules // 100))
    kinds = [m.kind for m in plan.modules]
    return {"modules": modules, "lines": lines, "tables": len(plan.tables),
            "revisions": revisions, "sql_files": sql_files,
            **{f"{k}_modules": kinds.count(k) for k in ("sql", "model", "orm", "plain")}}


def check_syntax(out: Path) -> int:
    """ast.parse every generated file: the generator must never emit invalid Python."""
    count = 0
    for path in sorted(out.rglob("*.py")):
        ast.parse(path.read_bytes(), filename=str(path))
        count += 1
    return count


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (must be empty or absent)")
    parser.add_argument("--modules", type=int, default=200, help="application modules")
    parser.add_argument("--seed", type=int, default=0)
    defaults = Profile()
    parser.add_argument("--raw-sql", type=float, default=defaults.raw_sql,
                        help="share of modules with raw SQL")
    parser.add_argument("--models", type=float, default=defaults.models,
                        help="share of SQLAlchemy model modules")
    parser.add_argument("--orm", type=float, default=defaults.orm,
                        help="share of modules using the models")
    parser.add_argument("--min-lines", type=int, default=defaults.min_lines)
    parser.add_argument("--max-lines", type=int, default=defaults.max_lines)
    parser.add_argument("--mean-lines", type=int, default=defaults.mean_lines)
    parser.add_argument("--tables", type=int, default=None,
                        help="table count (default 20 + modules/8, within 40..300)")
    parser.add_argument("--keyword-strings", type=float, default=defaults.keyword_strings,
                        help="share of database-free modules with SQL-verb-like strings")
    parser.add_argument("--check", action="store_true", help="ast.parse every file afterwards")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} is not empty", file=sys.stderr)
        return 2
    if args.modules < 1 or args.raw_sql + args.models + args.orm > 1:
        print("error: need --modules >= 1 and shares summing to at most 1", file=sys.stderr)
        return 2
    profile = Profile(args.raw_sql, args.models, args.orm, args.min_lines, args.max_lines,
                      args.mean_lines, args.tables, args.keyword_strings)
    stats = generate(args.out, args.modules, args.seed, profile)
    summary = ", ".join(f"{key} {value}" for key, value in stats.items())
    print(f"wrote {args.out}: {summary}")
    if args.check:
        print(f"ast.parse ok: {check_syntax(args.out)} Python files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
