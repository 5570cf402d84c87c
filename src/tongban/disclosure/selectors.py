"""Reads of publications."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.core.pagination import Page, keyset_page
from tongban.disclosure.models import Article


def article_list(*, division_code: str, cursor: str | None = None, size: int = 10) -> Page[Article]:
    """A division's published articles, newest first."""
    qs = Article.objects.filter(division_id=division_code).select_related("department")
    return keyset_page(qs, order=("-published_at", "-id"), cursor=cursor, size=size)


def article_get(*, division_code: str, article_id: int) -> Article:
    article = (
        Article.objects.select_related("division", "department")
        .filter(pk=article_id, division_id=division_code)
        .first()
    )
    if article is None:
        raise NotFound(_("该信息不存在或已撤下"))
    return article
