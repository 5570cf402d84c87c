"""Admin of participation: read-only views for audit; changes go through the services."""

from django.contrib import admin

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.participation.models import Comment, Solicitation, Survey


@admin.register(Solicitation)
class SolicitationAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "starts_on", "ends_on", "feedback_published_at"]
    list_filter = ["department__division"]
    search_fields = ["title"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "solicitation", "section", "status", "adoption", "created_at"]
    list_filter = ["status", "adoption"]
    exclude = ["author"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "starts_on", "ends_on", "anonymous", "closed_at"]
    search_fields = ["title"]
