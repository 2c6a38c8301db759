"""Python sources that `analyzer.python.positions` and `.walk` are checked on against LibCST.

Two parts: every `.py` file of this repository's `analyzer/`, `tests/` and `sample_repo/`
(real code of all shapes), and small generated sources for the corners of LibCST's codegen and
whitespace ownership (f- and t-strings, decorators, continuations, `\\r\\n` and `\\r`, tabs, BOM,
coding cookies, empty files, semicolons, comments, parentheses), each also with `\\r\\n` and
`\\r` newlines.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

import libcst as cst

REPO = Path(__file__).resolve().parent.parent

SNIPPETS: dict[str, bytes] = {
    "empty": b"",
    "only-newline": b"\n",
    "blank-lines": b"\n\n   \n\t\n",
    "comment-no-newline": b"# just a comment",
    "statement-no-newline": b"x = 1",
    "compound-no-newline": b"if x:\n    y = 1",
    "bom": b"\xef\xbb\xbfimport os\nprint(os.sep)\n",
    "bom-crlf": b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\ny = x\r\n",
    "coding-cookie": "# -*- coding: latin-1 -*-\ns = 'café'  # é\nt = s\n".encode("latin-1"),
    "coding-cookie-line2": b"#!/usr/bin/env python\n# vim: set fileencoding=utf-8 :\nx = 1\n",
    "semicolons": b"a = 1; b = 2;  c = 3  # three\nd = 4 ;\nimport os; import sys\n",
    "comments": (
        b"# header\n\n# leading\nx = [  # open\n    1,  # one\n    # alone\n    2\n]  # close\n"
        b"def f(  # args\n    a,  # a\n):  # colon\n    # body\n    return a  # ret\n"
        b"    # dedented trailing comment\n# footer\n"
    ),
    "continuations": (
        b"x = 1 + \\\n    2 + \\\n\t3\nif a and \\\n   b:\n    pass\n"
        b"assert x, \\\n    'message'\nwith open(p) as f, \\\n     open(q) as g:\n    pass\n"
    ),
    "tabs": b"if x:\n\ty = 1\n\tif y:\n\t\tz = {'a':\t1}\n\telse:\n\t\tpass\nw\t=\t2\n",
    "parentheses": (
        b"x = ((a))\ny = (a) + ((b) * (c))\nz = ((yield))\nw = (  # c\n    a\n)\n"
        b"t = (1,)\nu = ()\nv = (lambda: (x))()\nprint((a for a in b))\nq = [(a) for (a) in (b)]\n"
        b"if (x):\n    pass\nfrom m import (a,\n    b,\n)\nfrom m import (c)\nr = (x := 1)\n"
    ),
    "decorators": (
        b"@a\n@b.c(d, e=1)\n@  spaced  \n# between\n@(lambda f: f)\nclass X(Base, metaclass=M):\n"
        b"    @property\n    def p(self) -> int:\n        return 1\n\n    @staticmethod\n"
        b"    async def q(*args, **kwargs) -> None: ...\n"
    ),
    "fstrings": (
        b'a = f"{x}"\nb = f"{x!r:>{width}} {y:.{p}f} {{literal}}"\n'
        b"c = f'{x=}' f\"{y = !r:^10}\" f'''{z\n=}'''\n"
        b'd = f"{f\'{x}\'}" + f"{[i for i in y]!s}"\n'
        b'e = f"""multi\n{line:{w}}\n  {other!a}"""\n'
        b"g = rf'\\d{x}' F\"{x}\"\ngb = Rb'raw' b'x'\n"
        b'h = f"{ x }{ (lambda: 1)() }{x if y else z}"\n'
        b"i = f\"{'nested ' f'{deep:{w}}'}\"\n"
        b'j = f"{x:{"inner"}}"\n'
    ),
    "strings": (
        b"a = 'x' \"y\" '''z''' \"\"\"w\"\"\"\nb = b'\\x00' rb'\\\\'\nu = u'u'\n"
        b"c = ('implicit '\n     'concatenation')\nd = '\\\\\\n'\n"
        b"e = 'caf\xc3\xa9 \xf0\x9f\x98\x80'\n"
        b"\xc3\xa9t\xc3\xa9 = '\xe2\x82\xac'  # non-ascii name\n"
    ),
    "statements": (
        b"import a.b as c\nfrom . import d\nfrom ..e import *\nglobal g\ndel x[0], y.z\n"
        b"for i, (j, k) in enumerate(z):\n    continue\nelse:\n    break\n"
        b"while True:\n    pass\nelse:\n    pass\n"
        b"try:\n    raise E from F\nexcept (A, B) as e:\n    pass\nexcept C:\n    pass\n"
        b"else:\n    pass\nfinally:\n    pass\n"
        b"try:\n    pass\nexcept* ValueError:\n    pass\n"
        b"with (open(a) as b, open(c) as d):\n    pass\n"
        b"x: int = 1\ny += 2\nz **= 3\na = b = c\nreturn_ = not x\n"
        b"async def f():\n    async with a as b:\n        await b\n"
        b"    async for x in y:\n        yield x\n    nonlocal_ = [x async for x in y]\n"
        b"match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n"
        b"        pass\n    case Point(x=0) | None:\n        pass\n    case _:\n        pass\n"
        b"def g[T: int, *Ts, **P](a: T, /, b=1, *, c: 'T' = 2) -> T:\n    return a\n"
        b"type Alias[T] = list[T]\nclass K[T]:\n    pass\n"
    ),
    "expressions": (
        b"a = x[1:2, ::3, ...]\nb = {**d, 'k': v}\nc = {x for x in y if x}\n"
        b"d = {k: v for k, v in z}\ne = [*a, *b]\nf(*args, **kwargs, key=v)\n"
        b"g = lambda x, /, y=1, *a, z, **k: (x, y)\nh = x if y else z\ni = -x ** ~y\n"
        b"j = a < b <= c is not d not in e\nk = a @ b // c % d << e >> f & g | h ^ i\n"
        b"l = not a and b or c\nm = await_ = x.y.z().w[0]\nn = 1_000j + 0x_ff + 1e-3 + .5\n"
    ),
    "whitespace-oddities": (
        b"x = 1   \ny = [\n\n    1,\n\n]\n\n\n\ndef f():\n\n    pass\n   \n\x0c\nz = ( 1 )\n"
        b"if x :\n  pass\nelif  y:\n    pass\n"
    ),
    "deep-indentation": b"".join(
        b"    " * depth + b"if x%d:\n" % depth for depth in range(30)
    ) + b"    " * 30 + b"pass\n",
}

# t-strings exist in LibCST versions that know Python 3.14's template strings.
if hasattr(cst, "TemplatedString"):
    SNIPPETS["tstrings"] = (
        b't1 = t"hello {name}"\nt2 = t"{x!r:>{width}} {y=} {{lit}}"\n'
        b"t3 = t'''multi\n{line}''' + f'{a}'\n"
    )


def _newline_variants() -> dict[str, bytes]:
    variants = {}
    for name, source in SNIPPETS.items():
        if b"\n" not in source:
            continue
        for label, newline in (("crlf", b"\r\n"), ("cr", b"\r")):
            variants[f"{name}-{label}"] = source.replace(b"\n", newline)
    return variants


@cache
def snippet_sources() -> dict[str, bytes]:
    """The generated sources: every snippet, and each newline variant LibCST accepts (it
    rejects a coding cookie ended by a lone `\r`, as CPython does)."""
    out = dict(SNIPPETS)
    for name, source in _newline_variants().items():
        try:
            cst.parse_module(source)
        except (cst.ParserSyntaxError, SyntaxError):
            continue
        out[name] = source
    return out


@cache
def repository_files() -> list[str]:
    """This repository's own Python files, relative paths, sorted; not those CPython cannot
    parse either (`sample_repo` keeps a Python 2 file on purpose)."""
    found = []
    for folder in ("analyzer", "tests", "sample_repo"):
        for path in (REPO / folder).rglob("*.py"):
            try:
                ast.parse(path.read_bytes())
            except SyntaxError:
                continue
            found.append(path.relative_to(REPO).as_posix())
    return sorted(found)


def parsed(name: str) -> cst.Module:
    """A fresh parse (trees are not kept: thousands of live nodes make every later garbage
    collection of the session slower)."""
    sources = snippet_sources()
    source = sources[name] if name in sources else (REPO / name).read_bytes()
    return cst.parse_module(source)


# `TABLETRACE_QUICK_CORPUS=1` (CI's run on each pinned LibCST version): the generated sources
# and these files only, the largest and most varied of the repository.
QUICK_FILES = (
    "analyzer/extract/alembic_source.py",
    "analyzer/extract/orm_source.py",
    "analyzer/sql/tokenscan.py",
    "tests/test_hostile.py",
)


def corpus_names() -> list[str]:
    if os.environ.get("TABLETRACE_QUICK_CORPUS"):
        return [*snippet_sources(), *(name for name in QUICK_FILES if name in repository_files())]
    return [*snippet_sources(), *repository_files()]
