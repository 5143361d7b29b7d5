from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Clip


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "source", "kind", "emotion", "start", "end", "status", "hidden", "created_at")
    list_filter = ("status", "kind", "emotion", "hidden", "aspect")
    search_fields = ("user__username", "source__title", "source__youtube_id")
    list_select_related = ("user", "source")
    actions = ("hide_clips", "unhide_clips")

    @admin.action(description=_("Hide the selected clips"))
    def hide_clips(self, request, queryset):
        self.message_user(request, _("%d clips hidden.") % queryset.update(hidden=True))

    @admin.action(description=_("Show the selected clips again"))
    def unhide_clips(self, request, queryset):
        self.message_user(request, _("%d clips shown.") % queryset.update(hidden=False))
