"""Unit tests of the static evaluator (analyzer.resolve.evaluate) on small repositories."""

from __future__ import annotations

import re
import textwrap

import pytest

from analyzer.discover import module_name
from analyzer.facts import PythonFacts
from analyzer.python import expr as ir
from analyzer.readers.python_module import extract_python
from analyzer.resolve.evaluate import Evaluator, Frame
from analyzer.resolve.index import ModuleIndex
from analyzer.resolve.values import (
    ClassV,
    ExternalV,
    FileV,
    FunctionV,
    InstanceV,
    PathV,
    SeqV,
    StrV,
    TableV,
    Unknown,
    known_strings,
)


def repo(files: dict[str, str]) -> tuple[Evaluator, dict[str, PythonFacts]]:
    facts = {
        path: extract_python(path, textwrap.dedent(text).encode(), module_name(path))
        for path, text in files.items()
    }
    for path, fact in facts.items():
        assert fact.problems == [], (path, fact.problems)
    return Evaluator(ModuleIndex(facts.values())), facts


def value_of(files: dict[str, str], path: str, name: str) -> tuple:
    evaluator, facts = repo(files)
    return evaluator.evaluate(ir.Global(name), Frame(facts[path]))


def test_constants_across_imports_aliases_and_reexports() -> None:
    files = {
        "app/db/tables.py": 'PREFIX = "lumen"\nUSERS = PREFIX + "_users"\n',
        "app/db/__init__.py": "from .tables import USERS as USER_TABLE\n",
        "app/jobs.py": (
            "import app.db.tables as t\nfrom app.db import USER_TABLE\nfrom . import db\n"
            "A = t.USERS\nB = USER_TABLE\nC = db.USER_TABLE\nD = f'{t.PREFIX}_{B}'\n"
        ),
    }
    for name, expected in [
        ("A", "lumen_users"), ("B", "lumen_users"), ("C", "lumen_users"),
        ("D", "lumen_lumen_users"),
    ]:
        assert value_of(files, "app/jobs.py", name) == (StrV(expected),), name


def test_loop_elements_are_separate_cases_with_correlated_unpacking() -> None:
    evaluator, facts = repo(
        {
            "m.py": """
                RENAMES = (("a_old", "a"), ("b_old", "b"))
                TABLES = {"x": 1, "y": 2}
                def f(op):
                    for old, new in RENAMES:
                        op.rename_table(old, new)
                    for name, _ in TABLES.items():
                        op.drop_table(name)
            """
        }
    )
    m = facts["m.py"]
    renames = [
        (
            evaluator.evaluate(ir.LoopVar(0, (0,)), frame),
            evaluator.evaluate(ir.LoopVar(0, (1,)), frame),
        )
        for frame in evaluator.iterations((0,), Frame(m))
    ]
    assert renames == [((StrV("a_old"),), (StrV("a"),)), ((StrV("b_old"),), (StrV("b"),))]
    frames = evaluator.iterations((1,), Frame(m))
    names = [evaluator.evaluate(ir.LoopVar(1, (0,)), f) for f in frames]
    assert names == [(StrV("x"),), (StrV("y"),)]


def test_a_loop_over_a_value_that_is_not_literal_is_unknown_with_a_reason() -> None:
    evaluator, facts = repo({"m.py": "def f(tables):\n    for t in tables:\n        print(t)\n"})
    (frame,) = evaluator.iterations((0,), Frame(facts["m.py"]))
    (value,) = evaluator.evaluate(ir.LoopVar(0, ()), frame)
    assert isinstance(value, Unknown)
    assert "parameter" in value.why and "tables" in value.why


def test_class_attributes_properties_and_inheritance() -> None:
    files = {
        "app/base.py": """
            class Repo:
                TABLE = "base_table"
                @property
                def table(self):
                    return self.TABLE
        """,
        "app/accounts.py": """
            from app.base import Repo
            class AccountRepo(Repo):
                TABLE = "accounts"
            X = AccountRepo.TABLE
            Y = AccountRepo().table
            Z = Repo().table
        """,
    }
    assert value_of(files, "app/accounts.py", "X") == (StrV("accounts"),)
    assert value_of(files, "app/accounts.py", "Y") == (StrV("accounts"),)
    assert value_of(files, "app/accounts.py", "Z") == (StrV("base_table"),)


