"""Publications shown on the division portals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    """A published news item or notice (政务动态) of one division."""

    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("政务动态")
        verbose_name_plural = _("政务动态")
        constraints = [
            models.UniqueConstraint(fields=["division", "slug"], name="disclosure_article_slug")
        ]
        indexes = [models.Index(fields=["division", "-published_at", "-id"])]

    def __str__(self) -> str:
        return self.title
