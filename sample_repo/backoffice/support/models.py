"""Support tickets raised by lumen users, and the shapes they travel in."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from pydantic import BaseModel

from lumen_bridge.models import Character


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, default="new")
    character = models.ForeignKey(
        Character, null=True, on_delete=models.DO_NOTHING, related_name="tickets"
    )
    requester_universal_id = models.CharField(max_length=64)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    cc = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cc_tickets")
    opened_at = models.DateTimeField(auto_now_add=True)
    priority = models.PositiveSmallIntegerField(default=3)

    class Meta:
        db_table = "support_tickets"


class SlaPolicy(models.Model):
    """Response targets per ticket priority."""

    priority = models.PositiveSmallIntegerField(unique=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()


@dataclass
class TicketSummary:
    """One line of the daily digest e-mail."""

    ticket_id: int
    subject: str
    opened_at: datetime


class TicketWebhook(BaseModel):
    """The JSON lumen posts when a user opens a ticket from a chat."""

    universal_id: str
    character_id: int | None = None
    subject: str
    body: str
