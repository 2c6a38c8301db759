"""URL configuration of the back-office: the admin site and two support endpoints."""

from django.contrib import admin
from django.urls import path

from support import views as support_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("support/tickets/<int:ticket_id>/", support_views.ticket_detail),
    path("support/tickets/from-chat/", support_views.open_from_chat),
]
