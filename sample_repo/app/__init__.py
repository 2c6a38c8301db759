"""Lumen: multi-character chat assistant service."""

__version__ = "1.0.29"
