
from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.emotions import REACTIONS, emotion_label
from common.http_range import media_file_response

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


class EmotionFilter(admin.SimpleListFilter):
    """By emotion, with comment clips (no emotion) named as such rather than a blank link."""

    title = _("emotion")
    parameter_name = "emotion"

    def lookups(self, request, model_admin):
        return [("none", _("none (comment clips)")),
                *((name, emotion_label(name)) for name in REACTIONS)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(emotion="")
        return queryset.filter(emotion=value) if value else queryset


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    """Moderation: watch a clip before hiding it; the only thing a moderator changes is
    whether it is hidden (files, owner and timing are the pipeline's)."""

    list_display = ("id", "thumb", "user", "source", "kind", "emotion", "start", "end", "status",
                    "hidden", "created_at")
    list_filter = ("status", "kind", EmotionFilter, "hidden", SharedFilter, "aspect")
    search_fields = ("user__username", "source__title", "source__youtube_id")
    list_select_related = ("user", "source")
    actions = ("take_down_clips", "hide_clips", "unhide_clips")
    fields = ("preview", "hidden", "user", "source", "moment", "kind", "emotion", "intensity",
              "start", "end", "aspect", "status", "error", "duration", "size_bytes",
              "created_at")
    readonly_fields = tuple(name for name in fields if name != "hidden")

    def get_urls(self):
        media = self.admin_site.admin_view(self.media_view)
        return [path("<int:pk>/media/<str:kind>/", media, name="clips_clip_media"),
                *super().get_urls()]

    def media_view(self, request, pk: int, kind: str):
        """The clip's video or thumbnail for moderators (the public views are owner-only)."""
        if kind not in ("file", "thumbnail") or not self.has_view_permission(request):
            raise Http404
        clip = get_object_or_404(Clip, pk=pk)
        field = getattr(clip, kind)
        if not field:
            raise Http404
        return media_file_response(request, field,
                                   content_type="video/mp4" if kind == "file" else "image/jpeg")

    @admin.display(description=_("thumbnail"))
    def thumb(self, clip):
        if not clip.thumbnail:
            return "–"
        return format_html('<img src="{}" alt="" width="96" height="54" loading="lazy">',
                           reverse("admin:clips_clip_media", args=[clip.pk, "thumbnail"]))

    @admin.display(description=_("preview"))
    def preview(self, clip):
        if not clip.file:
            return _("No file (the clip is %(status)s).") % {"status": clip.get_status_display()}
        return format_html(
            '<video controls preload="metadata" width="480" src="{}" poster="{}" '
            'aria-label="{}"></video>',
            reverse("admin:clips_clip_media", args=[clip.pk, "file"]),
            reverse("admin:clips_clip_media", args=[clip.pk, "thumbnail"]) if clip.thumbnail
            else "", _("Clip preview"))

    def has_add_permission(self, request):
        return False  # clips come from the pipelines

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
    list_filter = ("kind", EmotionFilter)
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
