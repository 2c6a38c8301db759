"""Names of tables that several modules build queries for.

Only tables whose name is interpolated into SQL live here; everything else is spelled out in
the query text.
"""

RELATIONSHIP_SCORES_TABLE = "relationship_scores"
BANNED_USERS = "banned_users"
BOT_DEPLOYMENTS = "bot_deployments"
DAILY_CHARACTER_STATS = "analytics.daily_character_stats"
