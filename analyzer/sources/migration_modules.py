"""Home-made migration modules: ordered Python functions that run SQL, replayed in order.

Many projects keep their migrations as functions (`m001_initial(db)`, `m002_add_wallets(db)`,
`migration_0003`, `upgrade_to_12`) in a module named `migrations.py` or inside a `migrations`
package, each running raw SQL, and a runner that calls them by number. Such a module is one
ordered source of kind `migration-module`: its functions run in the order of their number
(`m010` after `m009`, whatever the file order), each function's statements in line order. A
package of numbered modules (`migrations/0001_init.py`, `migrations/0002_tags.py`), each
running SQL, is one ordered source too, module by module, and so are modules named as the
steps of a chain of upgrades (`migrator/migrate4to5.py`, `migrator/migrate5to6.py`: two or
more beside each other, anywhere), by the version each starts from; a module's reverse function
(`rollback`, `down`: `REVERSE_STEPS`) is no step of it. A peewee_migrate module's `migrator`
operations (`add_fields`, `remove_fields`, `create_model`...) are steps too, in line order with
its `migrator.sql(...)` (`analyzer.sources.peewee_migrate`).

Their SQL is the migration's, not the application's: it is neither runtime DDL nor a use.

Detected without configuration: a module named `migrations.py` or inside a folder named
`migrations`, that is neither a Django migration (`class Migration`) nor an Alembic revision,
whose top-level functions carry a number matching `DEFAULT_FUNCTION_PATTERN` and run SQL.
`[tool.tabletrace] migration-modules` (globs) declares other modules and
`migration-function-pattern` another naming (a regular expression whose first group is the
number).

Steps registered with mautrix's `UpgradeTable` (`@upgrade_table.register(...)`, in maubot and
the mautrix bridges) are found by that decorator wherever they are: one ordered source per
registry (`_registered_steps`).

An upgrade written as version checks in one function (`if version < 1: ...`, `if version <
2: ...`, each block running DDL: `_gated_upgrades`) is one ordered source too: its blocks are
the steps, in the order of their version. When its first step changes a table that only the
`.sql` files beside the module create (a baseline the function upgrades: `schema.sql` run on
a fresh database, then the checks), those files are its first steps
(`continue_from_baselines`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from analyzer.facts import CallFact, FileProblem, PythonFacts, VersionGate
from analyzer.orm.mapping import Mapper
from analyzer.python import expr as ir
from analyzer.resolve.code_sql import PythonSql, ResolvedRef
from analyzer.resolve.evaluate import Evaluator, Frame
from analyzer.resolve.index import absolute_module
from analyzer.resolve.values import ClassV, FunctionV
from analyzer.sources.migration_places import is_declared, migrations_place
from analyzer.sources.model import (
    NUMBERED_FILE,
    SchemaOp,
    SourceHistory,
    created_tables,
    is_schema_change,
    schema_op,
)
from analyzer.sources.peewee_migrate import peewee_operations
from analyzer.sql.names import TableKey

#: Functions of a numbered migration module that undo it (peewee_migrate's `rollback`, the
#: `down` of a home-made `up`/`down` pair): run only when a migration is reverted, never on the
#: way to the schema. Their SQL is still the migration's, not the application's.
REVERSE_STEPS = frozenset(
    {"rollback", "downgrade", "down", "backward", "backwards", "revert", "undo", "unapply"}
)

#: A step module of a migrations package named with a letter before its number, since a
#: module name cannot start with a digit (`m0001_v1_to_v2.py`, `migration_0002_tags.py`).
_PREFIXED_STEP_FILE = re.compile(r"^(?:m|migration|migrate|step)_?(\d+)_")
# m001_initial, m1, migration_0003, migrate_12, upgrade_to_12, upgrade_12, v3_add, step_2
DEFAULT_FUNCTION_PATTERN = r"^(?:m|migration|migrate|upgrade_to|upgrade|v|step)_?(\d+)(?:_|$)"


@dataclass(slots=True)
class MigrationModules:
    histories: list[SourceHistory] = field(default_factory=list)
    # (path, top-level function) whose SQL is migration SQL; None: the whole module
    steps: set[tuple[str, str | None]] = field(default_factory=set)
    # path -> the (first, last) lines of the version-checked blocks of its upgrades
    gated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # the ids of the home-made upgrades: version checks, numbered methods run by computed
    # name (`continue_from_baselines`)
    upgrades: set[str] = field(default_factory=set)
    # (path, method) of numbered methods a class runs by computed name (`_dispatched_steps`)
    methods: set[tuple[str, str]] = field(default_factory=set)
    # (path, problem): peewee_migrate operations left out of the replay
    problems: list[tuple[str, FileProblem]] = field(default_factory=list)

    def owns(self, path: str, function: str | None, line: int | None = None) -> bool:
        """Whether SQL at `line` of `function` of `path` belongs to a migration step."""
        if (path, None) in self.steps:
            return True
        if line is not None and any(
            first <= line <= last for first, last in self.gated.get(path, ())
        ):
            return True
        if function is not None and any(
            (path, function) == (p, m) or function.startswith(m + ".")
            for p, m in self.methods if p == path
        ):
            return True
        top = function.split(".", 1)[0] if function else None
        return top is not None and (path, top) in self.steps


def migration_modules(
    modules: Iterable[PythonFacts],
    resolved: Mapping[str, PythonSql],
    *,
    configured: Iterable[str] = (),
    function_pattern: str | None = None,
    mapper: Mapper | None = None,
) -> MigrationModules:
    """Find the migration modules and build one ordered history per module (or folder)."""
    pattern = re.compile(function_pattern or DEFAULT_FUNCTION_PATTERN)
    globs = list(configured)
    result = MigrationModules()
    modules = sorted(modules, key=lambda f: f.path)
    registered = _registered_steps(modules, resolved, result)
    registered |= _decorator_registries(modules, resolved, result)
    if mapper is not None:
        _subclass_chains(modules, resolved, result, mapper.expander.evaluator)
    numbered_modules: dict[str, list[tuple[int, PythonFacts]]] = {}
    # modules named as one step of a chain (`migrate5to6.py`), by folder and stem
    chains: dict[tuple[str, str], list[tuple[int, PythonFacts]]] = {}
    for facts in modules:
        if facts.path in registered:
            continue
        refs = resolved[facts.path].refs if facts.path in resolved else []
        if facts.version_gates and _gated_upgrades(facts, refs, result):
            continue
        if facts.try_blocks and _probed_upgrades(facts, refs, result):
            continue
        if _dispatched_steps(facts, refs, result):
            continue
        declared = is_declared(facts.path, globs)
        if not declared and not _looks_like_migrations(facts):
            step = _version_step(facts)
            if step is not None and refs:
                chains.setdefault(step[:2], []).append((step[2], facts))
            continue
        steps = _numbered_functions(facts, pattern, refs)
        if steps:
            history = SourceHistory(
                id=f"migration-module:{facts.path}", kind="migration-module", path=facts.path,
                files=[facts.path], ordered=True,
            )
            for _number, function in steps:
                result.steps.add((facts.path, function))
                in_function = [r for r in refs if _top(r.function) == function]
                _add(history, facts.path, in_function, function)
            result.histories.append(history)
            continue
        name = PurePosixPath(facts.path).name
        number = NUMBERED_FILE.match(name)
        step = _version_step(facts) if number is None else None
        if number is None and step is None:
            number = _PREFIXED_STEP_FILE.match(name)  # `m0001_v1_to_v2.py`
        if (number or step) and (refs or (mapper is not None and facts.orm.migrator_ops)):
            folder = str(PurePosixPath(facts.path).parent)
            order = int(number[1]) if number else step[2]  # type: ignore[index]
            numbered_modules.setdefault(folder, []).append((order, facts))
    chained: set[str] = set()
    for (folder, _stem), members in sorted(chains.items()):
        if len(members) > 1:  # a chain: one module alone may be named so by chance
            numbered_modules.setdefault(folder, []).extend(members)
            chained.add(folder)
    for folder, members in sorted(numbered_modules.items()):
        members.sort(key=lambda item: (item[0], item[1].path))
        history = SourceHistory(
            id=f"migration-module:{folder}", kind="migration-module", path=folder,
            files=[facts.path for _, facts in members], ordered=True, upgrades=folder in chained,
        )
        added: dict[TableKey, dict[str, str]] = {}  # peewee_migrate's fields added so far
        for _number, facts in members:
            result.steps.add((facts.path, None))
            forward = [r for r in resolved[facts.path].refs if not _reverse(r.function)]
            first = len(history.operations)
            _add(history, facts.path, forward, None)
            if mapper is not None and facts.orm.migrator_ops:
                peewee = peewee_operations(
                    facts, history.id, history.kind, mapper, REVERSE_STEPS, added
                )
                history.operations.extend(peewee.operations)
                result.problems.extend((facts.path, problem) for problem in peewee.problems)
                # the module's SQL and its migrator's operations, in line order
                history.operations[first:] = sorted(
                    history.operations[first:], key=lambda op: op.line
                )
        result.histories.append(history)
    return result


#: Where mautrix's `UpgradeTable` is imported from: `upgrade_table = UpgradeTable()`, then
#: `@upgrade_table.register(description="...")` on each `async def upgrade_v1(conn)`.
_UPGRADE_TABLE_MODULES = ("mautrix.util.async_db",)


def _registered_steps(
    modules: list[PythonFacts], resolved: Mapping[str, PythonSql], result: MigrationModules
) -> set[str]:
    """Migration steps registered with a registry of upgrades (mautrix's `UpgradeTable`, which
    maubot, its plugins and the mautrix bridges use): `@upgrade_table.register(...)` on a
    function of a module that imports from `mautrix.util.async_db`. The registry runs them
    in the order they register: module by module, as the package imports them (`v01_...`,
    `v02_...`), each module's top to bottom. One ordered source per registry (the module or
    package binding it). A step's SQL may sit in a helper it calls (`create_v1_tables`):
    every top-level function of a step module that no other module imports is the
    migration's. The paths of the step modules are returned."""
    imported_names = {binding.name for facts in modules for binding in facts.imports}
    by_registry: dict[str, list[tuple[PythonFacts, list[str], set[str]]]] = {}
    for facts in modules:
        if not any(
            binding.module.startswith(_UPGRADE_TABLE_MODULES) for binding in facts.imports
        ):
            continue
        steps = [
            (function.line, name)
            for name, function in facts.functions.items()
            if "." not in name and any(
                decorator.endswith(".register") and "." not in decorator[: -len(".register")]
                for decorator in function.decorators
            )
        ]
        if not steps:
            continue
        registry = _registry_home(facts, steps, modules)
        helpers = [
            name for name in facts.functions
            if "." not in name and name not in imported_names
        ]
        by_registry.setdefault(registry, []).append((facts, helpers, {n for _, n in steps}))
    for registry, members in sorted(by_registry.items()):
        history = SourceHistory(
            id=f"migration-module:{registry}", kind="migration-module", path=registry,
            files=[facts.path for facts, _, _ in members], ordered=True,
        )
        for facts, helpers, registered in members:
            refs = resolved[facts.path].refs if facts.path in resolved else []
            for function in helpers:
                result.steps.add((facts.path, function))
            for function in sorted(helpers, key=lambda name: facts.functions[name].line):
                before = len(history.operations)
                _add(history, facts.path, [r for r in refs if _top(r.function) == function],
                     function)
                if function not in registered:
                    # whether, and when, a step calls the helper (`if legacy: migrate_legacy()
                    # else: create_tables()`) is not read: its statements may not run
                    history.operations[before:] = [
                        replace(op, conditional=True) for op in history.operations[before:]
                    ]
        history.operations.sort(key=lambda op: (op.path, op.line))
        result.histories.append(history)
    return {facts.path for members in by_registry.values() for facts, _, _ in members}


