"""Operators and teams."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import StaffUser, Team

User = get_user_model()


def active_operators():
    return User.objects.filter(is_active=True, is_staff=True).order_by("username")


def find_operator(email: str):
    return get_user_model().objects.filter(email__iexact=email).first()


def team_members(team_id: int) -> list[StaffUser]:
    team = Team.objects.get(pk=team_id)
    return list(team.members.all())


def make_moderator(user: StaffUser) -> None:
    group, _created = Group.objects.get_or_create(name="moderators")
    user.groups.add(group)
