"""tabletrace: which tables exist, where each is defined, and which code uses it."""

from __future__ import annotations

__version__ = "0.1.0"

from analyzer.config import Config, ConfigError, load_config  # noqa: E402
from analyzer.models import Report  # noqa: E402
from analyzer.scan import ScanError, scan  # noqa: E402

__all__ = ["Config", "ConfigError", "Report", "ScanError", "__version__", "load_config", "scan"]
