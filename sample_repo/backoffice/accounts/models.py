"""Back-office operators. settings.AUTH_USER_MODEL is "accounts.StaffUser"."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class StaffUser(AbstractUser):
    """An operator of the back-office: a moderator or a support agent."""

    display_name = models.CharField(max_length=120, blank=True)
    # the lumen account this operator also chats with, if any
    lumen_universal_id = models.CharField(max_length=64, blank=True, db_column="universal_id")

    def __str__(self) -> str:
        return self.display_name or self.username


class Team(models.Model):
    """Operators who share a queue."""

    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(StaffUser, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name
