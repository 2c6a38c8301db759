"""Speed features never change a byte of the report: workers, cache, pre-filter, increments."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer import Report, scan
from analyzer.cache import Entry, FactCache, read_pack, write_pack
from analyzer.cli import app
from analyzer.engine import Extractor, looks_relevant
from tests.conftest import SAMPLE

# Files that only matter through other files: each one is skipped by the first, cheap look
# and must be pulled back in by the relevance rounds.
PREFILTER_TRAPS = {
    "app/__init__.py": "",
    "app/db/__init__.py": "from .names import AUDIT_TABLE as AUDIT_TABLE\n",
    "app/db/names.py": 'AUDIT_TABLE = "audit_log"\nLIMIT = 10\n',
    "app/db/queries.py": 'RECENT = "SELECT id FROM audit_log ORDER BY id DESC"\n',
    "app/report.py": (
        "from app.db import AUDIT_TABLE\n\n\ndef purge(cur):\n"
        '    cur.execute(f"DELETE FROM {AUDIT_TABLE} WHERE id < 0")\n'
    ),
    "app/plain_sink.py": (
        "from app.db.queries import RECENT\n\n\ndef recent(cur):\n    cur.execute(RECENT)\n"
    ),
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Ticket(Base):\n    __tablename__ = 'tickets'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    "app/service.py": "from app.models import Ticket\n\n\ndef open_ticket(session):\n"
    "    session.add(Ticket())\n",
    "app/star.py": "from app.models import *\n\n\ndef count(session):\n"
    "    return session.query(Ticket).count()\n",
    # a model re-exported by a module without model markers of its own: pulled back in
    "app/models_api.py": "from app.models import Ticket as Ticket\n",
    "app/reexport_user.py": "from app import models_api\n\n\ndef close(session):\n"
    "    session.delete(models_api.Ticket())\n",
    # a class named like a model in a module that defines none (a generated GraphQL schema):
    # the reference to it is read, the module is not
    "app/graphql_types.py": "class Type:\n    pass\n\n\nclass Query(Type):\n    pass\n",
    "app/api.py": "from app import graphql_types\nfrom app.models import Ticket\n\n\n"
    "def build(session, Operation):\n    session.add(Ticket())\n"
    "    return Operation(graphql_types.Query)\n",
    # a helper the resolver finds, a skipped function passing its parameter on to it, and a
    # skipped caller of that one: both pulled back in
    "app/store.py": "def insert_row(cur, table, row):\n"
    '    cur.execute(f"INSERT INTO {table} (payload) VALUES (%s)", (row,))\n',
    "app/forward.py": "from app.store import insert_row\n\n\ndef save(cur, table, row):\n"
    "    insert_row(cur, table, row)\n",
    "app/caller.py": "from app.forward import save\n\n\ndef record(cur):\n"
    '    save(cur, "audit_log", 1)\n',
    # a Dockerfile builder: its template starts like SQL (`COPY`) but is none, so the method
    # is no helper and a file calling a method of that name is not read
    "app/docker.py": "class Dockerfile:\n    def __init__(self):\n        self.lines = []\n\n"
    "    def add_line(self, line):\n        self.lines.append(line)\n\n"
    "    def add_file(self, source, destination):\n"
    '        self.add_line(f"COPY {source} {destination}")\n',
    "app/build.py": 'def bundle(image, src):\n    image.add_file(src, "app")\n',
    # a log message in a loop over `self.plugins`, and a name built as `"get_" + name` in a
    # loop: no SQL whatever the loops hold, so the class of the plugins is not read
    "app/server.py": "import logging\n\nfrom app.plugins import Plugin\n\n"
    "logger = logging.getLogger(__name__)\n\n\nclass Server:\n"
    "    def __init__(self):\n        self.plugins = [Plugin()]\n\n"
    "    def stop(self, cur):\n"
    '        cur.execute("DELETE FROM sessions")\n'
    "        for plugin in self.plugins:\n"
    '            logger.error("Error stopping plugin: %s", plugin)\n'
    "        for name in self.names():\n"
    '            print("get_" + name + "_plugin")\n',
    "app/plugins.py": 'class Plugin:\n    def names(self):\n        return ["a"]\n',
    # a parameter annotated with a class whose one method the SQL calls: that method is
    # followed (the class's module is read), not the others (the handlers stay unread)
    "app/homeserver.py": "from app.handlers_room import RoomHandler\n"
    "from app.handlers_sync import SyncHandler\n\n\nclass HomeServer:\n"
    "    def get_sync_handler(self):\n        return SyncHandler(self)\n\n"
    "    def get_room_handler(self):\n        return RoomHandler(self)\n\n"
    '    def get_table_prefix(self):\n        return "hs_"\n',
    "app/handlers_sync.py": "class SyncHandler:\n    def __init__(self, hs):\n"
    "        self.hs = hs\n",
    "app/handlers_room.py": "class RoomHandler:\n    def __init__(self, hs):\n"
    "        self.hs = hs\n",
    "app/store_hs.py": "from app.homeserver import HomeServer\n\n\n"
    "def purge(cur, hs: HomeServer):\n"
    '    cur.execute(f"DELETE FROM {hs.get_table_prefix()}events")\n',
    # `super().insert_row(...)` names a helper, but the resolver reads `super()` as a
    # library object: no helper is reached, and the file is not read
    "app/child.py": "from app.parent import Parent\n\n\nclass Child(Parent):\n"
    "    def save(self, cur, row):\n"
    '        super().insert_row(cur, "child_rows", row)\n',
    "app/parent.py": "class Parent:\n    pass\n",
    # a helper whose SQL starts with a constant of a module read only in a later round: it
    # is found a helper only once that module is read, and its caller is pulled then
    "app/verbs.py": 'ADD = "INSERT"\n',
    "app/rows.py": "from app.verbs import ADD\n\n\ndef add_row(cur, table, row):\n"
    '    cur.execute(f"{ADD} INTO {table} (payload) VALUES (%s)", (row,))\n',
    "app/jobs.py": "from app.rows import add_row\n\n\ndef nightly(cur):\n"
    '    add_row(cur, "job_runs", 1)\n',
    # a parsed module whose class method and log label read two skipped modules: the mapper
    # reads no method, and a label starting "resource." is no SQL whatever its hole holds,
    # so neither module is read
    "app/reports.py": "from app.formatting import pretty\nfrom app.ids import resource_id\n\n\n"
    "class Report:\n    def render(self):\n        return pretty(self)\n\n\n"
    'def count(cur):\n    label = f"resource.{resource_id()}"\n'
    '    cur.execute("SELECT count(*) FROM audit_log")\n    return label\n',
    "app/formatting.py": "def pretty(value):\n    return str(value)\n",
    "app/ids.py": 'def resource_id():\n    return "r-1"\n',
    # a mapped class taking its schema from a mixin of another module
    "app/mixins.py": 'class Audited:\n    __table_args__ = {"schema": "audit"}\n\n'
    '    def describe(self):\n        return "audited"\n',
    "app/ledger.py": "from sqlalchemy.orm import Mapped, mapped_column\n\n"
    "from app.mixins import Audited\nfrom app.models import Base\n\n\n"
    "class Entry(Audited, Base):\n    __tablename__ = 'entries'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n",
    # a class reached through a parameter's annotation, whose one method the SQL calls: its
    # class-body list of other classes is read by nothing (neither a name the code reads
    # nor a value the ORM mapper reads), so their module is not read
    "app/config.py": "from app.config_captcha import CaptchaConfig\n\n\nclass RootConfig:\n"
    "    config_classes = [CaptchaConfig]\n\n"
    '    def table_prefix(self):\n        return "cfg_"\n',
    "app/config_captcha.py": "class CaptchaConfig:\n    pass\n",
    "app/store_cfg.py": "from app.config import RootConfig\n\n\n"
    "def purge(cur, config: RootConfig):\n"
    '    cur.execute(f"DELETE FROM {config.table_prefix()}runs")\n',
    # a settings class checking each of its sections (classes of another module) with
    # messages that write a section's repr() first: Python writes a quoted text or
    # `<class ...>` there, never a keyword, so the sections' module is not read
    "app/settings.py": "from app.settings_sections import CacheSection, MailSection\n\n\n"
    "class Settings:\n    sections = [CacheSection, MailSection]\n\n"
    "    def check(self, cur):\n"
    '        cur.execute("SELECT key FROM settings_rows")\n'
    "        for section in self.sections:\n"
    "            if section.name is None:\n"
    '                raise ValueError("%r requires a name" % (section,))\n'
    '            print(f"{section!r} has no {section.name!r} rows")\n',
    "app/settings_sections.py": "class CacheSection:\n    name = 'cache'\n\n\n"
    "class MailSection:\n    name = None\n",
    "app/broken.py": "def f(:\n    return 1\n",
    "app/unrelated.py": '"""Update the cache."""\n\n\ndef select(items):\n    return items[0]\n',
}


def scan_through(extractor: Extractor, root: Path, **options: Any) -> Report:
    """`scan(root)` with `extractor` standing in for the one the pipeline would make, so that
    the test can read what it pulled in and why (`Extractor.pulled`)."""
    pipeline = importlib.import_module("analyzer.pipeline")
    real = pipeline.Extractor
    pipeline.Extractor = lambda **kwargs: extractor  # type: ignore[assignment,misc]
    try:
        return scan(root, **options)
    finally:
        pipeline.Extractor = real  # type: ignore[misc]


def test_prefilter_first_look() -> None:
    assert looks_relevant(b'q = "SELECT 1"')
    assert looks_relevant(b"x = f'''\n   with recent as (select 1) select * from recent'''")
    # an import of SQLAlchemy alone defines nothing: a model marker does
    assert not looks_relevant(b"from sqlalchemy import select")
    assert looks_relevant(b"import sqlalchemy as sa\nt = sa.Table('t', sa.MetaData())")
    assert looks_relevant(b"class A(Base):\n    __tablename__ = 'a'")
    # command-line flags, bare verbs and sentences are not SQL
    assert not looks_relevant(b'p.add_argument("--verbose")\nACTION = "update"')
    assert not looks_relevant(b'msg = f"Delete {name} from the list."')
    assert not looks_relevant(b'"""Update the cache."""\ndef select(items): return items')
    assert not looks_relevant(b"AUDIT_TABLE = 'audit_log'")
    # REPLACE and UPSERT without their clause: a decoding's error handler, a patch's op
    assert not looks_relevant(b'text = raw.decode("ascii", errors="replace")')
    assert not looks_relevant(b'change = {"Action": "UPSERT", "op": "replace"}')
    assert looks_relevant(b'q = "REPLACE INTO settings (k, v) VALUES (?, ?)"')
    # a field writing a value's repr() starts with a quote (or stays unknown): no keyword
    # can begin there, whatever reaches it; `%s` and a plain f-string field write the word
    for template in (b'f"{word!r} * FROM t"', b'"%r * FROM t" % (word,)',
                     b'"{!a} * FROM t".format(word)'):
        assert not looks_relevant(b'def describe():\n    word = "select"\n    return ' + template)
    for template in (b'f"{word} * FROM t"', b'"%s * FROM t" % (word,)', b'f"{word!s} * FROM t"',
                     b'f"{word!r:>9} * FROM t"', b'"%-9r * FROM t" % word'):
        assert looks_relevant(b'def describe():\n    word = "select"\n    return ' + template)


def test_prefilter_never_changes_the_report(make_repo) -> None:
    root = make_repo(PREFILTER_TRAPS)
    full = scan(root, prefilter=False)
    assert scan(root, prefilter=True).to_json() == full.to_json()
    assert {t.qualified_name for t in full.tables} == {
        "audit.entries", "public.audit_log", "public.cfg_runs", "public.hs_events",
        "public.job_runs", "public.sessions", "public.settings_rows", "public.tickets",
    }
    hs_events = full.table("hs_events")
    assert hs_events is not None
    assert [(u.path, u.line, u.kind) for u in hs_events.uses] == [("app/store_hs.py", 5, "write")]
    job_runs = full.table("job_runs")
    assert job_runs is not None
    assert [(u.path, u.line, u.kind) for u in job_runs.uses] == [("app/jobs.py", 5, "write")]
    tickets = full.table("tickets")
    assert tickets is not None
    assert sorted((u.path, u.line, u.kind) for u in tickets.uses) == [
        ("app/api.py", 6, "write"), ("app/reexport_user.py", 5, "write"),
        ("app/service.py", 5, "write"), ("app/star.py", 5, "read"),
    ]
    audit = full.table("audit_log")
    assert audit is not None
    assert sorted((u.path, u.line, u.kind) for u in audit.uses) == [
        ("app/caller.py", 5, "write"), ("app/db/queries.py", 1, "read"),
        ("app/plain_sink.py", 5, "read"), ("app/report.py", 5, "write"),
        ("app/reports.py", 12, "read"),
    ]
    assert ("app/broken.py", "python-syntax-error") in {
        (d.path, d.code) for d in full.diagnostics
    }


def test_prefilter_skips_what_cannot_matter(make_repo) -> None:
    root = make_repo(PREFILTER_TRAPS)
    with Extractor(prefilter=True) as extractor:
        scan_through(extractor, root)
    # only the unrelated module, the GraphQL types, the Dockerfile user, what a method and a
    # log label read, the `super()` caller and its base, the plugins a log message loops
    # over, the handlers no followed method returns, the classes a configuration lists, the
    # sections whose repr() messages name, and the empty __init__ stay unparsed
    assert extractor.skipped_files == 13
    assert "app/homeserver.py" in extractor.pulled
    assert "app/config.py" in extractor.pulled
    for path in (
        "app/graphql_types.py", "app/build.py", "app/formatting.py", "app/ids.py",
        "app/child.py", "app/parent.py", "app/plugins.py", "app/handlers_sync.py",
        "app/handlers_room.py", "app/config_captcha.py", "app/settings_sections.py",
    ):
        assert path not in extractor.pulled
    assert "app/models_api.py" in extractor.pulled
    assert extractor.pulled["app/forward.py"] == "calls insert_row(), which may build SQL"
    assert extractor.pulled["app/caller.py"] == "calls save(), which may build SQL"


def test_sample_repo_is_identical_with_workers_cache_and_prefilter(tmp_path: Path) -> None:
    reference = scan(SAMPLE, jobs=1, prefilter=False).to_json()
    assert scan(SAMPLE, jobs=2).to_json() == reference
    cache = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=2, cache=cache).to_json() == reference  # cold
    warm = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=1, cache=warm).to_json() == reference  # warm: the cached report
    assert (warm.hits, warm.misses) == (1, 0)
    assert warm._loaded is False  # the report file answered: the pack was never read
    (report_file,) = (tmp_path / "cache").rglob("*.report")  # drop the cached report
    report_file.unlink()
    facts_only = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=1, cache=facts_only).to_json() == reference
    assert facts_only.misses == 1 and facts_only.hits > 90
    assert report_file.exists()  # written again


def test_one_changed_file_is_the_only_one_extracted_again(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    scan(root, cache=FactCache(tmp_path / "c"))
    changed = root / "app" / "db" / "queries.py"
    changed.write_text('RECENT = "SELECT id FROM audit_archive ORDER BY id"\n')
    cache = FactCache(tmp_path / "c")
    report = scan(root, cache=cache)
    # the report misses; the changed file is read again once, by the early cutoff's check,
    # which finds its facts changed and leaves them cached for the pipeline: all else hits
    assert cache.misses == 1
    assert report.to_json() == scan(root, prefilter=False).to_json()
    assert "public.audit_archive" in {t.qualified_name for t in report.tables}


def test_the_last_selection_is_read_at_once_and_never_changes_the_report(
    make_repo, tmp_path: Path
) -> None:

    root = make_repo(PREFILTER_TRAPS)
    scan(root, cache=FactCache(tmp_path / "c"))
    # `insert_row` no longer takes the table name: its forwarder and their caller are not
    # needed any more, yet the last scan's selection reads them at once
    (root / "app" / "store.py").write_text(
        "def insert_row(cur, table, row):\n"
        '    cur.execute("INSERT INTO audit_log (payload) VALUES (%s)", (row,))\n'
    )
    with Extractor(prefilter=True, cache=FactCache(tmp_path / "c")) as extractor:
        report = scan_through(extractor, root, cache=extractor.cache)
    assert extractor.pulled["app/caller.py"] == "the last scan read it"
    assert extractor.pulled["app/forward.py"] == "the last scan read it"
    assert report.to_json() == scan(root, prefilter=False).to_json()
    assert report.to_json() == scan(root).to_json()  # what a cold scan reads
    audit = report.table("audit_log")
    assert audit is not None
    assert ("app/store.py", 2, "write") in {(u.path, u.line, u.kind) for u in audit.uses}
    assert "app/caller.py" not in {u.path for u in audit.uses}


def test_corrupt_cache_entries_heal(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    directory = tmp_path / "c"
    expected = scan(root, cache=FactCache(directory)).to_json()
    (pack,) = directory.rglob("*.pack")
    generation, entries = read_pack(pack.read_bytes())
    damaged = {  # truncated and foreign entries, in a pack that is whole
        key: Entry(b"" if index % 2 else b"\x80\x04 not a pickle", entry.generation)
        for index, (key, entry) in enumerate(sorted(entries.items()))
    }
    pack.write_bytes(write_pack(generation, damaged))
    (report_file,) = directory.rglob("*.report")
    report_file.write_bytes(report_file.read_bytes()[:-1])  # and a truncated report
    cache = FactCache(directory)
    assert scan(root, cache=cache).to_json() == expected
    assert cache.repaired == len(entries) + 1
    again = FactCache(directory)
    assert scan(root, cache=again).to_json() == expected
    assert (again.repaired, again.misses, again.hits) == (0, 0, 1)  # the healed report


def test_a_damaged_pack_heals(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    directory = tmp_path / "c"
    expected = scan(root, cache=FactCache(directory)).to_json()
    (pack,) = directory.rglob("*.pack")
    (report_file,) = directory.rglob("*.report")
    whole, report = pack.read_bytes(), report_file.read_bytes()
    for damage in (
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"junk",
    ):
        pack.write_bytes(damage(whole))
        report_file.write_bytes(damage(report))
        cache = FactCache(directory)
        assert scan(root, cache=cache).to_json() == expected
        assert cache.repaired == 2 and cache.hits == 0  # recomputed, pack and report rewritten
        assert read_pack(pack.read_bytes())[1]
        assert report_file.read_bytes() == report


def _scan_to_json(arguments: tuple[str, str]) -> str:
    root, cache_dir = arguments
    return scan(root, cache=FactCache(Path(cache_dir))).to_json()


def test_two_scans_can_share_a_cache_at_once(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        first, second = pool.map(_scan_to_json, [(str(root), str(tmp_path / "c"))] * 2)
    assert first == second == scan(root).to_json()


def test_cli_cache_options(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    runner = CliRunner()
    cache_dir = tmp_path / "cli-cache"
    result = runner.invoke(
        app,
        ["scan", str(root), "-f", "json", "--cache-dir", str(cache_dir), "--jobs", "2",
         "--fail-on", "never"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"] == "1.1"  # no progress bar on stdout
    assert len(list(cache_dir.rglob("*.pack"))) == 1
    other = tmp_path / "unused-cache"
    result = runner.invoke(
        app,
        ["scan", str(root), "-f", "json", "--cache-dir", str(other), "--no-cache",
         "--fail-on", "never"],
    )
    assert result.exit_code == 0 and not other.exists()
    assert runner.invoke(app, ["scan", str(root), "--jobs", "0"]).exit_code == 2


# Schema sources the first look must keep selecting, and files it must not: flags, bare verbs,
# sentences and docstrings, a bare `import sqlalchemy`.
PREFILTER_SOURCES = {
    "pyproject.toml": '[tool.tabletrace]\nmigration-modules = ["ops/steps.py"]\n',
    "app/__init__.py": "",
    "app/meta.py": "from sqlalchemy import MetaData\n\nmetadata = MetaData()\n",
    "app/tables.py": (
        "from sqlalchemy import Column, Integer, Table\n\nfrom app.meta import metadata\n\n"
        'widgets = Table("widgets", metadata, Column("id", Integer, primary_key=True))\n'
    ),
    "app/bootstrap.py": (
        "from app.meta import metadata\n\n\ndef init(engine):\n    metadata.create_all(engine)\n"
    ),
    "app/models.py": (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import declarative_base, relationship\n\n"
        "from app.links import member_groups\n\nBase = declarative_base()\n\n\n"
        "class Group(Base):\n    __tablename__ = 'groups'\n"
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "class Member(Base):\n    __tablename__ = 'members'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    groups = relationship(Group, secondary=member_groups)\n"
    ),
    "app/links.py": (
        "from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table\n\n"
        "member_groups = Table(\n    'member_groups', MetaData(),\n"
        "    Column('member_id', Integer, ForeignKey('members.id')),\n"
        "    Column('group_id', Integer, ForeignKey('groups.id')),\n)\n"
    ),
    "app/start.py": (
        "from app.models import Base\n\n\nasync def start(conn):\n"
        "    await conn.run_sync(Base.metadata.create_all)\n"
    ),
    "app/service.py": (  # the receiver cannot be resolved: the one MetaData with tables is meant
        "class Service:\n    def __init__(self, db):\n        self.db = db\n\n"
        "    def init(self):\n        self.db.create_all()\n"
    ),
    "app/cli.py": (
        "import argparse\n\nparser = argparse.ArgumentParser()\n"
        'parser.add_argument("--verbose", action="store_true")\nACTION = "update"\n\n\n'
        'def run(kind="delete"):\n    """Update the cache, then select the next item."""\n'
        '    return f"Delete {kind} from the list."\n'
    ),
    "app/plain.py": "import sqlalchemy\n\n\ndef version():\n    return sqlalchemy.__version__\n",
    "db/__init__.py": "",
    "db/ddl.py": 'CREATE_NOTES = "CREATE TABLE notes (id INTEGER PRIMARY KEY)"\n',
    "db/migrations.py": (
        "from db.ddl import CREATE_NOTES\n\n\nasync def m001_initial(db):\n"
        "    await db.execute(CREATE_NOTES)\n"
    ),
    "ops/__init__.py": "",
    "ops/steps.py": (
        "def step_1(cur):\n"
        '    cur.execute("CREATE TABLE gadgets (id INTEGER PRIMARY KEY)")\n'
    ),
    "ops/names.py": "def name():\n    return 'ops'\n",
}


def _recorded_scan(root: Path, **options: object) -> tuple[str, dict[str, bool]]:
    """The JSON report and, per Python file, whether LibCST parsed it."""
    from analyzer import engine

    results: dict[str, engine.Extracted] = {}
    extract = engine.Extractor.extract

    def recording(self: engine.Extractor, jobs: list[engine.Job]) -> dict:
        found = extract(self, jobs)
        results.update(found)
        return found

    engine.Extractor.extract = recording  # type: ignore[method-assign]
    try:
        text = scan(root, **options).to_json()  # type: ignore[arg-type]
    finally:
        engine.Extractor.extract = extract  # type: ignore[method-assign]
    parsed = {path: not r.skipped for path, r in results.items() if path.endswith(".py")}
    return text, parsed


def test_prefilter_keeps_every_schema_source(make_repo) -> None:
    root = make_repo(PREFILTER_SOURCES)
    full, _ = _recorded_scan(root, prefilter=False)
    text, parsed = _recorded_scan(root, prefilter=True)
    assert text == full
    assert sorted(path for path, read in parsed.items() if not read) == [
        "app/__init__.py", "app/cli.py", "app/plain.py", "db/__init__.py", "ops/__init__.py",
        "ops/names.py",
    ]
    report = json.loads(text)
    assert {t["qualified_name"] for t in report["tables"]} == {
        "public.widgets", "public.groups", "public.members", "public.member_groups",
        "public.notes", "public.gadgets",
    }
    kinds = {(s["kind"], s["path"]) for s in report["sources"]}
    assert {("create_all", "app/bootstrap.py"), ("create_all", "app/start.py"),
            ("migration-module", "db/migrations.py"),
            ("migration-module", "ops/steps.py")} <= kinds
    assert ("create-all-unresolved", "app/service.py", 6) in {
        (d["code"], d["path"], d["line"]) for d in report["diagnostics"]
    }


def test_an_error_handler_named_replace_is_no_sql_string(make_repo) -> None:
    """`errors="replace"` (122 times in the corpus) and a patch's `"op": "replace"` were SQL
    strings: counted in the statistics, and each such file parsed with LibCST for nothing."""
    root = make_repo({
        "app/__init__.py": "",
        "app/text.py": (
            "def printable(raw):\n    return raw.decode('ascii', errors='replace')\n\n\n"
            "PATCH = [{'op': 'replace', 'path': '/name'}, {'Action': 'UPSERT'}]\n"
        ),
        "app/store.py": (
            "def save(conn, key, value):\n"
            "    conn.execute('INSERT INTO settings (k, v) VALUES (?, ?)', (key, value))\n"
        ),
    })
    text, parsed = _recorded_scan(root, prefilter=True)
    assert text == _recorded_scan(root, prefilter=False)[0]
    assert parsed == {"app/__init__.py": False, "app/text.py": False, "app/store.py": True}
    report = json.loads(text)
    assert (report["stats"]["sql_strings"], report["stats"]["sql_statements"]) == (1, 1)
    [table] = report["tables"]
    assert table["qualified_name"] == "public.settings"
    assert [(u["path"], u["line"], u["kind"]) for u in table["uses"]] == [
        ("app/store.py", 2, "write")
    ]


def _generator() -> object:
    import importlib.util

    name = "tabletrace_benchmarks_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).parents[1] / "benchmarks" / "generate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_generated_repository_is_identical_with_and_without_the_prefilter(
    tmp_path: Path,
) -> None:
    generator = _generator()
    root = tmp_path / "service"
    profile = generator.Profile(min_lines=20, max_lines=80, mean_lines=40)  # type: ignore[attr-defined]
    generator.generate(root, 60, seed=3, profile=profile)  # type: ignore[attr-defined]
    reference, everything = _recorded_scan(root, jobs=1, prefilter=False)
    assert all(everything.values())
    text, parsed = _recorded_scan(root, jobs=1, prefilter=True)
    assert text == reference
    report = json.loads(text)
    assert report["tables"] and report["sources"]
    # the database-free modules (most of the repository) are not parsed
    assert sum(parsed.values()) < len(parsed) * 0.7
    for jobs in (1, 2):
        assert scan(root, jobs=jobs, prefilter=True).to_json() == reference
        cache = FactCache(tmp_path / f"cache{jobs}")
        assert scan(root, jobs=jobs, cache=cache).to_json() == reference  # cold
        warm = FactCache(tmp_path / f"cache{jobs}")
        assert scan(root, jobs=jobs, cache=warm).to_json() == reference  # warm
        assert warm.hits == 1


HEAVY_MODULES = ("libcst", "sqlglot", "networkx", "pglast", "analyzer.pipeline")

_IMPORT_PROBE = """
import json, sys
from pathlib import Path
from analyzer.cache import FactCache
from analyzer.cli import app  # noqa: F401  (the command line, as `tabletrace` loads it)
import analyzer.render.console, analyzer.render.concise, analyzer.rules  # noqa: E401, F401
loaded_by_cli = sorted(m for m in {heavy!r} if m in sys.modules)
from analyzer import scan  # the function, even once the submodule of that name is loaded
report = scan(sys.argv[1], cache=FactCache(Path(sys.argv[2])))
print(json.dumps([loaded_by_cli, sorted(m for m in {heavy!r} if m in sys.modules),
                  len(report.tables)]))
