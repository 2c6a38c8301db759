"""Find a scanned module by its dotted name, and the absolute name of a relative import."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.facts import ImportBinding, PythonFacts


class ModuleIndex:
    """Finds a scanned module by dotted name, tolerating a different source root.

    `from app.db import X` must find `service/app/db.py` when the repo keeps its code under
    `service/`: an exact match wins, else a unique module whose name ends with `.app.db`.
    """

    def __init__(self, modules: Iterable[PythonFacts]) -> None:
        self._by_name: dict[str, PythonFacts] = {}
        self._by_suffix: dict[str, list[PythonFacts]] = {}
        self._packages: set[str] = set()  # every dotted prefix of a module (namespace packages)
        for facts in modules:
            self._by_name.setdefault(facts.module, facts)
            parts = facts.module.split(".")
            for start in range(1, len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(facts)
                self._packages.add(".".join(parts[:start]))

    def is_package(self, name: str) -> bool:
        """Whether `name` is a package of the repository (with or without `__init__.py`)."""
        return name in self._packages

    def modules(self) -> list[PythonFacts]:
        return list(self._by_name.values())

    def find(self, name: str) -> PythonFacts | None:
        if name in self._by_name:
            return self._by_name[name]
        candidates = self._by_suffix.get(name, [])
        return candidates[0] if len(candidates) == 1 else None


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


