from django.apps import AppConfig


class LumenBridgeConfig(AppConfig):
    """Models over lumen's own tables. The label "lumen" (not the package name) prefixes the
    tables of the models that have no Meta.db_table."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lumen_bridge"
    label = "lumen"
