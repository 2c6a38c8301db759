"""Speed features never change a byte of the report: workers, cache, pre-filter, increments."""

from __future__ import annotations

import json
import multiprocessing
import pickle
import shutil
import sys
from pathlib import Path

from typer.testing import CliRunner

from analyzer import scan
from analyzer.cache import Entry, FactCache, read_pack, write_pack
from analyzer.cli import app
from analyzer.engine import looks_relevant
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
    "app/broken.py": "def f(:\n    return 1\n",
    "app/unrelated.py": '"""Update the cache."""\n\n\ndef select(items):\n    return items[0]\n',
}


def test_prefilter_first_look() -> None:
    assert looks_relevant(b'q = "SELECT 1"')
    assert looks_relevant(b"x = f'''\n   with recent as (select 1) select * from recent'''")
    assert looks_relevant(b"from sqlalchemy import select")
    assert not looks_relevant(b'"""Update the cache."""\ndef select(items): return items')
    assert not looks_relevant(b"AUDIT_TABLE = 'audit_log'")


def test_prefilter_never_changes_the_report(make_repo) -> None:
    root = make_repo(PREFILTER_TRAPS)
    full = scan(root, prefilter=False)
    assert scan(root, prefilter=True).to_json() == full.to_json()
    assert {t.qualified_name for t in full.tables} == {"public.audit_log", "public.tickets"}
    assert ("app/broken.py", "python-syntax-error") in {
        (d.path, d.code) for d in full.diagnostics
    }


def test_prefilter_skips_what_cannot_matter(make_repo) -> None:
    from analyzer.engine import Extractor

    root = make_repo(PREFILTER_TRAPS)
    with Extractor(prefilter=True) as extractor:
        scan_module = sys.modules["analyzer.scan"]
        real = scan_module.Extractor
        scan_module.Extractor = lambda **kwargs: extractor  # type: ignore[assignment,misc]
        try:
            scan(root)
        finally:
            scan_module.Extractor = real  # type: ignore[misc]
    # only the unrelated module and the empty __init__ stay unparsed
    assert extractor.skipped_files == 2


def test_sample_repo_is_identical_with_workers_cache_and_prefilter(tmp_path: Path) -> None:
    reference = scan(SAMPLE, jobs=1, prefilter=False).to_json()
    assert scan(SAMPLE, jobs=2).to_json() == reference
    cache = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=2, cache=cache).to_json() == reference  # cold
    warm = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=1, cache=warm).to_json() == reference  # warm: the cached report
    assert (warm.hits, warm.misses) == (1, 0)
    (pack,) = (tmp_path / "cache").rglob("*.pack")  # drop the cached report (JSON bytes)
    generation, entries = read_pack(pack.read_bytes())
    kept = {k: e for k, e in entries.items() if not isinstance(pickle.loads(e.data), bytes)}
    assert len(kept) == len(entries) - 1
    pack.write_bytes(write_pack(generation, kept))
    facts_only = FactCache(tmp_path / "cache")
    assert scan(SAMPLE, jobs=1, cache=facts_only).to_json() == reference
    assert facts_only.misses == 1 and facts_only.hits > 90


def test_one_changed_file_is_the_only_one_extracted_again(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    scan(root, cache=FactCache(tmp_path / "c"))
    changed = root / "app" / "db" / "queries.py"
    changed.write_text('RECENT = "SELECT id FROM audit_archive ORDER BY id"\n')
    cache = FactCache(tmp_path / "c")
    report = scan(root, cache=cache)
    assert cache.misses == 2  # the changed file's facts and the report; everything else hits
    assert report.to_json() == scan(root, prefilter=False).to_json()
    assert "public.audit_archive" in {t.qualified_name for t in report.tables}


def test_corrupt_cache_entries_heal(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    directory = tmp_path / "c"
    expected = scan(root, cache=FactCache(directory)).to_json()
    (pack,) = directory.rglob("*.pack")
    generation, entries = read_pack(pack.read_bytes())
    damaged = {  # truncated and foreign entries, the report's too, in a pack that is whole
        key: Entry(b"" if index % 2 else b"\x80\x04 not a pickle", entry.generation)
        for index, (key, entry) in enumerate(sorted(entries.items()))
    }
    pack.write_bytes(write_pack(generation, damaged))
    cache = FactCache(directory)
    assert scan(root, cache=cache).to_json() == expected
    assert cache.repaired == len(entries)
    again = FactCache(directory)
    assert scan(root, cache=again).to_json() == expected
    assert (again.repaired, again.misses, again.hits) == (0, 0, 1)  # the healed report


def test_a_damaged_pack_heals(make_repo, tmp_path: Path) -> None:
    root = make_repo(PREFILTER_TRAPS)
    directory = tmp_path / "c"
    expected = scan(root, cache=FactCache(directory)).to_json()
    (pack,) = directory.rglob("*.pack")
    whole = pack.read_bytes()
    for damage in (whole[: len(whole) // 2], whole[:-1] + bytes([whole[-1] ^ 1]), b"junk"):
        pack.write_bytes(damage)
        cache = FactCache(directory)
        assert scan(root, cache=cache).to_json() == expected
        assert cache.repaired == 1 and cache.hits == 0  # recomputed, and the pack rewritten
        assert read_pack(pack.read_bytes())[1]


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
