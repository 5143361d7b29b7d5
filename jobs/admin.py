from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "status", "progress", "message", "created_at", "finished_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("user__username", "message", "error", "target")
    list_select_related = ("user",)
    readonly_fields = ("created_at", "started_at", "finished_at", "updated_at", "task_id", "attempts")
    date_hierarchy = "created_at"
