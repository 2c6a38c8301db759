"""One Python file -> its facts: parsed once, walked once, read by every Python reader.

`read_python` parses the file (`analyzer.python.parse`), walks it once building the scope
model with the code-SQL and summary readers riding along (`analyzer.python.scopes`), then
translates what they kept into plain facts: SQL string candidates, helper call sites, module
constants, imports, what the module defines (names, functions, classes, loops) for the
evaluator of other modules, SQLAlchemy declarations and uses, and, for a revision file, the
Alembic revision. Pure and total: it never imports or runs the file and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.facts import (
    AlembicRevision,
    ConstantBinding,
    FileProblem,
    ImportBinding,
    Literal,
    Narrowing,
    PythonFacts,
)
from analyzer.python.gates import GateReader
from analyzer.python.parse import ParsedModule, describe_exception, parse_module
from analyzer.python.scopes import ScopeModel, walk_module
from analyzer.python.summary import ReturnsReader, summarize
from analyzer.python.templates import TemplateBuilder
from analyzer.python.translate import Translator
from analyzer.readers.alembic import read_revision, read_steps, uses_alembic
from analyzer.readers.code_sql import CodeSqlReader
from analyzer.readers.django import DjangoReader
from analyzer.readers.sqlalchemy import read_sqlalchemy


@dataclass(slots=True)
class PythonFile:
    """Everything read from one Python file."""

    facts: PythonFacts
    revision: AlembicRevision | None = None


def _fail(path: str, module: str, code: str, line: int | None, what: str) -> PythonFacts:
    facts = PythonFacts(path=path, module=module)
    facts.problems.append(FileProblem(code, line, f"{what}; the file's SQL was not analysed"))
    return facts


def read_python(
    path: str, source: bytes, module: str, *, revision_candidate: bool = False
) -> PythonFile:
    """Read one Python file; a revision is read when the file looks like one (module-level
    `revision` and `down_revision`) or sits in an Alembic versions folder."""
    try:
        parsed = parse_module(path, module, source)
        if isinstance(parsed, FileProblem):
            facts = _fail(path, module, parsed.code, parsed.line, parsed.message)
            # A file in a versions folder that does not parse is a revision Alembic cannot load.
            revision = AlembicRevision(path=path, revision=None) if revision_candidate else None
            return PythonFile(facts, revision)
        return _read(parsed, revision_candidate)
    except RecursionError:
        return PythonFile(
            _fail(
                path, module, "python-recursion-limit", None,
                "expressions nested too deeply for the Python parser",
            )
        )
    except Exception as exc:  # never let one odd file abort a whole repository scan
        return PythonFile(
            _fail(
                path, module, "python-internal-error", None,
                f"extractor failed: {describe_exception(exc)}",
            )
        )


def _read(parsed: ParsedModule, revision_candidate: bool) -> PythonFile:
    code = CodeSqlReader(parsed)
    returns = ReturnsReader()
    django = DjangoReader(parsed)
    gates = GateReader(parsed)
    model = walk_module(parsed, (code, returns, django, gates))
    translator = Translator(parsed, model)
    builder = TemplateBuilder(parsed, translator, code.shapes)
    facts = PythonFacts(path=parsed.path, module=parsed.module)
    facts.candidates = code.candidates(translator)
    facts.calls = code.calls(translator)
    facts.file_databases = code.connects
    facts.names, facts.functions, facts.classes, facts.loops = summarize(
        model, translator, returns
    )
    facts.constants = _constants(model, builder)
    facts.imports = _imports(model)
    facts.version_gates = gates.gates
    facts.try_blocks = gates.tries
    facts.narrowings = [
        Narrowing(function, name, translator.expr(collection, scope), line, end_line)
        for function, name, collection, scope, line, end_line in gates.narrowed
    ]
    facts.alembic_revision = _revision_marker(model, builder)
    facts.orm = read_sqlalchemy(parsed, builder, model.module)
    facts.django = django.facts(model, translator, builder)
    is_revision = facts.alembic_revision is not None or revision_candidate
    if is_revision or uses_alembic(model):
        facts.migration_steps = read_steps(parsed, model, translator, builder)
    revision = read_revision(parsed, builder) if is_revision else None
    return PythonFile(facts, revision)


def _constants(model: ScopeModel, builder: TemplateBuilder) -> dict[str, ConstantBinding]:
    """Module-level names bound exactly once to a string expression."""
    constants: dict[str, ConstantBinding] = {}
    for name, sites in model.module.bindings.items():
        if len(sites) != 1:
            continue
        site = sites[0]
        if site.kind not in ("assign", "walrus") or site.value is None or site.path:
            continue
        if not builder.is_str(site.value):
            continue
        parts = builder.build(site.value, model.module, site.loops)
        if parts is None:
            continue
        constants[name] = ConstantBinding(
            name, builder.splice_locals(parts, model.module), site.line
        )
    return constants


def _imports(model: ScopeModel) -> list[ImportBinding]:
    """Every import of the file (module level and inside functions), in line order."""
    found = [
        site.imported
        for scope in model.all_scopes
        for sites in scope.bindings.values()
        for site in sites
        if site.kind == "import" and site.imported is not None
    ]
    return sorted(found, key=lambda b: b.line)  # stable: same-line imports keep their order


def _revision_marker(model: ScopeModel, builder: TemplateBuilder) -> str | None:
    """Module-level `revision = "<literal>"` next to a `down_revision` binding."""
    if "down_revision" not in model.module.bindings:
        return None
    for site in model.module.bindings.get("revision", ()):
        if site.kind != "assign" or site.value is None or site.path:
            continue
        if builder.is_str(site.value):
            parts = builder.build(site.value, model.module)
            if parts and all(isinstance(p, Literal) for p in parts):
                return "".join(p.text for p in parts)  # type: ignore[union-attr]
    return None


def extract_python(path: str, source: bytes, module: str) -> PythonFacts:
    """The Python facts of one file (without reading it as a revision)."""
    return read_python(path, source, module).facts


def extract_alembic(path: str, source: bytes) -> AlembicRevision:
    """One file read as an Alembic revision (what the reader sees in a versions folder)."""
    try:
        parsed = parse_module(path, path.removesuffix(".py").replace("/", "."), source, "alembic")
        if isinstance(parsed, FileProblem):
            revision = AlembicRevision(path=path, revision=None)
            revision.problems.append(
                FileProblem(parsed.code, parsed.line, f"{parsed.message}; the revision was not "
                            "analysed")
            )
            return revision
        result = _read(parsed, True)
        assert result.revision is not None
        return run_alone(result.revision, result.facts)
    except RecursionError:
        revision = AlembicRevision(path=path, revision=None)
        revision.problems.append(
            FileProblem(
                "alembic-recursion-limit", None,
                "code nested too deeply for the Python parser; the revision was not analysed",
            )
        )
        return revision


def run_alone(revision: AlembicRevision, facts: PythonFacts) -> AlembicRevision:
    """A revision's operations as replay sees them when its file is the whole repository."""
    from analyzer.resolve.alembic_ops import RevisionRunner
    from analyzer.resolve.evaluate import Evaluator
    from analyzer.resolve.index import ModuleIndex
    from analyzer.resolve.templates import TemplateExpander

    evaluator = Evaluator(ModuleIndex([facts]))
    return RevisionRunner(evaluator, TemplateExpander(evaluator)).run(revision, facts)
