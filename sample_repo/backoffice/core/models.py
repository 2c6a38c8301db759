"""Model pieces shared by the apps. `core` is not an installed app and has no migrations."""

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(TimeStampedModel):
    """What an operator did. Registered under the moderation app, whose migrations create it."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)

    class Meta:
        app_label = "moderation"
