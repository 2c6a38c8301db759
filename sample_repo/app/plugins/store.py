"""Which plugins are enabled, and switching them."""


def enabled_plugins(cur) -> list:
    cur.execute("SELECT plugin, version FROM plugin_summary WHERE enabled")
    return cur.fetchall()


def set_enabled(cur, plugin: str, enabled: bool) -> None:
    cur.execute("UPDATE plugin_state SET enabled = %s WHERE plugin = %s", (enabled, plugin))
