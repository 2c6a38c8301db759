"""Operator tooling: audit trail, dashboard and the text-mode console."""
