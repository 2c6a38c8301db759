from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import StaffUser, Team

admin.site.register(StaffUser, UserAdmin)
admin.site.register(Team)
