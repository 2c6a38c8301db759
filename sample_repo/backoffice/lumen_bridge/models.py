"""lumen's own tables as the back-office sees them, and the bridge's bookkeeping."""

from django.db import models
from django.db.models import Model


class Character(Model):
    """lumen's characters table. lumen creates it (sql/00_init.sql, Alembic), Django never."""

    name = models.CharField(max_length=100)
    normalized_name = models.CharField(max_length=100)
    bot_name = models.CharField(max_length=100, null=True)
    archetype = models.CharField(max_length=50, null=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "characters"

    def __str__(self) -> str:
        return self.name


class BillingSubscription(models.Model):
    """A user's plan. The billing service owns this table; no source in this repository
    creates it."""

    universal_id = models.CharField(max_length=64, primary_key=True)
    plan = models.CharField(max_length=32)
    renews_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "billing_subscriptions"


class SyncCursor(models.Model):
    """How far the back-office has mirrored each lumen feed."""

    source = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
