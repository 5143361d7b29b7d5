from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Clip, Moment


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "source", "kind", "emotion", "start", "end", "status", "hidden", "created_at")
    list_filter = ("status", "kind", "emotion", "hidden", "aspect")
    search_fields = ("user__username", "source__title", "source__youtube_id")
    list_select_related = ("user", "source")
    actions = ("hide_clips", "unhide_clips")

    @admin.action(description=_("Hide the selected clips"))
    def hide_clips(self, request, queryset):
        count = queryset.update(hidden=True)
        self.message_user(request, ngettext("%(count)d clip hidden.", "%(count)d clips hidden.",
                                            count) % {"count": count})

    @admin.action(description=_("Show the selected clips again"))
    def unhide_clips(self, request, queryset):
        count = queryset.update(hidden=False)
        self.message_user(request, ngettext("%(count)d clip shown.", "%(count)d clips shown.",
                                            count) % {"count": count})


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "rank", "peak", "start", "end", "score", "emotion", "intensity", "video", "session")
    list_filter = ("kind", "emotion")
    search_fields = ("video__source__title", "video__user__username", "session__user__username")
