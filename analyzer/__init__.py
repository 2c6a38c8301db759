"""tabletrace: which tables exist, where each is defined, and which code uses it."""

from __future__ import annotations

__version__ = "0.1.0"

from analyzer.config import Config, ConfigError, load_config
from analyzer.models import Report
from analyzer.scan import ScanError, scan

__all__ = ["Config", "ConfigError", "Report", "ScanError", "__version__", "load_config", "scan"]
