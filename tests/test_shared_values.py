"""A file's facts keep each name and each first-look set once, so that its pickle stores and
the main process unpickles each once: LibCST gives every occurrence of a name its own string,
and every unpickled frozenset is a new object (216 bytes even when empty). At 5,000 modules
the main process held 600,000 duplicate strings and 77,000 empty frozensets before."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator

from analyzer.engine import run_job
from analyzer.python import expr as ir
from tests.test_gc_discipline import job_for

SOURCE = b'''\
import sqlalchemy as sa
from app.db import connection, engine

def first(conn, limit):
    return conn.execute(sa.text("SELECT id FROM users LIMIT :limit"), {"limit": limit})

def second(conn, limit):
    rows = conn.execute(sa.text("SELECT id FROM orders LIMIT :limit"), {"limit": limit})
    return [row for row in rows]

def third(limit):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM items"), {"limit": limit})
'''


def _walk(value: object) -> Iterator[object]:
    """Every object reachable from `value`, once per reference (facts hold no cycles)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, int, float, bool, type(None), bytes)):
            continue
        yield item
        if isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif dataclasses.is_dataclass(item):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))


def _unpickled(path: str, data: bytes, prefilter: bool) -> object:
    job = job_for("app/db/queries.py", path=path, module=path[:-3].replace("/", "."),
                  data=data, prefilter=prefilter)
    return pickle.loads(pickle.dumps(run_job(job), protocol=pickle.HIGHEST_PROTOCOL))


def test_equal_names_in_a_files_facts_are_one_string_once_unpickled() -> None:
    extracted = _unpickled("app/repo.py", SOURCE, prefilter=False)
    names = [node.name for node in _walk(extracted) if isinstance(node, (ir.Global, ir.Param))]
    attrs = [node.attr for node in _walk(extracted) if isinstance(node, ir.Attr)]
    assert names.count("conn") >= 3 and names.count("limit") >= 3 and attrs.count("execute") >= 3
    for values in (names, attrs):
        assert len({id(value) for value in values}) == len(set(values))


def test_equal_sets_of_a_first_look_are_one_object_once_unpickled() -> None:
    skipped = b"from app.models import Base\n" + b"".join(
        f"def f{i}(x):\n    return x\n".encode() for i in range(6)
    )
    extracted = _unpickled("app/plain.py", skipped, prefilter=True)
    glance = extracted.glance  # type: ignore[attr-defined]
    assert glance is not None
    sets = [item for item in _walk(glance) if isinstance(item, frozenset)]
    assert len(sets) > 6
    assert len({id(item) for item in sets}) == len(set(sets))
