"""Disclosure writes. The disclosure app owns what government publishes: news and notices
now, disclosure catalogues and information requests later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed
from tongban.core.services import audit_record
from tongban.core.upsert import Outcome, upsert
from tongban.disclosure.models import Article
from tongban.org.selectors import division_get


@transaction.atomic
def article_publish(
    *,
    division_code: str,
    slug: str,
    title: str,
    body: str,
    published_at: datetime,
    summary: str = "",
    department_id: int | None = None,
    actor: Any = None,
) -> Article:
    """Publish (or update) an article of a division, identified by its slug."""
    division = division_get(division_code)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写标题"), field="title")
    if not (body or "").strip():
        raise ValidationFailed(_("请填写正文"), field="body")
    values = {
        "title": title,
        "summary": summary,
        "body": body,
        "published_at": published_at,
        "department_id": department_id,
    }
    article, outcome = upsert(Article, lookup={"division": division, "slug": slug}, values=values)
    if outcome is Outcome.UNCHANGED:
        return article
    audit_record(
        action="article.publish" if outcome is Outcome.CREATED else "article.update",
        actor=actor,
        object_type="article",
        object_id=article.pk,
    )
    return article