"""


def _probe(root: Path, cache_dir: Path) -> list:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(heavy=HEAVY_MODULES), str(root),
         str(cache_dir)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


def test_a_scan_answered_from_the_cache_imports_no_pipeline(tmp_path: Path) -> None:
    """The command line, the renderers and the rules import none of LibCST, sqlglot,
    networkx or pglast; a scan whose files did not change answers without them."""
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    cold_cli, cold_scan, tables = _probe(root, tmp_path / "c")
    assert cold_cli == []
    assert cold_scan == sorted(HEAVY_MODULES)  # the cache was empty: the whole pipeline ran
    assert tables > 20
    warm_cli, warm_scan, warm_tables = _probe(root, tmp_path / "c")
    assert (warm_cli, warm_scan, warm_tables) == ([], [], tables)


@pytest.mark.parametrize("jobs", [1, 2])
def test_after_its_first_round_the_extractor_keeps_only_skipped_files_bytes(
    make_repo, jobs: int
) -> None:
    """Only a file the first look skipped can be read again, by a later round: its bytes are
    kept (compressed while worker processes run), the others' are let go; the jobs handed
    over are emptied."""
    import hashlib

    from analyzer.config import Config
    from analyzer.discover import discover
    from analyzer.engine import extraction_jobs

    root = make_repo(PREFILTER_TRAPS)
    settings = Config()
    discovery = discover(root, settings)
    contents = {entry.path: (root / entry.path).read_bytes() for entry in discovery.files}
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in contents.items()}
    jobs_list = extraction_jobs(discovery, contents, digests, settings, None)
    with Extractor(prefilter=True, jobs=jobs) as extractor:
        results = extractor.extract(jobs_list)

    assert jobs_list == []
    assert extractor._compressed is (jobs == 2)  # the first round forked workers
    skipped_first = {path for path, result in results.items() if result.skipped}
    skipped_first |= set(extractor.pulled)  # read in full by a later round
    assert "app/homeserver.py" in extractor.pulled
    assert not results["app/homeserver.py"].skipped
    assert len(skipped_first) < len(results)
    assert {path: extractor._bytes_held(path) for path in extractor._held} == {
        path: contents[path] for path in skipped_first
    }
    if jobs == 2:
        assert sum(map(len, extractor._held.values())) < sum(
            len(contents[path]) for path in skipped_first
        )


def test_a_first_look_keeps_sqlglots_answers_and_takes_them_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`Glance.verdicts`: what the look asked sqlglot; a look told them asks nothing and
    gives the same glance (the early cutoff's look at a changed file imports no sqlglot)."""
    from analyzer.relevance import glance
    from analyzer.sql import detect

    source = (
        b'RECENT = "SELECT id FROM audit_log ORDER BY id DESC"\n'
        b'HELP = "select the rows you want"\n\n\n'
        b"def recent(cur):\n    cur.execute(RECENT)\n"
    )
    first = glance(source, "app.queries", "app/queries.py")
    assert first is not None
    assert first.verdicts == (  # in the order the look met them (last statement first)
        ("select the rows you want", None),  # sqlglot cannot tell: the skeleton test says no
        ("SELECT id FROM audit_log ORDER BY id DESC", True),
    )
    assert first.relevant

    def never(body: str, dialect: str) -> bool | None:
        raise AssertionError(f"sqlglot asked about {body!r}")

    monkeypatch.setattr(detect, "_parse_verdict", never)
    again = glance(source + b"# reviewed\n", "app.queries", "app/queries.py",
                   verdicts=first.verdicts)
    assert again == first