def test_small_repository_functions_and_string_methods() -> None:
    files = {
        "app/naming.py": """
            import re
            _CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
            def snake(name):
                return _CAMEL.sub("_", name).lower()
            def plural(name: str) -> str:
                return f"{snake(name)}s"
            def slug(name):
                return re.sub(r"[^a-z]+", "_", name.lower()).strip("_")
        """,
        "app/use.py": """
            from app.naming import plural, slug
            A = plural("FlowRun")
            B = slug("  Task Run ")
            C = "x_{}_{}".format("a", "b")
            D = "%s.%s" % ("public", "t")
            E = "-".join(["a", "b"]).upper().replace("-", "_")
        """,
    }
    expected = {"A": "flow_runs", "B": "task_run", "C": "x_a_b", "D": "public.t", "E": "A_B"}
    for name, text in expected.items():
        assert value_of(files, "app/use.py", name) == (StrV(text),), name


def test_unknown_calls_and_decorated_helpers_say_why() -> None:
    files = {
        "m.py": """
            import os
            from functools import partial
            def deco(f):
                return f
            @deco
            def helper():
                return "t"
            A = helper()
            B = os.environ["TABLE"]
            C = undefined_name
        """,
    }
    (a,) = value_of(files, "m.py", "A")
    assert isinstance(a, Unknown) and "@deco" in a.why
    (b,) = value_of(files, "m.py", "B")
    assert isinstance(b, Unknown)
    (c,) = value_of(files, "m.py", "C")
    assert isinstance(c, Unknown) and "undefined_name" in c.why


def test_paths_from_file_and_file_text() -> None:
    files = {
        "migrations/versions/r1.py": """
            import os
            from pathlib import Path
            HERE = os.path.dirname(os.path.abspath(__file__))
            A = os.path.join(HERE, "..", "sql", "x.sql")
            B = Path(__file__).with_name("y.sql")
            C = Path(__file__).parent / "sql" / "z.sql"
            D = open(A).read()
            E = B.read_text()
        """
    }
    assert value_of(files, "migrations/versions/r1.py", "A") == (PathV("migrations/sql/x.sql"),)
    assert value_of(files, "migrations/versions/r1.py", "B") == (
        PathV("migrations/versions/y.sql"),
    )
    assert value_of(files, "migrations/versions/r1.py", "C") == (
        PathV("migrations/versions/sql/z.sql"),
    )
    assert value_of(files, "migrations/versions/r1.py", "D") == (
        FileV("migrations/sql/x.sql", "text"),
    )
    assert value_of(files, "migrations/versions/r1.py", "E") == (
        FileV("migrations/versions/y.sql", "text"),
    )


def test_sqlalchemy_table_objects_and_external_names() -> None:
    files = {
        "app/tables.py": """
            import sqlalchemy as sa
            from sqlalchemy import Table, MetaData
            meta = MetaData()
            users = Table("users", meta, schema="auth")
            tags = sa.table("tags")
            N = users.name
            F = users.fullname
        """
    }
    assert value_of(files, "app/tables.py", "users") == (TableV("users", "auth"),)
    assert value_of(files, "app/tables.py", "tags") == (TableV("tags", None),)
    assert value_of(files, "app/tables.py", "N") == (StrV("users"),)
    assert value_of(files, "app/tables.py", "F") == (StrV("auth.users"),)
    assert value_of(files, "app/tables.py", "sa") == (ExternalV("sqlalchemy"),)


def test_parameters_typed_by_annotation_and_depends() -> None:
    files = {
        "app/db.py": """
            class Database:
                def insert(self, table, row):
                    return table
            def provide() -> "Database":
                return Database()
            def provide_typed() -> Database:
                return Database()
        """,
        "app/api.py": """
            from typing import Optional
            from fastapi import Depends
            from app.db import Database, provide_typed
            def handler(db: Optional[Database] = None, other=Depends(provide_typed)):
                db.insert("a", 1)
        """,
    }
    evaluator, facts = repo(files)
    api = facts["app/api.py"]
    db = evaluator.evaluate(ir.Param("handler", "db"), Frame(api))
    assert InstanceV(ClassV("app.db", "Database")) in db
    other = evaluator.evaluate(ir.Param("handler", "other"), Frame(api))
    assert other == (InstanceV(ClassV("app.db", "Database")),)
    (method,) = evaluator.evaluate(
        ir.Attr(ir.Param("handler", "other"), "insert"), Frame(api)
    )
    assert method == FunctionV("app.db", "Database.insert", InstanceV(ClassV("app.db", "Database")))