#: Where a registry of migrations used as a decorator comes from: sqlite-utils' (and
#: sqlite-migrate's) `Migrations("app")`, then `@migrations(name="0001_initial")`.
_MIGRATIONS_REGISTRIES = frozenset({
    "sqlite_utils.Migrations", "sqlite_utils.migrations.Migrations",
    "sqlite_migrate.Migrations",
})


def _decorator_registries(
    modules: list[PythonFacts], resolved: Mapping[str, PythonSql], result: MigrationModules
) -> set[str]:
    """`migrations = Migrations("app")` (sqlite-utils, sqlite-migrate), then each step a
    function decorated `@migrations(name="0001_initial")`: one ordered source per registry,
    the steps in the order they are defined (the registry runs them so, each once), their
    SQL the migration's (a constant of the module included, `db.executescript(SCHEMA)`).
    The paths of the modules holding such steps are returned."""
    found: set[str] = set()
    for facts in modules:
        registries = {
            name for name, fact in facts.names.items()
            if fact.kind == "value" and isinstance(fact.value, ir.Call)
            and _names_registry(facts, fact.value.func)
        }
        if not registries:
            continue
        for registry in sorted(registries):
            steps = sorted(
                (function.line, name) for name, function in facts.functions.items()
                if "." not in name and registry in function.decorators
            )
            if not steps:
                continue
            refs = resolved[facts.path].refs if facts.path in resolved else []
            history = SourceHistory(
                id=f"migration-module:{facts.path}:{registry}", kind="migration-module",
                path=facts.path, files=[facts.path], ordered=True,
            )
            for _line, name in steps:
                result.steps.add((facts.path, name))
                _add(history, facts.path, [r for r in refs if _top(r.function) == name], name)
            # the module-level constant a step runs (`INTERNAL_DB_SCHEMA_SQL`), written
            # apart from it: its statements on the tables the steps create are theirs too
            created = {op.table for op in history.operations if op.operation == "create"}
            result.gated.setdefault(facts.path, []).extend(
                (r.line, r.line) for r in refs
                if r.function is None and TableKey(r.ref.schema, r.ref.name) in created
            )
            result.histories.append(history)
            found.add(facts.path)
    return found


