"""tabletrace: which tables exist, where each is defined, and which code uses it.

Importing the package loads only what a scan answered from the cache needs (configuration,
discovery, the cache, the report model): `analyzer.scan` imports the pipeline (LibCST,
sqlglot, networkx, pglast) only when the cache does not answer.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Bound here, eagerly: `scan` is also the name of a submodule, and a lazy binding would be
# replaced by that module the moment anything imported `analyzer.scan` first.
from analyzer.config import Config, ConfigError, load_config
from analyzer.models import Report
from analyzer.scan import ScanError, scan

__all__ = ["Config", "ConfigError", "Report", "ScanError", "__version__", "load_config", "scan"]
