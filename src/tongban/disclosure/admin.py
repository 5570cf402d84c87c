from django.contrib import admin

from tongban.disclosure.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "division", "published_at"]
    list_filter = ["division"]
    search_fields = ["title"]