def test_a_first_look_takes_a_subclass_of_sqlalchemy_for_a_factory() -> None:
    """`db = AppSQLAlchemy()` of `class AppSQLAlchemy(SQLAlchemy)` (through any depth of this
    module's classes) marks the file and `db` as `db = SQLAlchemy()` does; a class of the same
    name elsewhere, or a call of an unrelated class, does not."""
    from analyzer.relevance import glance

    source = (
        b"from flask_sqlalchemy import SQLAlchemy\n\n\n"
        b"class TunedSQLAlchemy(SQLAlchemy):\n    pass\n\n\n"
        b"class AppSQLAlchemy(TunedSQLAlchemy):\n    pass\n\n\n"
        b"class Settings:\n    pass\n\n\n"
        b"db = AppSQLAlchemy(session_options={})\n"
        b"settings = Settings()\n"
    )
    look = glance(source, "app.ext", "app/ext.py")
    assert look is not None
    assert look.relevant
    assert look.models == frozenset({"db"})
    assert look.reasons == ("line 16: AppSQLAlchemy()",)

    unrelated = glance(
        b"class AppSQLAlchemy:\n    pass\n\n\ndb = AppSQLAlchemy()\n", "app.other", "app/other.py"
    )
    assert unrelated is not None
    assert not unrelated.relevant
    assert unrelated.models == frozenset()


