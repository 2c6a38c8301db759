"""The moderation desk's queue operations, through the ORM."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.models import StaffUser
from lumen_bridge.models import Character

from .classifier import triage
from .models import AuditEvent, EscalatedReport, OpenReport, Report, Tag, Watch


def open_queue(limit: int = 50) -> list[Report]:
    """The oldest open reports, with their character, reviewer and labels."""
    return list(
        Report.open.select_related("character", "reviewer")
        .prefetch_related("labels")
        .order_by("created_at")[:limit]
    )


def file_report(character_id: int, reason: str, labels: list[str]) -> Report:
    report = Report.objects.create(character_id=character_id, reason=reason)
    for name in labels:
        tag, _created = Tag.objects.get_or_create(name=name)
        report.labels.add(tag)
    if triage(reason) == "urgent":
        AuditEvent.objects.create(action="auto-urgent", payload={"report": report.pk})
    return report


def assign(report_id: int, reviewer: StaffUser) -> int:
    updated = Report.objects.filter(pk=report_id, status="open").update(
        reviewer=reviewer, status="review"
    )
    Watch.objects.get_or_create(report_id=report_id, user=reviewer)
    return updated


def close_stale(days: int = 90) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _per_model = Report.objects.filter(status="closed", updated_at__lt=cutoff).delete()
    return deleted


def import_reports(rows: list[dict]) -> None:
    Report.objects.bulk_create(
        [Report(character_id=row["character_id"], reason=row["reason"]) for row in rows]
    )


def counts_by_status() -> dict[str, int]:
    rows = Report.objects.unresolved().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def desk_totals() -> dict[str, int]:
    totals = Report.objects.aggregate(
        total=Count("id"), characters=Count("character", distinct=True)
    )
    totals["open"] = OpenReport.objects.count()
    return totals


def notes_of(report: Report):
    return report.notes.order_by("-written_at")


def watchers_of(report: Report) -> list[StaffUser]:
    return list(report.watchers.all())


def overdue_escalations():
    return EscalatedReport.objects.filter(deadline__lt=timezone.now()).select_related("reviewer")


def active_character_names() -> list[str]:
    return list(Character.objects.filter(is_active=True).values_list("name", flat=True))
