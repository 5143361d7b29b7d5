from django.contrib import admin

from .models import EmotionSample, WatchSession


@admin.register(WatchSession)
class WatchSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "video", "status", "frames_received", "frames_dropped", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("user__username", "video__source__title")
    list_select_related = ("user", "video__source")


@admin.register(EmotionSample)
class EmotionSampleAdmin(admin.ModelAdmin):
    list_display = ("id", "session", "t", "happy", "sad", "angry", "neutral", "surprise", "attention", "face_found")
    list_filter = ("face_found",)
    search_fields = ("session__user__username",)