NEWER_SYNTAX_REPO = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Invoice(Base):\n"
        '    __tablename__ = "invoices"\n'
        "    id = Column(Integer, primary_key=True)\n"
    ),
    # PEP 695 (Python 3.12): `ast` of Python 3.11 cannot parse it, LibCST can
    "app/kinds.py": (
        "from app.models import Invoice\n\n\n"
        "def first[T](items: list[T]) -> T:\n"
        "    return items[0]\n"
    ),
    "app/views.py": (
        "from app.kinds import Invoice\n\n\n"
        "def unpaid(session):\n"
        "    return session.query(Invoice).all()\n"
    ),
}


def test_a_file_the_first_look_cannot_parse_is_opaque_to_the_rounds(make_repo) -> None:
    """`app/kinds.py` uses syntax of a newer Python: without its first look, nothing says what
    it re-exports, so a file importing from it (`app/views.py`, no marker of its own) is read
    anyway, and the report equals the one that reads every file."""

    root = make_repo(NEWER_SYNTAX_REPO)
    with Extractor(prefilter=True) as extractor:
        report = scan_through(extractor, root)
    if sys.version_info < (3, 12):
        assert extractor.pulled["app/views.py"] == (
            "imports Invoice from app/kinds.py, which the first look could not read (syntax "
            "of a newer Python)"
        )
    assert report.to_json() == scan(root, prefilter=False).to_json()
    invoices = report.table("invoices")
    assert invoices is not None
    assert {(u.path, u.line, u.kind) for u in invoices.uses} == {("app/views.py", 5, "read")}


