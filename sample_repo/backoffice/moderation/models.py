"""Reports about characters, their review and the desk's stock answers."""

from django.conf import settings
from django.db import models

from core.models import AuditEvent, TimeStampedModel  # noqa: F401 (AuditEvent: app_label)
from lumen_bridge.models import Character


class Tag(models.Model):
    name = models.SlugField(unique=True)

    def __str__(self) -> str:
        return self.name


class ReportQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status="closed")


class OpenReportManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status="open")


class Report(TimeStampedModel):
    """A user's report about a character. The model was called Flag until migration 0002."""

    character = models.ForeignKey(Character, on_delete=models.DO_NOTHING, related_name="reports")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_column="reviewed_by",
        related_name="reviewed_reports",
    )
    status = models.CharField(max_length=16, default="open")
    reason = models.TextField()
    labels = models.ManyToManyField(Tag, db_table="moderation_report_labels", blank=True)
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Watch", related_name="watched_reports"
    )

    objects = ReportQuerySet.as_manager()
    open = OpenReportManager()


class Watch(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    since = models.DateTimeField(auto_now_add=True)


class Note(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    written_at = models.DateTimeField(auto_now_add=True)


class OpenReport(Report):
    """The open queue as its own admin page: the same table as Report."""

    objects = OpenReportManager()

    class Meta:
        proxy = True


class EscalatedReport(Report):
    """A report sent up to the trust and safety lead: its own table, joined to Report's."""

    escalated_to = models.CharField(max_length=120)
    deadline = models.DateTimeField()


class CannedReply(models.Model):
    """A stock answer. It was support.Macro until support 0004 / moderation 0006 moved it."""

    title = models.CharField(max_length=120)
    body = models.TextField()
