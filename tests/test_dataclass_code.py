"""The command keeps the code `dataclasses` compiles (`analyzer.dataclass_code`): a class made
with kept code behaves as one made by compiling, and the command's processes (workers too)
save every text the scan's imports compile."""

from __future__ import annotations

import dataclasses
import inspect
import json
import marshal
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import dataclass_code


@pytest.fixture
def keeper(tmp_path: Path) -> Iterator[Path]:
    dataclass_code.install(tmp_path)
    try:
        yield dataclass_code.table_path(tmp_path)
    finally:
        dataclass_code.uninstall()


def _define() -> type:
    """A class with every method `dataclasses` writes as text: `__init__` with a default and a
    factory, `__repr__`, `__eq__`, the order methods, `__hash__`, the frozen `__setattr__`
    and `__delattr__`."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 2
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    return Point


def _methods(cls: type) -> dict[str, object]:
    names = ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__")
    return {
        name: (
            str(inspect.signature(getattr(cls, name))),
            getattr(cls, name).__annotations__,
            getattr(cls, name).__code__.co_code,
            getattr(cls, name).__code__.co_names,
        )
        for name in names
    }


def test_a_class_made_from_kept_code_is_the_class_compiling_makes(keeper: Path) -> None:
    """The first definition compiles its texts and the save keeps them; after a new install
    (another process, in effect) the same definition compiles none and every method has the
    same signature, annotations (this test module's `from __future__ import annotations` does
    not leak into the compiled texts) and bytecode as a class made without the keeper."""
    first = _define()
    compiled = set(dataclass_code._new)
    assert len(compiled) == 10  # init, repr, eq, lt, le, gt, ge, hash, setattr, delattr
    assert sum(" def __init__(self,x:_type_x," in text for text in compiled) == 1
    dataclass_code.save()
    kept = marshal.loads(keeper.read_bytes())
    assert set(kept) >= compiled and not dataclass_code._new

    dataclass_code.install(keeper.parent.parent)
    again = _define()
    assert dataclass_code._new == {}  # every text came from the file
    assert len(dataclass_code._used) == 10
    dataclass_code.uninstall()
    plain = _define()
    assert not hasattr(dataclasses, "exec")
    assert _methods(again) == _methods(plain) == _methods(first)
    assert _methods(again)["__init__"][1] == {"x": "int", "y": "int", "tags": "tuple[str, ...]",
                                               "return": None}
    point = again(1, tags=("a",))
    assert repr(point).endswith("Point(x=1, y=2, tags=('a',))")
    assert point == again(1, 2, ("a",)) and point < again(2)
    assert hash(point) == hash(again(1, 2, ("a",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]


def test_a_damaged_file_or_entry_is_compiled_again(keeper: Path) -> None:
    keeper.parent.mkdir(parents=True)
    keeper.write_bytes(b"not marshal at all")
    made = _define()(1)
    assert made.y == 2 and len(dataclass_code._new) == 10
    dataclass_code.save()
    table = marshal.loads(keeper.read_bytes())
    damaged = {text: b"\x00broken" for text in table}
    keeper.write_bytes(marshal.dumps(damaged))
    dataclass_code.install(keeper.parent.parent)
    assert _define()(5, 6).y == 6
    assert set(dataclass_code._new) == set(table)  # each entry compiled again, and kept
    dataclass_code.save()
    repaired = marshal.loads(keeper.read_bytes())
    assert set(repaired) == set(table)
    assert all(marshal.loads(code) == compile(text, "<string>", "exec", dont_inherit=True)
               for text, code in repaired.items())


def test_past_the_bound_a_save_keeps_only_the_texts_it_used(keeper: Path, monkeypatch
                                                              ) -> None:
    keeper.parent.mkdir(parents=True)
    stale = {f"def __create_fn__():\n def f{n}(): pass\n return f{n}": b"" for n in range(5)}
    keeper.write_bytes(marshal.dumps(stale))
    monkeypatch.setattr(dataclass_code, "MAX_TEXTS", 10)
    _define()
    dataclass_code.save()
    assert set(marshal.loads(keeper.read_bytes())) == dataclass_code._used
    assert len(dataclass_code._used) == 10


def test_an_unwritable_directory_leaves_the_class_working(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    dataclass_code.install(blocker)
    try:
        assert _define()(1).y == 2
        dataclass_code.save()  # no error: the texts are compiled again next time
        assert blocker.read_text() == "a file where the directory should be"
    finally:
        dataclass_code.uninstall()


def _command(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = ["tabletrace", *args]
    code = f"import sys\nfrom analyzer.cli import main\nsys.argv = {argv!r}\nmain()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)


def test_the_command_and_its_workers_keep_every_text_their_imports_compile(
        make_repo, tmp_path: Path) -> None:
    """A cold `--jobs 2` scan: its workers import LibCST and the readers, the main process
    the pipeline and the report model; a fresh interpreter importing all of them afterwards
    compiles nothing. The kept code changes no report (against `--no-cache`, which neither
    reads nor writes it), and `app()` in a test process leaves `dataclasses` alone."""
    root = make_repo({
        "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n',
        "app/models.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
                         "class User(Base):\n    __tablename__ = 'users'\n",
        "sql/schema.sql": "CREATE TABLE users (id int);\n",
    })
    env = {**os.environ, "TABLETRACE_CACHE_DIR": str(tmp_path / "root")}
    reports = []
    for n, extra in enumerate((["--cache-dir", str(tmp_path / "facts1")],
                               ["--cache-dir", str(tmp_path / "facts2")], ["--no-cache"])):
        out = tmp_path / f"out{n}.json"
        done = _command(["scan", str(root), "--jobs", "2", "--format", "json", "--output",
                         str(out), *extra], env)
        assert done.returncode == 1, done.stderr
        reports.append(out.read_bytes())
    assert reports[0] == reports[1] == reports[2]
    assert [t["name"] for t in json.loads(reports[0])["tables"]] == ["ghosts", "users"]
    table = dataclass_code.table_path(tmp_path / "root")
    assert table.exists() and not (tmp_path / "facts1" / "code").exists()
    check = subprocess.run(
        [sys.executable, "-c",
         "from pathlib import Path\nfrom analyzer import dataclass_code as d\n"
         f"d.install(Path({str(tmp_path / 'root')!r}))\n"
         "import libcst, analyzer.readers.python_module, analyzer.pipeline, analyzer.analysis\n"
         "import analyzer.models\nprint(len(d._new), len(d._used))\n"],
        capture_output=True, text=True, check=True)
    new, used = map(int, check.stdout.split())
    assert new == 0 and used > 1000  # LibCST's node classes among them


def test_app_in_this_process_leaves_dataclasses_alone(make_repo, tmp_path: Path,
                                                      monkeypatch) -> None:
    from typer.testing import CliRunner

    from analyzer.cli import app

    monkeypatch.setenv("TABLETRACE_CACHE_DIR", str(tmp_path / "root"))
    root = make_repo({"sql/schema.sql": "CREATE TABLE users (id int);\n"})
    done = CliRunner().invoke(app, ["scan", str(root), "--format", "json", "--jobs", "1"])
    assert done.exit_code == 0, done.output
    assert not hasattr(dataclasses, "exec")
    assert not (tmp_path / "root" / "code").exists()


def test_other_calls_are_execs_own(keeper: Path) -> None:
    """Code objects and calls with keywords go to `exec` untouched and are not kept."""
    namespace: dict[str, object] = {}
    dataclasses.exec(compile("made = 1", "<test>", "exec"), namespace)  # type: ignore[attr-defined]
    dataclasses.exec("also = 2", namespace, closure=None)  # type: ignore[attr-defined]
    assert namespace["made"] == 1 and namespace["also"] == 2
    assert dataclass_code._new == {}
    dataclasses.exec("kept = 3", namespace, namespace)  # type: ignore[attr-defined]
    assert namespace["kept"] == 3 and list(dataclass_code._new) == ["kept = 3"]


def test_after_release_a_class_is_compiled_and_the_file_is_not_read_again(keeper: Path
                                                                          ) -> None:
    _define()
    dataclass_code.save()
    dataclass_code.install(keeper.parent.parent)
    _define()
    assert dataclass_code._new == {}
    dataclass_code.release()
    keeper.write_bytes(b"damaged after the release: never read")
    made = _define()(1)
    assert made.y == 2 and len(dataclass_code._new) == 10