def _names_registry(facts: PythonFacts, func: ir.Expr) -> bool:
    """Whether a called name is imported from one of `_MIGRATIONS_REGISTRIES`."""
    if not isinstance(func, ir.Global | ir.Imported):
        return False
    return any(
        binding.local == func.name and binding.name is not None
        and f"{binding.module}.{binding.name}" in _MIGRATIONS_REGISTRIES
        for binding in facts.imports
    )


def _registry_home(
    facts: PythonFacts, steps: list[tuple[int, str]], modules: list[PythonFacts]
) -> str:
    """Where the registry the steps register with is bound: this module, or the module or
    package it is imported from (`from . import upgrade_table`), as a path."""
    decorator = next(
        d for _, name in steps for d in facts.functions[name].decorators if d.endswith(".register")
    )
    registry = decorator[: -len(".register")]
    binding = next((b for b in facts.imports if b.local == registry), None)
    if binding is None:
        return facts.path
    target = absolute_module(facts, binding)
    # a package is named by its folder, whether or not its `__init__.py` was read
    path = {f.module: f.path for f in modules}.get(target, target.replace(".", "/"))
    return path.removesuffix("/__init__.py")


def _dispatched_steps(
    facts: PythonFacts, refs: list[ResolvedRef], result: MigrationModules
) -> bool:
    """Numbered methods a class runs by computed name: `getattr(self, "upgrade_%03d" % n)`
    (or an f-string) called in the class, and methods `upgrade_011`, `upgrade_012`... of it
    running SQL, two or more changing the schema. One ordered source per class: the methods
    by number, each one's statements in line order; their SQL is the migration's. Whether any
    was found is returned."""
    found = False
    for cls, prefix in sorted(_getattr_prefixes(facts)):
        numbered = []
        for qualname in facts.functions:
            owner, _, name = qualname.rpartition(".")
            rest = name[len(prefix):] if name.startswith(prefix) else ""
            if owner == cls and rest.isdigit():
                numbered.append((int(rest), qualname))
        numbered.sort()
        changing = [
            q for _, q in numbered
            if any(is_schema_change(r.ref) for r in refs if r.function == q)
        ]
        if len(changing) < GATED_STEPS:
            continue
        found = True
        result.methods.update((facts.path, qualname) for _, qualname in numbered)
        _upgrade_history(facts.path, cls, [
            (qualname, [
                r for r in refs
                if r.function == qualname or (r.function or "").startswith(qualname + ".")
            ])
            for _, qualname in numbered
        ], result)
    return found


