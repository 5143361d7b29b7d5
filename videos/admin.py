from django.contrib import admin

from .models import Comment, SourceVideo, Video


@admin.register(SourceVideo)
class SourceVideoAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", "kind", "youtube_id", "duration", "file_status", "comments_status", "created_at")
    list_filter = ("kind", "file_status", "comments_status")
    search_fields = ("title", "youtube_id", "uploader", "uploaded_by__username")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
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
