"""Shared fixtures: the sample repository's report and tiny throwaway repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer import Report, scan

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_repo"

MakeRepo = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture(scope="session")
def sample_report() -> Report:
    return scan(SAMPLE)


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Write `{relative path: text or bytes}` under a fresh directory and return it."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        for relative, content in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        return root

    return make


def uses_of(report: Report, table: str) -> set[tuple[str, int, str]]:
    found = report.table(table)
    assert found is not None, f"{table} not in report: {[t.qualified_name for t in report.tables]}"
    return {(u.path, u.line, u.kind) for u in found.uses}


def table_names(report: Report) -> set[str]:
    return {t.qualified_name for t in report.tables}


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CLI scans cache facts; in tests, never in the user's real cache directory."""
    import os

    os.environ["TABLETRACE_CACHE_DIR"] = str(tmp_path_factory.mktemp("tabletrace-cache"))