def _subclass_chains(
    modules: list[PythonFacts], resolved: Mapping[str, PythonSql], result: MigrationModules,
    evaluator: Evaluator,
) -> None:
    """Upgrade steps written as a chain of subclasses, run by a function that makes each
    class given to it, runs it, and recurses into `cls.__subclasses__()` (the SickBeard
    family's `_processUpgrade(connection, upgradeClass)`: `class AddYear(Initial)`, `class
    AddIndex(AddYear)`...). Each class the code hands to such a runner (or to a function
    passing its parameter on to one: `upgradeDatabase(con, main_db.InitialSchema)`) roots
    one ordered source: the root, then each subclass before its own subclasses, in
    definition order. Each step's methods are the migration's (`MigrationModules.methods`);
    each statement is `conditional`, since the runner runs a step only when its `test()`
    says the database lacks it (the first step builds the latest schema on an empty
    database, the later ones upgrade an older one)."""
    runners = {key: index for facts in modules for key, index in _subclass_runners(facts)}
    if not runners:
        return
    for facts in modules:  # one level of functions passing their parameter on to a runner
        for call in facts.calls:
            for value in _runner_values(evaluator, facts, call, runners):
                argument = _class_argument(facts, call, value, runners)
                if isinstance(argument, ir.Param) and call.function is not None and (
                    (index := _param_index(facts, call.function, argument.name)) is not None
                ):
                    runners[(facts.module, call.function)] = index
    roots: list[ClassV] = []
    # each root's database: the other arguments of the runner's call, as written (the
    # connection: `upgrade_database(cache_db_con, cache_db.InitialSchema)`)
    databases: dict[ClassV, set[str]] = {}
    for facts in modules:
        for call in facts.calls:
            for value in _runner_values(evaluator, facts, call, runners):
                argument = _class_argument(facts, call, value, runners)
                if argument is None or isinstance(argument, ir.Param):
                    continue
                connection = ", ".join(
                    ir.render(other) for other in call.args if other is not argument
                )
                for found in evaluator.evaluate(argument, Frame(facts)):
                    if isinstance(found, ClassV):
                        if found not in roots:
                            roots.append(found)
                        databases.setdefault(found, set()).add(connection)
    # several roots on connections made apart: each builds its own database (Medusa's
    # main.db, cache.db, failed.db), not rivals of one another's tables
    separate = len({frozenset(found) for found in databases.values()}) > 1 and all(
        len(found) == 1 for found in databases.values()
    )
    by_module = {facts.module: facts for facts in modules}
    for root in sorted(roots, key=lambda c: (c.module, c.qualname)):
        order = [cls for cls in _depth_first(root, evaluator) if cls.module in by_module]
        steps: list[tuple[ClassV, list[ResolvedRef]]] = []
        for cls in order:
            path = by_module[cls.module].path
            refs = resolved[path].refs if path in resolved else []
            steps.append((cls, [
                r for r in refs if (r.function or "").startswith(cls.qualname + ".")
            ]))
        if root.module not in by_module or not any(
            is_schema_change(r.ref) for _, refs in steps for r in refs
        ):
            continue
        result.methods.update((by_module[cls.module].path, cls.qualname) for cls in order)
        history = SourceHistory(
            id=f"migration-module:{by_module[root.module].path}:{root.qualname}",
            kind="migration-module", path=by_module[root.module].path,
            files=sorted({by_module[cls.module].path for cls in order}), ordered=True,
            database=next(iter(databases[root])) if separate else None,
        )
        for cls, refs in steps:
            first = len(history.operations)
            _add(history, by_module[cls.module].path, refs, cls.qualname)
            history.operations[first:] = [
                replace(op, conditional=True) for op in history.operations[first:]
            ]
        result.histories.append(history)


