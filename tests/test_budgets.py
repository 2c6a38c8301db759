"""Time and size budgets give the same report every time: a timeout is cached (keyed by the
budget), and Python files above --max-file-size that would need the full parse are not parsed."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analyzer.engine
from analyzer import scan
from analyzer.cache import FactCache
from analyzer.cli import app
from analyzer.models import Report

runner = CliRunner()
SLOW = "def run(cur):\n" + "".join(
    f'    cur.execute("SELECT id FROM slow_{i % 7} WHERE id = {i}")\n' for i in range(6000)
)


def diagnosed(report: Report) -> set[tuple[str, str]]:
    return {(d.code, d.path) for d in report.diagnostics}


def test_a_timeout_is_cached_so_a_warm_scan_reports_it_again(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"app/slow.py": SLOW, "app/other.py": 'Q = "SELECT * FROM other"\n'})
    cache = tmp_path / "cache"
    gc.collect()
    gc.disable()
    try:
        cold = scan(root, file_timeout=0.2, cache=FactCache(cache))
    finally:
        gc.enable()
    assert diagnosed(cold) == {("file-timeout", "app/slow.py")}

    parsed: list[str] = []
    real_run_job = analyzer.engine.run_job

    def counting(job: analyzer.engine.Job) -> analyzer.engine.Extracted:
        parsed.append(job.path)
        return real_run_job(job)

    monkeypatch.setattr(analyzer.engine, "run_job", counting)
    # another file changes, so the report is rebuilt from the per-file cache
    (root / "app" / "other.py").write_text('Q = "SELECT * FROM other_two"\n')
    warm = scan(root, file_timeout=0.2, cache=FactCache(cache))
    assert diagnosed(warm) == {("file-timeout", "app/slow.py")}
    assert warm.diagnostics == cold.diagnostics
    assert parsed == ["app/other.py"]  # the slow file was not parsed again
    # the budget is part of the key: a longer budget reads the file in full
    generous = scan(root, file_timeout=60, cache=FactCache(cache))
    assert generous.diagnostics == [] and generous.table("slow_3") is not None
    assert "app/slow.py" in parsed


BIG_SQL_MODULE = "def run(cur):\n" + "".join(
    f'    cur.execute("SELECT * FROM generated_{i % 5} WHERE id = {i}")\n' for i in range(200)
)
BIG_PLAIN_MODULE = "".join(f'VALUE_{i} = "plain text number {i}"\n' for i in range(400))


def test_max_file_size_skips_big_python_files_that_need_the_full_parse(make_repo) -> None:
    assert len(BIG_SQL_MODULE) > 10_000 and len(BIG_PLAIN_MODULE) > 10_000
    root = make_repo(
        {
            "app/generated.py": BIG_SQL_MODULE,
            "app/constants.py": BIG_PLAIN_MODULE,
            "app/small.py": 'Q = "SELECT * FROM small_t"\n',
            "sql/dump.sql": "".join(f"INSERT INTO t VALUES ({i});\n" for i in range(1000))
            + "CREATE TABLE dumped (id int);\n",
        }
    )
    limited = scan(root, {"max_file_size": "10KB"})
    (diagnostic,) = limited.diagnostics
    assert (diagnostic.code, diagnostic.path, diagnostic.line) == (
        "file-too-large", "app/generated.py", None,
    )
    assert diagnostic.message.startswith("this Python file is ")
    assert "above the 10240 bytes limit" in diagnostic.message
    assert limited.table("generated_1") is None  # not parsed: nothing guessed
    assert limited.table("small_t") is not None  # the rest is read
    assert limited.table("dumped") is not None  # SQL files are always read
    assert limited.config["max_file_size"] == 10240
    # the same bytes under the default limit are read (the too-large result is not cached)
    full = scan(root)
    assert full.diagnostics == [] and full.table("generated_1") is not None
    assert scan(root, {"max_file_size": 0}).diagnostics == []
    # same answer with or without the pre-filter
    assert scan(root, {"max_file_size": "10KB"}, prefilter=False).to_json() == limited.to_json()


def test_max_file_size_from_pyproject_and_cli(make_repo) -> None:
    root = make_repo(
        {
            "app/generated.py": BIG_SQL_MODULE,
            "pyproject.toml": '[tool.tabletrace]\nmax-file-size = "8KB"\n',
        }
    )
    assert diagnosed(scan(root)) == {("file-too-large", "app/generated.py")}
    result = runner.invoke(
        app, ["scan", str(root), "-f", "json", "--max-file-size", "1MB", "--no-cache"]
    )
    assert result.exit_code in (0, 1), result.output
    assert Report.model_validate_json(result.stdout).diagnostics == []
    bad = runner.invoke(app, ["scan", str(root), "--max-file-size", "lots", "--no-cache"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("tabletrace: --max-file-size: 'lots' is not a size")
    (root / "pyproject.toml").write_text('[tool.tabletrace]\nmax-file-size = "big"\n')
    config_error = runner.invoke(app, ["scan", str(root), "--no-cache"])
    assert config_error.exit_code == 2 and "max_file_size" in config_error.stderr