def test_import_cycles_terminate() -> None:
    files = {
        "pkg/__init__.py": "from . import a\nfrom .a import *\nX = a.Y\n",
        "pkg/a.py": "from pkg import *\nfrom pkg import X as Y\nZ = Y\n",
    }
    (x,) = value_of(files, "pkg/__init__.py", "X")
    assert isinstance(x, Unknown) and "circle" in x.why
    (z,) = value_of(files, "pkg/a.py", "Z")
    assert isinstance(z, Unknown)


@pytest.mark.parametrize(
    "source",
    [
        "def f(n):\n    return f(n)\nA = f(1)\n",
        "class A(B):\n    pass\nclass B(A):\n    x = 1\nV = A.x\n",
        "A = B\nB = A\n",
    ],
)
def test_recursion_always_terminates(source: str) -> None:
    values = value_of({"m.py": source}, "m.py", source.split("\n")[-2].split(" =")[0])
    assert values  # an answer (Unknown where Python itself would fail), never a hang


def test_known_strings_helper() -> None:
    assert known_strings((StrV("a"), StrV("b"), StrV("a"))) == ["a", "b"]
    assert known_strings((StrV("a"), Unknown("x"))) is None


def test_a_list_changed_in_place_has_no_literal_value() -> None:
    """A module's list appended to (by any module, at any time) and a function's list changed
    in a loop, under a condition or by another method have no literal value; a function's
    list only grown by appends and extends in straight-line code is what they added before
    the use."""
    files = {
        "m.py": """
            TABLES = []
            TABLES.append("late")
            KEPT = ["a", "b"]
            KEPT.count("a")
            def f():
                names = []
                names.append("x")
                names.extend(["y", "z"])
                return ", ".join(names)
            A = f()
            def g(rows):
                names = ["x"]
                for row in rows:
                    names.append(row)
                return ", ".join(names)
            B = g([])
            def h(flag):
                names = ["x"]
                if flag:
                    names.append("y")
                return ", ".join(names)
            C = h(True)
            def k():
                names = ["x"]
                names.insert(0, "w")
                return ", ".join(names)
            D = k()
        """
    }
    (tables,) = value_of(files, "m.py", "TABLES")
    assert isinstance(tables, Unknown) and "changed in place" in tables.why
    assert value_of(files, "m.py", "A") == (StrV("x, y, z"),)
    for name in ("B", "C", "D"):
        (value,) = value_of(files, "m.py", name)
        assert isinstance(value, Unknown) and "changed in place" in value.why, name
    (kept,) = value_of(files, "m.py", "KEPT")
    assert not isinstance(kept, Unknown)


def test_annotations_then_several_assignments_do_not_break_reading() -> None:
    files = {
        "m.py": """
            def f(flag):
                result: str
                if flag:
                    result = "a"
                else:
                    result = "b"
                return result
            A = f(True)
        """
    }
    (a,) = value_of(files, "m.py", "A")
    assert isinstance(a, Unknown) and "bound 2 times" in a.why


def test_comprehensions_and_re_split_over_known_values() -> None:
    files = {
        "app/naming.py": """
            import re
            SPLIT = re.compile("(?=[A-Z])")
            def snake(name):
                parts = re.split("(?=[A-Z])", name)
                return "_".join([part.lower() for part in parts if part])
            def snake2(name):
                return "_".join(p.lower() for p in SPLIT.split(name) if p)
            ARCHIVES = [f"{t}_archive" for t in ("orders", "invoices")]
            UPPER = {t.upper() for t in ["a"]}
            UNKNOWN = [t for t in load()]
            NESTED = [a + b for a in "xy" for b in "z"]
        """,
        "app/use.py": """
            from app.naming import ARCHIVES, snake, snake2
            A = snake("IncidentCostType")
            B = snake2("TaskRun")
            C = ", ".join(ARCHIVES)
        """,
    }
    expected = {
        "A": "incident_cost_type",
        "B": "task_run",
        "C": "orders_archive, invoices_archive",
    }
    for name, text in expected.items():
        assert value_of(files, "app/use.py", name) == (StrV(text),), name
    (unknown,) = value_of(files, "app/naming.py", "UNKNOWN")
    assert unknown == Unknown(
        "the loop's collection is unknown: `load` is not defined in app.naming"
    )
    (nested,) = value_of(files, "app/naming.py", "NESTED")
    assert isinstance(nested, Unknown) and "several `for`s" in nested.why


