from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from support.models import Ticket


class Command(BaseCommand):
    help = "Close the tickets that have waited on the user for more than --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14)

    def handle(self, *args, days: int, **options):
        cutoff = timezone.now() - timedelta(days=days)
        closed = Ticket.objects.filter(status="waiting", opened_at__lt=cutoff).update(
            status="closed"
        )
        self.stdout.write(f"closed {closed} tickets")
