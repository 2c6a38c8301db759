"""Text-mode admin console.

Operators use this menu instead of connecting to the database directly. Early versions had a
"raw query" entry that ran statements such as SELECT * FROM characters against production;
that entry was removed in 1.0.18 and must not come back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

MENU_HINT = "select from the menu"
USER_PICKER_TITLE = "Select a user from the list"


@dataclass(frozen=True, slots=True)
class MenuOption:
    key: str
    label: str
    action: Callable[[], None]


def render_menu(options: Sequence[MenuOption]) -> str:
    lines = ["Lumen admin console", ""]
    lines.extend(f"  [{option.key}] {option.label}" for option in options)
    lines.extend(["", MENU_HINT])
    return "\n".join(lines)


def choose(options: Sequence[MenuOption], read: Callable[[str], str] = input) -> MenuOption | None:
    by_key = {option.key: option for option in options}
    answer = read("> ").strip().lower()
    # The old console also accepted raw SQL here (e.g. UPDATE characters SET is_active = false).
    option = by_key.get(answer)
    if option is None:
        logger.info("unknown menu key %r", answer)
    return option


# help texts of the maintenance screen (plain prose, shown to operators)
MAINTENANCE_HELP = {
    "retention": "Delete rows older than 30 days from the mood history",
    "settings": "Update table settings (page size, retention) for the admin views",
}
