"""Shared fixtures: the sample repository's report and tiny throwaway repositories."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from analyzer import Report, scan

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_repo"

MakeRepo = Callable[[dict[str, str | bytes]], Path]

#: An Alembic environment's `env.py` that runs the revisions on `sqlalchemy.url` (the test
#: repositories that real Alembic upgrades or stamps)
ALEMBIC_ENV_PY = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run():
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


run()
'''


def alembic_config(root: Path, url: str) -> Any:
    """Real Alembic's configuration for the test repository at `root` (its `alembic.ini`,
    `migrations/` as the script location) on the database `url`."""
    from alembic.config import Config

    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


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


@contextmanager
def importable(root: Path, package: str = "app") -> Iterator[None]:
    """`root` on `sys.path`, so a test can import the repository it scanned and ask the real
    library; `package` is forgotten before (another test's repository used the same name) and
    after."""

    def forget() -> None:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]

    forget()
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        forget()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CLI scans cache facts; in tests, never in the user's real cache directory."""
    import os

    os.environ["TABLETRACE_CACHE_DIR"] = str(tmp_path_factory.mktemp("tabletrace-cache"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by selenium through ChromeDriver (skipped if absent)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("Chromium and ChromeDriver are not installed (apt-get install chromium "
                    "chromium-driver; .ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield driver
    finally:
        driver.quit()