def _subclass_runners(facts: PythonFacts) -> list[tuple[tuple[str, str], int]]:
    """The module's functions that loop over `cls.__subclasses__()` of their parameter
    `cls` and make an instance of it (`instance = upgradeClass(connection)`), each with the
    index of that parameter."""
    found: list[tuple[tuple[str, str], int]] = []
    for loop in facts.loops:
        iterable = loop.iterable
        if not (
            isinstance(iterable, ir.Call) and isinstance(iterable.func, ir.Attr)
            and iterable.func.attr == "__subclasses__"
            and isinstance(iterable.func.value, ir.Param)
        ):
            continue
        param = iterable.func.value
        index = _param_index(facts, param.function, param.name)
        if index is not None and any(call.func == param for call in facts.calls):
            found.append(((facts.module, param.function), index))
    return found


def _param_index(facts: PythonFacts, function: str, name: str) -> int | None:
    """Where the parameter `name` of the module's function `function` stands, if it has one."""
    fact = facts.functions.get(function)
    names = [param.name for param in fact.params] if fact is not None else []
    return names.index(name) if name in names else None


def _runner_values(
    evaluator: Evaluator, facts: PythonFacts, call: CallFact,
    runners: Mapping[tuple[str, str], int],
) -> list[FunctionV]:
    """The runners (`_subclass_runners`) a call may be a call of."""
    names = {qualname.rsplit(".", 1)[-1] for _, qualname in runners}
    if ir.called_name(call.func) not in names:
        return []
    return [
        value for value in evaluator.evaluate(call.func, Frame(facts))
        if isinstance(value, FunctionV) and (value.module, value.qualname) in runners
    ]


def _class_argument(
    facts: PythonFacts, call: CallFact, value: FunctionV,
    runners: Mapping[tuple[str, str], int],
) -> ir.Expr | None:
    """The argument a call of a runner passes for its class parameter."""
    index = runners[(value.module, value.qualname)]
    return call.args[index] if index < len(call.args) else None


def _depth_first(root: ClassV, evaluator: Evaluator) -> list[ClassV]:
    """`root`, then each direct subclass in definition order, each before its own."""
    everyone = [root, *evaluator.subclasses(root)]
    children: dict[ClassV, list[ClassV]] = {}
    for cls in everyone[1:]:
        for base in evaluator.bases(cls):
            if isinstance(base, ClassV) and base in everyone:
                children.setdefault(base, []).append(cls)
    order: list[ClassV] = []
    stack = [root]
    while stack:
        current = stack.pop()
        if current in order:
            continue
        order.append(current)
        stack.extend(reversed(children.get(current, [])))
    return order


def _upgrade_history(
    path: str, name: str, steps: list[tuple[str, list[ResolvedRef]]], result: MigrationModules,
    *, guards: bool = False,
) -> None:
    """One ordered source for a home-made upgrade of `path` (a function of version checks or
    of probes, a class of numbered methods): each (label, statements) a step, in the order
    given. `guards` as `_add` takes it: a probe's handler is conditional, a version check's
    block is not."""
    history = SourceHistory(
        id=f"migration-module:{path}:{name}", kind="migration-module", path=path,
        files=[path], ordered=True,
    )
    for label, refs in steps:
        _add(history, path, refs, label, guards=guards)
    result.histories.append(history)
    result.upgrades.add(history.id)


def _getattr_prefixes(facts: PythonFacts) -> set[tuple[str, str]]:
    """(class, literal prefix) of each `getattr(self, "<prefix>%d" % n)` or
    `getattr(self, f"<prefix>{n}")` call in a class's methods."""
    out: set[tuple[str, str]] = set()
    for call in facts.calls:
        # a call of what getattr returned (`step = getattr(...)`, then `step(conn)`: the local
        # is read as its value)
        for node in (call.func, *call.args):
            if not (
                isinstance(node, ir.Call) and isinstance(node.func, ir.Global)
                and node.func.name == "getattr" and len(node.args) >= 2
                and isinstance(node.args[0], ir.Self)
            ):
                continue
            name = node.args[1]
            prefix = (
                name.left.value.split("%", 1)[0]
                if isinstance(name, ir.BinOp) and name.op == "%" and isinstance(name.left, ir.Str)
                else name.parts[0].value
                if isinstance(name, ir.FString) and name.parts and isinstance(name.parts[0], ir.Str)
                else ""
            )
            if prefix:
                out.add((node.args[0].cls, prefix))
    return out


