"""tabletrace: which tables exist, where each is defined, and which code uses it.

Importing the package loads only what a scan answered from the cache needs (configuration,
discovery, the cache): `analyzer.scan` imports the pipeline (LibCST, sqlglot, networkx,
pglast) only when the cache does not answer, and the report model (pydantic) when a caller
asks for a report (`Report` below is bound on first use).
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from analyzer.config import Config, ConfigError, load_config

# Bound here, eagerly: `scan` is also the name of a submodule, and a lazy binding would be
# replaced by that module the moment anything imported `analyzer.scan` first.
from analyzer.scan import ScanError, scan

if TYPE_CHECKING:
    from analyzer.models import Report


def __getattr__(name: str) -> Any:
    if name == "Report":
        from analyzer.models import Report

        return Report
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")


__all__ = ["Config", "ConfigError", "Report", "ScanError", "__version__", "load_config", "scan"]
