from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Clip, Moment, Reel, Report, ShareLink
from .services import sharing


class SharedFilter(admin.SimpleListFilter):
    title = _("shared")
    parameter_name = "shared"

    def lookups(self, request, model_admin):
        return (("yes", _("Has a live share link")), ("no", _("Not shared")))

    def queryset(self, request, queryset):
        live = queryset.filter(share_links__revoked_at__isnull=True)
        if self.value() == "yes":
            return live.distinct()
        if self.value() == "no":
            return queryset.exclude(pk__in=live.values("pk"))
        return queryset


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "source", "kind", "emotion", "start", "end", "status", "hidden", "created_at")
    list_filter = ("status", "kind", "emotion", "hidden", SharedFilter, "aspect")
    search_fields = ("user__username", "source__title", "source__youtube_id")
    list_select_related = ("user", "source")
    actions = ("take_down_clips", "hide_clips", "unhide_clips")

    @admin.action(description=_("Take down: hide the clips and close their share links"))
    def take_down_clips(self, request, queryset):
        count = sharing.clips_take_down(clips=queryset, moderator=request.user)
        self.message_user(request, ngettext("%(count)d clip taken down.",
                                            "%(count)d clips taken down.", count)
                          % {"count": count})

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


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Every shared clip; taking one down hides it and closes all its links."""

    list_display = ("id", "clip", "clip_owner", "created_at", "revoked_at",
                    "revoked_by_moderator", "view_count")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "revoked_by_moderator")
    search_fields = ("clip__user__username", "clip__source__title")
    list_select_related = ("clip__user", "clip__source")
    readonly_fields = ("clip", "token", "created_at", "view_count")
    actions = ("take_down",)

    @admin.display(description=_("owner"))
    def clip_owner(self, link):
        return link.clip.user

    @admin.action(description=_("Take down the shared clips"))
    def take_down(self, request, queryset):
        clips = Clip.objects.filter(pk__in=queryset.values("clip_id"))
        count = sharing.clips_take_down(clips=clips, moderator=request.user)
        self.message_user(request, ngettext("%(count)d clip taken down.",
                                            "%(count)d clips taken down.", count)
                          % {"count": count})


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The reports queue: open reports first, oldest first."""

    list_display = ("id", "created_at", "status", "reason", "clip", "clip_owner", "reporter",
                    "short_details", "clip_hidden")
    list_filter = ("status", "reason")
    search_fields = ("details", "clip__user__username", "reporter__username")
    list_select_related = ("clip__user", "clip__source", "reporter")
    readonly_fields = ("clip", "share_link", "reporter", "reason", "details", "created_at",
                       "handled_at", "handled_by")
    ordering = ("status", "created_at")
    actions = ("take_down", "dismiss")

    @admin.display(description=_("owner"))
    def clip_owner(self, report):
        return report.clip.user

    @admin.display(description=_("hidden"), boolean=True)
    def clip_hidden(self, report):
        return report.clip.hidden

    @admin.display(description=_("details"))
    def short_details(self, report):
        return report.details[:80]

    @admin.action(description=_("Take down the reported clips"))
    def take_down(self, request, queryset):
        count = sharing.reports_take_down(reports=queryset, moderator=request.user)
        self.message_user(request, ngettext("%(count)d clip taken down.",
                                            "%(count)d clips taken down.", count)
                          % {"count": count})

    @admin.action(description=_("Dismiss the selected reports"))
    def dismiss(self, request, queryset):
        count = sharing.reports_dismiss(reports=queryset, moderator=request.user)
        self.message_user(request, ngettext("%(count)d report dismissed.",
                                            "%(count)d reports dismissed.", count)
                          % {"count": count})


@admin.register(Reel)
class ReelAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "title", "status", "duration", "created_at")
    list_filter = ("status", "order", "aspect")
    search_fields = ("user__username", "title")
    readonly_fields = ("items",)
