"""Each file is parsed by CPython's parser at most once per reading (`engine._run_job`), and
the main process, which parses nothing when workers do, does not import LibCST."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from analyzer import engine
from analyzer.engine import NESTING_CHECK_THRESHOLD, run_job
from tests.test_gc_discipline import job_for

# Enough brackets for the nesting check to ask `ast` (as in synapse's largest storage modules),
# and SQL, so the first look sends the file on to LibCST.
BRACKETY = (
    'QUERY = "SELECT id FROM accounts WHERE id = %s"\n\n\n'
    "def load(cur, ids):\n"
    + "".join(f"    cur.execute(QUERY, ({i},))\n" for i in range(NESTING_CHECK_THRESHOLD))
).encode()


@pytest.fixture()
def ast_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = ast.parse

    def counting(source: object, *args: object, **kwargs: object) -> ast.AST:
        calls.append(1)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", counting)
    return calls


def test_a_first_look_that_parsed_the_file_is_not_repeated(ast_parses: list[int]) -> None:
    job = dataclasses.replace(job_for("app/db/queries.py"), data=BRACKETY, prefilter=True)

    extracted = run_job(job)

    assert len(ast_parses) == 1  # the first look's; LibCST parses on its own
    # and the outline kept for the next scan's early cutoff (`analyzer.outline`) is its too
    assert extracted.outline is not None
    assert extracted.outline.spans == ((1, 1), (4, 4 + NESTING_CHECK_THRESHOLD))
    assert extracted.python is not None and not extracted.skipped
    texts = {p.text for c in extracted.python.candidates for p in c.parts if hasattr(p, "text")}
    assert "SELECT id FROM accounts WHERE id = %s" in texts


def test_a_skipped_files_first_look_keeps_its_outline(ast_parses: list[int]) -> None:
    """A later round may read the file in full, in a job without a tree: the outline for the
    next scan's early cutoff comes from this parse."""
    job = dataclasses.replace(
        job_for("app/db/queries.py"), data=b"def shout(word):\n    return word.upper()\n",
        prefilter=True,
    )

    extracted = run_job(job)

    assert extracted.skipped and len(ast_parses) == 1
    assert extracted.outline is not None and extracted.outline.spans == ((1, 2),)


def test_a_round_reads_a_file_its_first_look_parsed_without_ast(ast_parses: list[int]) -> None:
    job = dataclasses.replace(
        job_for("app/db/queries.py"), data=BRACKETY, prefilter=False, ast_parses=True
    )

    run_job(job)

    assert ast_parses == []


def test_without_a_first_look_the_nesting_is_still_checked(ast_parses: list[int]) -> None:
    job = dataclasses.replace(job_for("app/db/queries.py"), data=BRACKETY, prefilter=False)

    run_job(job)

    assert len(ast_parses) == 1  # `_too_deep`'s


def test_the_hint_never_changes_a_result() -> None:
    job = dataclasses.replace(job_for("app/db/queries.py"), data=BRACKETY, prefilter=False)

    assert run_job(dataclasses.replace(job, ast_parses=True)) == run_job(job)
    assert engine.job_key(dataclasses.replace(job, ast_parses=True)) == engine.job_key(job)


def test_the_pipeline_imports_neither_libcst_nor_the_stages_after_extraction() -> None:
    """With worker processes the main process parses nothing: importing LibCST (about 0.1 s)
    is left to the processes that parse. The stages after extraction (networkx, sources,
    graph: 14 MB) come in when extraction is done, not while the workers run. Run in a fresh
    interpreter to see what loads."""
    import subprocess
    import sys

    program = (
        "import sys\nimport analyzer.pipeline\n"
        "print([m in sys.modules for m in ('libcst', 'networkx', 'analyzer.analysis')])\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True)

    assert done.stdout.strip() == "[False, False, False]"


def test_once_workers_exist_they_read_even_a_single_file(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A late round of one file went to the main process, which then imported LibCST for it
    (0.1 s): the workers forked for the first round have it already."""
    in_main: list[str] = []
    real = engine.run_job

    def recording(job: engine.Job) -> engine.Extracted:
        in_main.append(job.path)  # the workers' copy appends to their own list
        return real(job)

    monkeypatch.setattr(engine, "run_job", recording)
    first = [job_for(name) for name in ("app/db/queries.py", "app/db/tables.py",
                                        "app/models/character.py", "alembic/env.py")]
    late = job_for("app/characters/repository.py")

    with engine.Extractor(jobs=2) as extractor:
        assert len(list(extractor._map([late]))) == 1
        assert in_main == [late.path]  # no workers yet: a lone file is read here
        assert len(list(extractor._map(first))) == 4
        in_main.clear()
        [(extracted, pickled, ahead)] = list(extractor._map([late]))

    assert in_main == []
    assert pickled is not None  # a worker's pickle
    assert extracted == real(late)
    assert ahead is not None  # and its analyses of the file's literal SQL