#: An upgrade written as version checks has at least this many blocks running DDL (one
#: `if n < 2:` around a CREATE is a condition, not a migration runner).
GATED_STEPS = 2


def _gated_upgrades(
    facts: PythonFacts, refs: list[ResolvedRef], result: MigrationModules
) -> bool:
    """The upgrades of `facts` written as version checks: in one function, `GATED_STEPS` or
    more `if <subject> < N:` blocks on the same subject, for different versions, whose
    statements change the schema. One ordered source per function: each block a step, by
    version (then line), its statements in line order. A statement inside nested checks of
    the subject belongs to the innermost. Whether any was found is returned."""
    groups: dict[tuple[str, str], list[VersionGate]] = {}
    for gate in facts.version_gates:
        groups.setdefault((gate.function, gate.subject), []).append(gate)
    found = False
    for (function, subject), gates in sorted(groups.items()):
        blocks: dict[VersionGate, list[ResolvedRef]] = {gate: [] for gate in gates}
        for resolved in refs:
            if resolved.function != function:
                continue
            around = [g for g in gates if g.line <= resolved.line <= g.end_line]
            if around:
                blocks[min(around, key=lambda g: (g.end_line - g.line, g.line))].append(
                    resolved
                )
        changing = {
            gate.version for gate, inside in blocks.items()
            if any(is_schema_change(r.ref) for r in inside)
        }
        if len(changing) < GATED_STEPS:
            continue
        found = True
        ordered = sorted(gates, key=lambda g: (g.version, g.line))
        result.gated.setdefault(facts.path, []).extend((g.line, g.end_line) for g in ordered)
        _upgrade_history(facts.path, function, [
            (f"{function}: {subject} < {gate.version}", blocks[gate]) for gate in ordered
        ], result)
    return found


def _probed_upgrades(
    facts: PythonFacts, refs: list[ResolvedRef], result: MigrationModules
) -> bool:
    """The upgrades of `facts` written as probes: in one function, `GATED_STEPS` or more
    `try:` blocks whose body only reads a table (`SELECT email FROM users`) and one of whose
    handlers changes the schema (`except OperationalError: ALTER TABLE users ADD COLUMN
    email`), beside the `CREATE TABLE IF NOT EXISTS` statements they upgrade (Tautulli's
    `dbcheck()`, run at every start). One ordered source per function: its statements in
    line order, a step for each probe's handlers (conditional: they run when the probe
    fails) and for the statements between them. Whether any was found is returned."""
    found = False
    by_function: dict[str, list[ResolvedRef]] = {}
    for resolved in refs:
        if resolved.function is not None:
            by_function.setdefault(resolved.function, []).append(resolved)
    for function in sorted({block.function for block in facts.try_blocks}):
        inside = sorted(by_function.get(function, ()), key=lambda r: r.line)
        probes = []
        for block in facts.try_blocks:
            if block.function != function:
                continue
            body = [r for r in inside if block.line <= r.line < block.handlers_line]
            handlers = [r for r in inside if block.handlers_line <= r.line <= block.end_line]
            if (
                body and all(r.ref.kind == "read" and not is_schema_change(r.ref) for r in body)
                and any(is_schema_change(r.ref) for r in handlers)
            ):
                probes.append(block)
        if len(probes) < GATED_STEPS:
            continue
        found = True
        steps: list[tuple[str, list[ResolvedRef]]] = []
        for resolved in inside:
            probe = next(
                (b for b in probes if b.line <= resolved.line <= b.end_line), None
            )
            if probe is not None and resolved.line < probe.handlers_line:
                continue  # the probe's own query: neither a use nor a step
            label = f"{function}: unless line {probe.line}'s probe" if probe else function
            if not steps or steps[-1][0] != label:
                steps.append((label, []))
            steps[-1][1].append(resolved)
        _upgrade_history(facts.path, function, steps, result, guards=True)
        result.methods.add((facts.path, function))
    return found


#: A module named as one step of a chain of upgrades, from one version to the next:
#: `migrate5to6.py`, `upgrade_3_to_4.py`, `v12_to_v13.py`
_VERSION_STEP_MODULE = re.compile(
    r"^(?P<stem>[A-Za-z_]*?)_?v?(?P<start>\d+)(?:_?to_?v?|_v)(?P<end>\d+)\.py$"
)


