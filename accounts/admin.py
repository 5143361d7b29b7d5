from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "webcam_consent", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "webcam_consent")
    search_fields = ("username", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Shortory"), {"fields": ("webcam_consent", "webcam_consent_at")}))
    actions = ("deactivate_users", "activate_users")

    @admin.action(description=_("Deactivate the selected users (they can no longer sign in)"))
    def deactivate_users(self, request, queryset):
        # Never the moderator doing it: they would lock themselves out mid-session.
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, ngettext("%(count)d user deactivated.",
                                            "%(count)d users deactivated.", count)
                          % {"count": count})

    @admin.action(description=_("Activate the selected users"))
    def activate_users(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(request, ngettext("%(count)d user activated.",
                                            "%(count)d users activated.", count)
                          % {"count": count})
