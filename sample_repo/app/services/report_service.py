"""Monthly report pages of the web dashboard."""

from sqlalchemy import text

MONTHLY_REPORT = text(
    "SELECT r.month, l.body FROM monthly_reports r "
    "JOIN report_lines l ON l.report_id = r.id WHERE r.character_id = :character_id"
)


def monthly_report(conn, character_id: int) -> list:
    return conn.execute(MONTHLY_REPORT, {"character_id": character_id}).all()