def _version_step(facts: PythonFacts) -> tuple[str, str, int] | None:
    """(folder, stem, the version it starts from) of a module named as a step of a chain of
    upgrades (`migrator/migrate5to6.py`, each running its SQL from a `do_migration(conn)` a
    runner calls in version order), neither an Alembic revision nor a Django migration;
    else None."""
    path = PurePosixPath(facts.path)
    match = _VERSION_STEP_MODULE.match(path.name)
    if (
        match is None or int(match["end"]) <= int(match["start"])
        or facts.alembic_revision is not None or "Migration" in facts.classes
    ):
        return None
    return str(path.parent), match["stem"], int(match["start"])


def _looks_like_migrations(facts: PythonFacts) -> bool:
    if not migrations_place(facts.path) or facts.alembic_revision is not None:
        return False
    # a Django migration is read by its own reader (a `Migration` class of a `migrations`
    # folder); another framework's `class Migration` (snuba's, in `snuba_migrations/`) is not
    return "Migration" not in facts.classes or not (
        facts.django is not None and facts.django.migration is not None
    )


def _reverse(function: str | None) -> bool:
    """Whether the SQL of `function` undoes a step: a module's reverse function
    (`rollback`, `down`), or one named for it and what it undoes (`downgrade_local`), also
    as a method of the module's migration class (`Migration.backwards_ops`,
    `Migration._backwards_local`)."""
    return bool(function) and any(
        part.lstrip("_").split("_", 1)[0] in REVERSE_STEPS
        for part in function.split(".")  # type: ignore[union-attr]
    )


def _top(function: str | None) -> str | None:
    return function.split(".", 1)[0] if function else None


def _numbered_functions(
    facts: PythonFacts, pattern: re.Pattern[str], refs: list[ResolvedRef]
) -> list[tuple[int, str]]:
    """Top-level functions whose name carries a number and that run SQL, by number."""
    with_sql = {_top(ref.function) for ref in refs}
    numbered = []
    for name in facts.functions:
        if "." in name or name not in with_sql:
            continue
        match = pattern.match(name)
        if match and match.groups() and match.group(1) and match.group(1).isdigit():
            numbered.append((int(match.group(1)), name))
    return sorted(numbered)


def _add(
    history: SourceHistory, path: str, refs: list[ResolvedRef], function: str | None,
    guards: bool = True,
) -> None:
    """The step's schema changes, and its writes as `data` (replay ignores them; `history`
    and `migration-order` show them), in line order. `guards`: a statement under an `if`
    (`try`, `while`) of the step is `conditional` (`if 'tmp' in tables: ALTER TABLE tmp
    RENAME TO t` may not run); not for an upgrade whose steps are such blocks (a version
    check's)."""
    for resolved in sorted(refs, key=lambda r: r.line):
        ref = resolved.ref
        if ref.kind == "write":
            op = SchemaOp(
                source=history.id, source_kind=history.kind, path=path, line=resolved.line,
                operation="data", table=TableKey(ref.schema, ref.name), snippet=resolved.snippet,
            )
        elif is_schema_change(ref):
            op = schema_op(history, path, resolved.line, ref, resolved.snippet)
        else:
            continue
        history.operations.append(replace(
            op, revision=function, conditional=op.conditional or (guards and resolved.guarded)
        ))


def application_sql(
    modules: Iterable[PythonFacts], resolved: Mapping[str, PythonSql], steps: MigrationModules
) -> dict[str, PythonSql]:
    """Each module's SQL without the migration steps' (neither uses nor runtime DDL)."""
    owned_paths = (
        {path for path, _ in steps.steps} | set(steps.gated) | {path for path, _ in steps.methods}
    )
    result: dict[str, PythonSql] = {}
    for facts in modules:
        sql = resolved[facts.path]
        if facts.path not in owned_paths:
            result[facts.path] = sql
            continue
        starts = sorted(
            (function.line, name) for name, function in facts.functions.items() if "." not in name
        )
        result[facts.path] = PythonSql(
            refs=[r for r in sql.refs if not steps.owns(facts.path, r.function, r.line)],
            dynamic=[
                d for d in sql.dynamic
                if not steps.owns(facts.path, _function_at(starts, d.line), d.line)
            ],
            unparsed=sql.unparsed,
            sql_strings=sql.sql_strings,
            statements=sql.statements,
            attached=sql.attached,
            calls=[c for c in sql.calls if not steps.owns(facts.path, c.function, c.line)],
        )
    return result


