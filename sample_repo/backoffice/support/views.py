"""Support endpoints: a ticket's page data, and tickets opened from a lumen chat."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from lumen_bridge.models import BillingSubscription

from .models import SlaPolicy, Ticket, TicketSummary, TicketWebhook


def ticket_detail(request, ticket_id: int) -> JsonResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("character", "assignee"), pk=ticket_id)
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Ticket), object_id=str(ticket.pk)
    )
    sla = SlaPolicy.objects.filter(priority=ticket.priority).first()
    plan = (
        BillingSubscription.objects.filter(universal_id=ticket.requester_universal_id)
        .values_list("plan", flat=True)
        .first()
    )
    summary = TicketSummary(ticket_id=ticket.pk, subject=ticket.subject, opened_at=ticket.opened_at)
    return JsonResponse(
        {
            "summary": summary.subject,
            "cc": list(ticket.cc.values_list("username", flat=True)),
            "history": [entry.change_message for entry in history],
            "first_response_minutes": sla.first_response_minutes if sla else None,
            "plan": plan,
        }
    )


@csrf_exempt
def open_from_chat(request) -> JsonResponse:
    payload = TicketWebhook.model_validate_json(request.body)
    ticket = Ticket.objects.create(
        subject=payload.subject,
        body=payload.body,
        character_id=payload.character_id,
        requester_universal_id=payload.universal_id,
    )
    return JsonResponse({"id": ticket.pk}, status=201)
