"""Tables the configuration says another application owns (`external_tables`).

A service often reads a second database it does not manage: MusicBrainz's catalogue next to
ListenBrainz's own tables, a billing system's `payment`. No source of the repository creates
those tables, so without a word from the user they are `undefined-table` errors; hiding them
with `ignore_tables` loses which code reads them. `external_tables = ["musicbrainz.*"]` names
their owner instead: each used table that matches, and that no source of the repository
creates, gets one `external` source, `external:external_tables`, as Django's contrib apps and
SQLite's attached databases do. Its status is `external`; its uses stay in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from analyzer.sources.model import EXTERNAL_KIND, SourceHistory, StateEntry
from analyzer.sql.names import TableKey, is_system_table

SOURCE_ID = f"{EXTERNAL_KIND}:external_tables"


def declared_external_histories(
    used: Iterable[TableKey],
    histories: Iterable[SourceHistory],
    declared: Callable[[TableKey], bool],
) -> list[SourceHistory]:
    """The one source of the used tables `declared` matches that no earlier source has
    (`histories`: every source replayed so far), or none."""
    present = {key for history in histories if history.kind != "model" for key in history.state}
    tables = sorted(
        {key for key in used if declared(key) and key not in present and not is_system_table(key)}
    )
    if not tables:
        return []
    history = SourceHistory(
        id=SOURCE_ID, kind=EXTERNAL_KIND, path="pyproject.toml", files=[], ordered=False
    )
    for key in tables:
        history.state[key] = StateEntry("table", None)
    return [history]
