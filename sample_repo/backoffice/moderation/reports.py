"""Figures for the weekly trust and safety review: raw SQL where the ORM would be awkward."""

from django.db import connection
from django.db.models.expressions import RawSQL

from lumen_bridge.models import Character

from .models import Report


def reports_with_status(status: str):
    return Report.objects.raw(
        "SELECT * FROM moderation_report WHERE status = %s ORDER BY created_at", [status]
    )


def status_totals() -> dict[str, int]:
    # Written when the model was still called Flag; migration 0002 renamed its table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, COUNT(*) FROM moderation_flag GROUP BY status")
        return dict(cursor.fetchall())


def archive_closed() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO moderation_report_archive (report_id, character_id, status, archived_at)
            SELECT id, character_id, status, CURRENT_TIMESTAMP
            FROM moderation_report
            WHERE status = 'closed'
            """
        )


def purge_archive(before) -> None:
    connection.cursor().execute(
        "DELETE FROM moderation_report_archive WHERE archived_at < %s", [before]
    )


def characters_with_open_tickets():
    return Character.objects.annotate(
        open_tickets=RawSQL(
            "SELECT COUNT(*) FROM support_tickets WHERE character_id = characters.id", ()
        )
    )


def reports_on_active_characters():
    return Report.objects.extra(
        tables=["characters"],
        where=["characters.id = moderation_report.character_id", "characters.is_active"],
    )