def _function_at(starts: list[tuple[int, str]], line: int) -> str | None:
    """The top-level function a line falls in (the last one starting before it)."""
    index = bisect.bisect_right([start for start, _ in starts], line) - 1
    return starts[index][1] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a home-made upgrade (version checks, numbered methods) continues from: its `first`
    step changes a table no earlier step of it creates, which `.sql` files beside it
    (`files`) or the module's own code outside the upgrade (`runtime`: `files` is the module)
    create; or, `alternative`, the script that builds the same schema fresh."""

    upgrade: SourceHistory
    files: tuple[str, ...]
    first: SchemaOp
    runtime: bool = False
    # the files build the latest schema fresh, the upgrade an older database to it: two ways
    # to one schema (`variant_of`), the upgrade starting from the tables it needs
    alternative: bool = False


def continue_from_baselines(
    steps: MigrationModules, sql_histories: list[SourceHistory],
    runtime_histories: list[SourceHistory],
) -> list[Baseline]:
    """Make what a home-made upgrade (version checks, numbered methods) continues from its
    first steps.

    The common shapes: a runner builds a fresh database from the `.sql` files beside it (an
    old snapshot: `if version == 0: run every .sql file here`), or with a `CREATE TABLE` of
    its own module (`if new_file: self.create_history_db()`), then upgrades it block by
    block (`if version < 1: ALTER TABLE t ...`). Read apart, the two were two owners of `t`
    with different columns, or runtime DDL, and the upgrade's first step failed for want of
    `t`. The evidence: an operation of the upgrade on a table that no earlier step of it
    creates, and that a `.sql` file in the module's own folder (an unordered file, not one of
    several alternatives) or the module's own runtime DDL creates. Those files run first, in
    path order, and take their histories out of `sql_histories`; the module's operations on
    those tables move out of its runtime history (dropped from `runtime_histories` when
    nothing is left). Without either, the one script that builds the schema fresh, anywhere,
    is its alternative (`_fresh_script`)."""
    found: list[Baseline] = []
    for upgrade in [h for h in steps.histories if h.id in steps.upgrades]:
        folder = upgrade.path.rpartition("/")[0]
        beside = {
            op.table: history
            for history in sql_histories
            if not history.ordered and history.variant_of is None
            and all(path.rpartition("/")[0] == folder for path in history.files)
            for op in history.operations if op.operation == "create"
        }
        own = next((h for h in runtime_histories if h.path == upgrade.path), None)
        own_creates = created_tables(own) if own else set()
        created: set[TableKey] = set()
        needed: list[SourceHistory] = []
        from_own: set[TableKey] = set()
        first: SchemaOp | None = None
        elsewhere: list[SchemaOp] = []  # needed, created by neither
        for op in upgrade.operations:
            if op.operation == "create":
                created.add(op.table)
            elif op.table not in created and op.table in own_creates:
                from_own.add(op.table)
                first = first or op
            elif op.table not in created and op.table in beside:
                if not any(beside[op.table] is h for h in needed):
                    needed.append(beside[op.table])
                first = first or op
            elif op.table not in created and op.operation != "data":
                elsewhere.append(op)
        if first is None:
            paired = _fresh_script(upgrade, elsewhere, sql_histories) if elsewhere else None
            if paired is not None:
                found.append(paired)
            continue
        needed.sort(key=lambda h: h.path)
        moved = [op for h in needed for op in h.operations]
        if own is not None and from_own:
            moved += [op for op in own.operations if op.table in from_own]
            own.operations = [op for op in own.operations if op.table not in from_own]
            if not own.operations:
                runtime_histories[:] = [h for h in runtime_histories if h is not own]
        upgrade.operations = [
            replace(op, source=upgrade.id, source_kind=upgrade.kind) for op in moved
        ] + upgrade.operations
        upgrade.files = [path for h in needed for path in h.files] + upgrade.files
        sql_histories[:] = [h for h in sql_histories if not any(h is n for n in needed)]
        files = tuple(p for h in needed for p in h.files)
        found.append(Baseline(upgrade, files or (upgrade.path,), first, runtime=not files))
    return found


def _fresh_script(
    upgrade: SourceHistory, needed: list[SchemaOp], sql_histories: list[SourceHistory]
) -> Baseline | None:
    """The one `.sql` file that builds, fresh, the schema an upgrade brings an older database
    to (openlibrary's `infobase_schema.sql` and `scripts/migrate_db.py`'s `upgrade_011`...):
    it creates every table the upgrade changes without creating it, and a table the upgrade
    creates too. The two become alternatives of one schema (no rival owners), and the
    upgrade starts from those tables as the script creates them (no step fails for want of
    one). None when no script, or several, fit."""
    tables = {op.table for op in needed}
    made = created_tables(upgrade)
    fits = [
        history for history in sql_histories
        if not history.ordered and history.variant_of is None
        and tables <= (creates := created_tables(history)) and made & creates
    ]
    if len(fits) != 1:
        return None
    script = fits[0]
    prior = [
        replace(op, source=upgrade.id, source_kind=upgrade.kind)
        for op in script.operations if op.operation == "create" and op.table in tables
    ]
    upgrade.operations = prior + upgrade.operations
    script.variant_of = upgrade.variant_of = upgrade.id
    return Baseline(upgrade, tuple(script.files), needed[0], alternative=True)
