"""Runs the plugin store's migrations that a database has not seen yet."""

import re

from app.plugins import migrations


def pending_steps(applied: int) -> list:
    steps = []
    for name in dir(migrations):
        match = re.match(r"m(\d+)_", name)
        if match and int(match.group(1)) > applied:
            steps.append((int(match.group(1)), getattr(migrations, name)))
    return [step for _, step in sorted(steps)]
