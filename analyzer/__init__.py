"""tabletrace: which tables exist, where each is defined, and which code uses it.

The public names are imported on first use (PEP 562), not with the package: a scan whose
files did not change answers from the cache without loading LibCST, sqlglot or networkx,
and importing them all costs about half a second, more than that whole answer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from analyzer.config import Config, ConfigError, load_config
    from analyzer.models import Report
    from analyzer.scan import ScanError, scan

_PUBLIC = {
    "Config": "analyzer.config",
    "ConfigError": "analyzer.config",
    "load_config": "analyzer.config",
    "Report": "analyzer.models",
    "ScanError": "analyzer.scan",
    "scan": "analyzer.scan",
}

__all__ = ["Config", "ConfigError", "Report", "ScanError", "__version__", "load_config", "scan"]


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first asked for."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