def test_a_revision_importing_nothing_of_alembic_is_read(make_repo) -> None:
    """A base revision (`def upgrade(): pass`, no `from alembic import op`) outside any known
    versions folder: the reader takes it for a revision by its identifiers, so the first look
    does too, and the chain of revisions is the same with and without the pre-filter."""
    from analyzer.relevance import glance

    base = (
        '"""base"""\n\nrevision = "1a0000000001"\ndown_revision = None\n\n\n'
        "def upgrade():\n    pass\n"
    )
    look = glance(base.encode(), "app.history.base", "app/history/base.py")
    assert look is not None and look.reasons == ("line 4: down_revision",)
    root = make_repo({
        "app/__init__.py": "",
        "app/history/1a0000000001_base.py": base,
        "app/history/2b0000000002_users.py": (
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            'revision = "2b0000000002"\ndown_revision = "1a0000000001"\n\n\n'
            "def upgrade():\n"
            '    op.create_table("users", sa.Column("id", sa.Integer))\n'
        ),
    })
    report = scan(root)
    assert report.to_json() == scan(root, prefilter=False).to_json()
    assert sorted(r.revision for r in report.revisions) == ["1a0000000001", "2b0000000002"]
    assert [f.name for f in report.findings if f.name == "broken-revision-graph"] == []


