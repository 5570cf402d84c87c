from django.contrib import admin

from tongban.core.admin import AuditedModelAdmin
from tongban.disclosure.models import Article


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin):
    list_display = ["title", "division", "published_at"]
    list_filter = ["division"]
    search_fields = ["title"]