def test_a_module_is_found_by_a_shorter_name_only_from_a_source_root() -> None:
    """`polar.models` is `server/polar/models` (`server/` is no package: a source root);
    `mapping.utils` is `tools/mapping/utils.py` for a script inside `tools/` (run from there),
    though `tools/` is a package; `alembic` is never the repository's `app/utils/alembic.py`
    from another package's file: Python would import the library."""
    modules = [
        PythonFacts(path, module_name(path))
        for path in (
            "server/polar/__init__.py", "server/polar/models/__init__.py",
            "tools/__init__.py", "tools/mapping/__init__.py", "tools/mapping/utils.py",
            "tools/reports/top.py",
            "app/__init__.py", "app/utils/__init__.py", "app/utils/alembic.py",
            "app/migrations/a1_add.py",
        )
    ]
    index = ModuleIndex(modules)
    found = index.find("polar.models")
    assert found is not None and found.path == "server/polar/models/__init__.py"
    found = index.find("mapping.utils", "tools/reports/top.py")
    assert found is not None and found.path == "tools/mapping/utils.py"
    assert index.find("mapping.utils", "app/migrations/a1_add.py") is None
    assert index.find("alembic", "app/migrations/a1_add.py") is None
    assert index.find("alembic") is None


def test_a_revision_reads_alembic_beside_a_module_named_alembic(make_repo) -> None:
    """The repository's `app/utils/alembic.py` no longer stands for Alembic: the batch
    operations of a revision importing `from alembic import op` are replayed."""
    from analyzer import scan

    report = scan(make_repo({
        "app/__init__.py": "",
        "app/utils/__init__.py": "",
        "app/utils/alembic.py": "def upgrade_all(config):\n    return config\n",
        "app/migrations/a1_init.py": (
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("groups", sa.Column("id", sa.Integer))\n'
        ),
        "app/migrations/b2_hidden.py": (
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            'revision = "b2"\ndown_revision = "a1"\n\n\n'
            "def upgrade():\n"
            '    with op.batch_alter_table("groups") as batch_op:\n'
            '        batch_op.add_column(sa.Column("hidden", sa.Boolean()))\n'
        ),
    }))
    groups = report.table("groups")
    assert groups is not None
    assert [(s.source_kind, s.columns) for s in groups.states] == [("alembic", ["id", "hidden"])]


def test_the_expression_classes_are_disjoint() -> None:
    """`Evaluator._eval` orders its cases by how often they are met, which is the same
    answer only while no node class derives from another (each a direct subclass of
    `ir.Expr`, with none of its own) and every one of them has a case."""
    import inspect

    classes = [c for _, c in inspect.getmembers(ir, inspect.isclass)
               if issubclass(c, ir.Expr) and c is not ir.Expr]
    assert len(classes) == 23
    assert all(c.__bases__ == (ir.Expr,) and not c.__subclasses__() for c in classes)
    source = inspect.getsource(Evaluator._eval)
    assert {c.__name__ for c in classes} == set(re.findall(r"case ir\.(\w+)\(", source))


def test_a_literal_query_expands_to_the_template_the_general_path_makes() -> None:
    """`TemplateExpander.expand` answers parts of literal text alone at once: the same one
    template, text, segments and lines, that the product over the parts' options makes;
    parts with a hole still take the general path."""
    from analyzer.resolve.templates import TemplateExpander

    evaluator, facts = repo({
        "app/q.py": '''
            TABLE = "users"

            def f(cur, n):
                cur.execute("SELECT id\\n"
                            "FROM accounts")
                cur.execute(f"SELECT * FROM {TABLE} WHERE id = {n}")
        ''',
    })
    module = facts["app/q.py"]
    literal, holed = (c.parts for c in module.candidates)
    expander = TemplateExpander(evaluator)
    frame = Frame(module)
    assert expander.expand(literal, frame) == expander._expand(literal, frame)
    (template,) = expander.expand(literal, frame)
    assert template.text == "SELECT id\nFROM accounts" and template.holes == {}
    assert [template.line_of(0), template.line_of(10)] == [5, 6]
    assert expander.expand(holed, frame) == expander._expand(holed, frame)
    (filled,) = expander.expand(holed, frame)
    assert filled.text.startswith("SELECT * FROM users WHERE id = ") and len(filled.holes) == 1
    assert expander.expand((), frame) == expander._expand((), frame)


