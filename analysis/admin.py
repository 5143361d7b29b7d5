from django.contrib import admin

from .models import Comment, EmotionSample, LibraryVideo, Moment, SourceVideo, WatchSession


@admin.register(SourceVideo)
class SourceVideoAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", "kind", "youtube_id", "duration", "file_status", "comments_status", "created_at")
    list_filter = ("kind", "file_status", "comments_status")
    search_fields = ("title", "youtube_id", "uploader", "uploaded_by__username")
    readonly_fields = ("created_at", "updated_at")


@admin.register(LibraryVideo)
class LibraryVideoAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "source", "status", "no_moments_reason", "created_at")
    list_filter = ("status", "no_moments_reason")
    search_fields = ("user__username", "source__title", "source__youtube_id")
    list_select_related = ("user", "source")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "author", "short_text", "like_count", "origin", "seconds")
    list_filter = ("origin",)
    search_fields = ("text", "author", "comment_id")
    list_select_related = ("source",)

    @admin.display(description="text")
    def short_text(self, obj: Comment) -> str:
        return obj.text[:80]


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "rank", "peak", "start", "end", "score", "emotion", "intensity", "entry", "session")
    list_filter = ("kind", "emotion")
    search_fields = ("entry__source__title", "entry__user__username", "session__user__username")


@admin.register(WatchSession)
class WatchSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "entry", "status", "frames_received", "frames_dropped", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("user__username", "entry__source__title")
    list_select_related = ("user", "entry__source")


@admin.register(EmotionSample)
class EmotionSampleAdmin(admin.ModelAdmin):
    list_display = ("id", "session", "t", "happy", "sad", "angry", "neutral", "surprise", "attention", "face_found")
    list_filter = ("face_found",)
    search_fields = ("session__user__username",)
