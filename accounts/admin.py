from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "webcam_consent", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "webcam_consent")
    search_fields = ("username", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Shortory"), {"fields": ("webcam_consent", "webcam_consent_at")}))
