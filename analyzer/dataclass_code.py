"""Compiled code of the methods `dataclasses` writes, kept across the command's processes.

Why: `@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__` and the
frozen `__setattr__` as source text and compiles it while the module that defines the class
is imported. LibCST defines some 300 node classes, the pipeline and its facts hundreds more:
compiling those texts is most of `import libcst` (0.13 s -> 0.055 s without it) and about a
quarter of importing the pipeline (0.36 s -> 0.27 s), paid by every worker and by every scan
the cache does not answer whole (one query edited: the main process imports both).

The same text compiled by the same interpreter gives the same code, so the command keeps the
code of every text it compiled in a file of the cache directory, keyed by the text itself
(`code/<interpreter>.marshal`, `marshal` being the format `.pyc` files use), and hands
`dataclasses` that code instead of compiling the text again. `install` replaces the `exec`
that `dataclasses` calls (a name its module looks up in its own globals before the builtins)
with `_exec`, which executes the kept code, or compiles the text as `exec` would and notes
it; `save` merges what this process compiled into the file. A text is compiled with no
`__future__` flags inherited, as `exec` compiles it in `dataclasses` (which imports none), and
the file is per interpreter version, bytecode magic number and optimisation level. A file
that cannot be read is ignored, and an entry that does not load is compiled again.

Only the `tabletrace` command installs it (`analyzer.cli`), when it uses a cache directory:
a library has no business replacing a standard module's names inside its caller's process.
Workers forked after `install` inherit it and save what they compiled once their imports are
done (`analyzer.engine`).
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

#: At most this many texts are kept: past it, a save keeps only the texts its process used
#: (libraries upgraded over time leave texts no class writes any more).
MAX_TEXTS = 20_000

_real_exec = builtins.exec
_path: Path | None = None
_table: dict[str, bytes] | None = None  # text -> marshalled code, read on the first class
_new: dict[str, bytes] = {}  # compiled by this process, not in the file when it was read
_used: set[str] = set()


def table_path(directory: Path) -> Path:
    """The file holding the code this interpreter compiles (`marshal` and bytecode are per
    version; the optimisation level changes what `compile` writes)."""
    tag = "-".join(
        (
            sys.implementation.cache_tag or sys.implementation.name,
            importlib.util.MAGIC_NUMBER.hex(),
            f"marshal{marshal.version}",
            f"O{sys.flags.optimize}",
        )
    )
    return directory / "code" / f"{tag}.marshal"


def install(directory: Path) -> None:
    """From now on, `dataclasses` in this process takes kept code for the texts it compiles
    (read from `directory` when the first class is made) and notes the others for `save`."""
    global _path, _table
    _path = table_path(directory)
    _table = None
    _new.clear()
    _used.clear()
    dataclasses.exec = _exec  # type: ignore[attr-defined]


def uninstall() -> None:
    """`dataclasses` compiles its texts again (tests)."""
    global _path, _table
    if getattr(dataclasses, "exec", None) is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _path = None
    _table = None
    _new.clear()
    _used.clear()


def _read(path: Path) -> dict[str, bytes]:
    try:
        loaded = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        text: code
        for text, code in loaded.items()
        if type(text) is str and type(code) is bytes
    }


def _exec(source: object, *args: Any, **kwargs: Any) -> None:
    """`exec` as `dataclasses` calls it (`exec(text, globals, namespace)`): a text's kept code
    when there is one. Any other call (code, keywords such as `closure=`) is `exec`'s own."""
    global _table
    if type(source) is not str or _path is None or kwargs or len(args) > 2:
        _real_exec(source, *args, **kwargs)  # type: ignore[arg-type]
        return
    globals, locals = (*args, None, None)[:2]
    if _table is None:
        _table = _read(_path)
    code: object = None
    kept = _table.get(source)
    if kept is not None:
        try:
            code = marshal.loads(kept)
        except (EOFError, ValueError, TypeError):
            code = None
    if type(code) is not CodeType:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        _new[source] = marshal.dumps(code)
    _used.add(source)
    _real_exec(code, globals, locals)  # type: ignore[arg-type]


def release() -> None:
    """Let go of the kept code once this process's imports are done (a worker, after its
    start: 2 MB a process, counted in the sum of the processes' peak); a class made later is
    compiled as before."""
    global _table
    _table = {}


def save() -> None:
    """Add what this process compiled to the file (merged with what other processes wrote
    since it was read, replaced atomically). Nothing to add, nothing written; a directory
    that cannot be written only means the texts are compiled again next time."""
    if _path is None or not _new:
        return
    merged = _read(_path)
    merged.update(_new)
    if len(merged) > MAX_TEXTS:
        merged = {text: code for text, code in merged.items() if text in _used}
    temporary = _path.with_name(f".{_path.name}.{os.getpid()}.tmp")
    try:
        _path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(merged))
        os.replace(temporary, _path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    _new.clear()


__all__ = ["MAX_TEXTS", "install", "release", "save", "table_path", "uninstall"]
