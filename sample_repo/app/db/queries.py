"""SQL shared by more than one service.

Queries use asyncpg's ``$n`` placeholders.
"""

GET_UNIVERSAL_USER = """
    SELECT universal_id, primary_username, display_name, email, created_at, last_active
    FROM universal_users
    WHERE universal_id = $1
"""

GET_UNIVERSAL_USER_BY_PLATFORM = """
    SELECT u.universal_id, u.primary_username, u.display_name
    FROM public.universal_users u
    JOIN platform_identities pi ON pi.universal_id = u.universal_id
    WHERE pi.platform = $1 AND pi.platform_user_id = $2
"""

LIST_PLATFORM_IDENTITIES = (
    "SELECT platform, platform_user_id, username, linked_at "
    "FROM platform_identities "
    "WHERE universal_id = $1 "
    "ORDER BY linked_at"
)

TOUCH_LAST_ACTIVE = "UPDATE universal_users SET last_active = now() WHERE universal_id = $1"

COUNT_ACTIVE_CHARACTERS = "SELECT count(*) FROM characters WHERE is_active"

LIST_PENDING_FACT_ENTITIES = """
    SELECT fe.id, fe.entity_name, fe.entity_type, fe.attributes
    FROM fact_entities fe
    LEFT JOIN user_fact_relationships ufr ON ufr.entity_id = fe.id
    WHERE ufr.id IS NULL
    ORDER BY fe.created_at
    LIMIT $1
"""
