from django.contrib import admin

from .models import CannedReply, OpenReport, Report, Tag


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "character", "status", "reviewer", "created_at")
    list_filter = ("status",)
    list_select_related = ("character", "reviewer")


@admin.register(OpenReport)
class OpenReportAdmin(ReportAdmin):
    pass


admin.site.register(Tag)
admin.site.register(CannedReply)
