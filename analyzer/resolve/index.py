"""Find a scanned module by its dotted name, and the absolute name of a relative import."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from analyzer.facts import ImportBinding, PythonFacts

#: Names an import inside the repository means as the library, never as a package folder of
#: the same name the importing file sits in: `import sqlalchemy` in
#: `ironic/db/sqlalchemy/alembic/versions/x.py` is SQLAlchemy, not `ironic.db.sqlalchemy`
#: (Python adds the running script's folder to the path, not the folders above a module).
LIBRARY_NAMES = frozenset(sys.stdlib_module_names) | {
    "alembic", "asyncpg", "django", "flask", "flask_sqlalchemy", "peewee", "psycopg",
    "psycopg2", "pymysql", "sqlalchemy", "sqlmodel",
}  # fmt: skip


class ModuleIndex:
    """Finds a scanned module by dotted name, tolerating a different source root.

    `from app.db import X` must find `service/app/db.py` when the repo keeps its code under
    `service/`: an exact match wins, else a unique module whose name ends with `.app.db`,
    the part before being a source root: a folder that is no package (`service/` has no
    `__init__.py`), or a package folder the importing file sits in (scripts run from
    `mbid_mapping/`, itself a package, import `mapping.utils`). Python never imports a module
    of another package by a shorter name: the repository's `flaskbb/utils/alembic.py` is not
    the `alembic` of `flaskbb/migrations/x.py` (it was taken for Alembic, so the revision's
    `from alembic import op` read nothing).
    """

    def __init__(self, modules: Iterable[PythonFacts]) -> None:
        self._by_name: dict[str, PythonFacts] = {}
        self._by_suffix: dict[str, list[PythonFacts]] = {}
        self._packages: set[str] = set()  # every dotted prefix of a module (namespace packages)
        # suffixes through a package folder: (the folder, the module), for importers inside it
        self._by_inner_suffix: dict[str, list[tuple[str, PythonFacts]]] = {}
        listed = list(modules)
        regular = {  # packages with an `__init__.py`
            facts.module for facts in listed if facts.path.rsplit("/", 1)[-1] == "__init__.py"
        }
        for facts in listed:
            self._by_name.setdefault(facts.module, facts)
            parts = facts.module.split(".")
            folders = facts.path.split("/")[:-1]  # the folders holding the module's file
            if facts.path.rsplit("/", 1)[-1] != "__init__.py":
                folders.append("")  # a module's last part is its file, not a folder
            for start in range(1, len(parts)):
                prefix = ".".join(parts[:start])
                self._packages.add(prefix)
                suffix = ".".join(parts[start:])
                if prefix not in regular:
                    self._by_suffix.setdefault(suffix, []).append(facts)
                else:
                    # the folder of the prefix: the suffix's parts are the last folders
                    folder = "/".join(folders[: len(folders) - (len(parts) - start)]) + "/"
                    self._by_inner_suffix.setdefault(suffix, []).append((folder, facts))

    def is_package(self, name: str) -> bool:
        """Whether `name` is a package of the repository (with or without `__init__.py`)."""
        return name in self._packages

    def modules(self) -> list[PythonFacts]:
        return list(self._by_name.values())

    def answered_subclasses(self, cls: object, found: tuple[object, ...]) -> None:
        """What the evaluator's subclass search of `cls` found, over `modules()`: noted by a
        recording index (`code_sql._RecordingIndex`), nothing to do here."""

    def find(self, name: str, importer: str | None = None) -> PythonFacts | None:
        """The module `name` denotes, seen from the file at path `importer` (when given)."""
        if name in self._by_name:
            return self._by_name[name]
        candidates = self._by_suffix.get(name, [])
        if candidates:
            return candidates[0] if len(candidates) == 1 else None
        if importer is None or name.partition(".")[0] in LIBRARY_NAMES:
            return None
        inner = [
            facts for folder, facts in self._by_inner_suffix.get(name, ())
            if importer.startswith(folder)
        ]
        return inner[0] if len(inner) == 1 else None


def absolute_module(facts: PythonFacts, binding: ImportBinding) -> str:
    if binding.level == 0:
        return binding.module
    is_package = facts.path.endswith("__init__.py")
    package = facts.module if is_package else facts.module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if binding.level > 1:
        parts = parts[: len(parts) - (binding.level - 1)]
    if binding.module:
        parts.append(binding.module)
    return ".".join(parts)