def test_bases_asked_outside_an_evaluation_are_kept_until_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evaluator, _ = repo({
        "app/base.py": "class Model:\n    pass\n",
        "app/models.py": """
            from app import base
            from django.db import models
            class Account(base.Model, models.Model):
                pass
        """,
    })
    computed: list[str] = []
    real = Evaluator._bases_of

    def counting(self: Evaluator, cls: ClassV) -> list:
        computed.append(cls.qualname)
        return real(self, cls)

    monkeypatch.setattr(Evaluator, "_bases_of", counting)
    account = ClassV("app.models", "Account")
    first = evaluator.bases(account)
    assert [getattr(b, "qualname", getattr(b, "path", None)) for b in first] == [
        "Model", "django.db.models.Model"
    ]
    first.clear()  # the caller's list, not the kept one
    assert evaluator.bases(account) == real(evaluator, account)
    assert computed == ["Account"]
    evaluator.forget()
    evaluator.bases(account)
    assert computed == ["Account", "Account"]
    # asked inside an evaluation (a key on the evaluator's stack), never kept
    evaluator._stack.append("an evaluation in progress")
    evaluator.bases(account)
    evaluator.bases(account)
    assert computed == ["Account"] * 4


def test_names_evaluated_before_the_tables_were_known_are_evaluated_again() -> None:
    """The ORM mapper names the tables after the Django resolver (and then anything else) may
    have evaluated a name reading one: setting `table_of_class` (or `django_meta`) drops the
    answers kept so far, which were given without it."""
    evaluator, facts = repo({
        "app/models.py": """
            class Account:
                pass
            TABLE = Account.__tablename__
            PREFIX = "app_"
        """,
    })
    frame = Frame(facts["app/models.py"])
    before = evaluator.evaluate(ir.Global("TABLE"), frame)
    assert [type(v) for v in before] == [Unknown]
    evaluator.table_of_class = lambda cls: TableV("accounts")
    assert evaluator.evaluate(ir.Global("TABLE"), frame) == (StrV("accounts"),)
    evaluator.django_meta = lambda value: None
    assert evaluator._names == {}
    # nothing asked for a table or `_meta` since: what was kept stays
    assert evaluator.evaluate(ir.Global("PREFIX"), frame) == (StrV("app_"),)
    evaluator.django_meta = lambda value: None
    assert list(evaluator._names) == [("app.models", "PREFIX")]


def test_class_attributes_asked_outside_an_evaluation_are_kept_until_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evaluator, facts = repo({
        "app/repos.py": """
            class Repo:
                TABLE = "repos"
            class UserRepo(Repo):
                pass
        """,
    })
    looked_up: list[tuple[str, str]] = []
    real = Evaluator._lookup_attribute

    def counting(self: Evaluator, cls: ClassV, attr: str, receiver: object) -> tuple:
        looked_up.append((cls.qualname, attr))
        return real(self, cls, attr, receiver)  # type: ignore[arg-type]

    monkeypatch.setattr(Evaluator, "_lookup_attribute", counting)
    frame = Frame(facts["app/repos.py"])
    table = ir.Attr(ir.Global("UserRepo"), "TABLE")
    assert evaluator.evaluate(table, frame) == (StrV("repos"),)
    assert evaluator.evaluate(table, frame) == (StrV("repos"),)
    assert looked_up == [("UserRepo", "TABLE")]
    evaluator.forget()
    assert evaluator.evaluate(table, frame) == (StrV("repos"),)
    assert looked_up == [("UserRepo", "TABLE")] * 2
    # inside an evaluation (a key on the evaluator's stack), looked up every time
    evaluator._stack.append("an evaluation in progress")
    evaluator.evaluate(table, frame)
    evaluator.evaluate(table, frame)
    assert looked_up == [("UserRepo", "TABLE")] * 4


