from django.contrib import admin
from django.http import HttpRequest

from tongban.core.admin_base import ReadOnlyAdmin
from tongban.disclosure import services
from tongban.disclosure.models import Article, Category, InfoRequest, Publication


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "division", "published_at"]
    list_filter = ["division"]
    search_fields = ["title"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The disclosure catalog (公开目录分类) is edited here; saves go through the service
    so they are validated and audited."""

    list_display = ["code", "name", "parent", "sort"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Category, form: object, change: bool) -> None:
        saved = services.category_upsert(
            code=obj.code,
            name=obj.name,
            parent_code=obj.parent.code if obj.parent else "",
            sort=obj.sort,
            actor=request.user,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["index_number", "title", "department", "kind", "attribute", "status"]
    list_filter = ["kind", "attribute", "status"]
    search_fields = ["index_number", "title"]


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "department", "status", "deadline", "reply_type"]
    list_filter = ["status", "reply_type", "overdue"]
    search_fields = ["number"]
    exclude = ["applicant_name", "contact", "description", "purpose"]