def test_the_closure_asks_each_module_once_per_state_of_what_it_looks_for() -> None:
    """A package whose modules re-export each other (`from .m3 import *`, `from . import m2`,
    as aiida's `orm` does) and define no model: whether a module reaches a model through its
    imports is searched once per module, not once per path to it (aiida: 12 s of rounds ->
    0.3 s). Counted in searches, not seconds; the answers are those of the search itself."""
    from analyzer.relevance import Closure, glance

    count = 40
    sources = {
        f"pkg.m{i}": (
            (f"from .m{i - 1} import *\n" if i else "")
            + (f"from . import m{i - 2}\n" if i > 1 else "")
            + f"def helper_{i}():\n    return {i}\n"
        )
        for i in range(count)
    }
    sources["pkg.models"] = "from sqlalchemy.orm import DeclarativeBase\n\n\n" \
        "class Base(DeclarativeBase):\n    pass\n\n\nclass Item(Base):\n" \
        "    __tablename__ = 'items'\n"
    sources["pkg.uses_models"] = f"from .m{count - 1} import *\nfrom . import models\n"
    modules = []
    for name, text in sorted(sources.items()):
        path = name.replace(".", "/") + ".py"
        look = glance(text.encode(), name, path)
        assert look is not None
        modules.append((path, name, look))
    paths = {name: path for path, name, _ in modules}
    closure = Closure(modules, lambda dotted, importer=None: paths.get(dotted))
    searches = 0
    real = Closure._module_has

    def counted(self, found, module, seen):  # type: ignore[no-untyped-def]
        nonlocal searches
        searches += 1
        return real(self, found, module, seen)

    Closure._module_has = counted  # type: ignore[method-assign]
    try:
        pulled = {path: closure.pulled(path) for path, _, _ in modules}
    finally:
        Closure._module_has = real  # type: ignore[method-assign]
    assert pulled["pkg/uses_models.py"] == "imports models, a model, table or registry"
    assert {path for path, why in pulled.items() if why} == {"pkg/uses_models.py"}
    assert searches < 10 * count