def test_a_library_is_not_the_package_folder_of_its_name_around_the_importer(make_repo) -> None:
    """`import sqlalchemy as sa` and `from sqlalchemy import sql` in a revision under
    `pkg/db/sqlalchemy/alembic/versions/` (ironic's layout) are SQLAlchemy, not the package
    `pkg.db.sqlalchemy` the file sits in: `sql.table("ports", ...).update()` is read as a data
    update of `ports`, where it was "SQL built at run time" (`sql` is not defined in
    pkg.db.sqlalchemy). A script's own package folder still serves a shorter name."""
    from analyzer import scan

    index = ModuleIndex([
        PythonFacts(path, module_name(path))
        for path in (
            "pkg/__init__.py", "pkg/db/__init__.py", "pkg/db/sqlalchemy/__init__.py",
            "pkg/db/sqlalchemy/alembic/versions/a1.py",
        )
    ])
    assert index.find("sqlalchemy", "pkg/db/sqlalchemy/alembic/versions/a1.py") is None
    assert index.find("db.sqlalchemy", "pkg/db/sqlalchemy/alembic/versions/a1.py") is not None
    versions = "pkg/db/sqlalchemy/alembic/versions"
    report = scan(make_repo({
        "pkg/__init__.py": "",
        "pkg/db/__init__.py": "",
        "pkg/db/sqlalchemy/__init__.py": "",
        "pkg/db/sqlalchemy/alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
        "pkg/db/sqlalchemy/alembic/env.py": "from alembic import context\n",
        f"{versions}/a1.py": (
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("ports", sa.Column("id", sa.Integer), sa.Column("m", sa.Text))\n'
        ),
        f"{versions}/b2.py": (
            "from alembic import op\nfrom sqlalchemy import sql\n\n"
            'revision = "b2"\ndown_revision = "a1"\n\n\n'
            "def upgrade():\n"
            '    ports = sql.table("ports", sql.column("m"))\n'
            '    op.execute(ports.update().values(m="off"))\n'
        ),
        "pkg/ports.py": "def modes(conn):\n    return conn.execute('SELECT m FROM ports')\n",
    }))
    assert [d.code for d in report.diagnostics] == []
    ports = report.table("public.ports")
    assert ports is not None
    assert [(d.path.rsplit("/", 1)[-1], d.line, d.operation) for d in ports.definitions] == [
        ("a1.py", 9, "create"), ("b2.py", 10, "data")
    ]


def test_a_return_under_an_if_the_call_decides_is_left_out() -> None:
    """`if not seq: return ""` (a guard clause), `if seq: ... else: return ""`: a call whose
    arguments decide the test gives the return that runs, not both; where the test is not
    known both stay. Python agrees on each call."""
    source = """
        def listed(seq, sep=", "):
            if not seq:
                return ""
            return sep.join(seq)

        def listed_else(seq):
            if seq:
                return ", ".join(seq)
            else:
                return ""

        A = listed(["build", "tag"])
        B = listed([])
        C = listed_else(["tag"])
        D = listed_else(None)
        E = listed(UNKNOWN)
    """
    files = {"app/use.py": source}
    expected = {"A": ("build, tag",), "B": ("",), "C": ("tag",), "D": ("",)}
    for name, texts in expected.items():
        assert value_of(files, "app/use.py", name) == tuple(StrV(t) for t in texts), name
    assert StrV("") in value_of(files, "app/use.py", "E")
    namespace: dict[str, object] = {"UNKNOWN": ["x"]}
    exec(textwrap.dedent(source), namespace)  # the sample's own code, not a scanned one
    assert [namespace[name] for name in expected] == [t[0] for t in expected.values()]


def test_sorted_list_and_tuple_of_known_values() -> None:
    files = {
        "app/use.py": """
            NAMES = ["tag", "build"]
            A = ", ".join(sorted(NAMES))
            B = list(NAMES)
            C = tuple(NAMES)
        """,
    }
    assert value_of(files, "app/use.py", "A") == (StrV("build, tag"),)
    assert value_of(files, "app/use.py", "B") == (SeqV("list", (StrV("tag"), StrV("build"))),)
    assert value_of(files, "app/use.py", "C") == (SeqV("tuple", (StrV("tag"), StrV("build"))),)


def test_locals_fill_a_format_with_the_functions_names() -> None:
    """`query % locals()` in a function: each field is the local of that name as it stands
    at the `%` (Python gives the same text)."""
    source = """
        def select(table):
            columns = "id, name"
            query = "SELECT %(columns)s FROM %(table)s"
            return query % locals()

        A = select("tag")
    """
    assert value_of({"app/use.py": source}, "app/use.py", "A") == (
        StrV("SELECT id, name FROM tag"),
    )
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(source), namespace)
    assert namespace["A"] == "SELECT id, name FROM tag"
