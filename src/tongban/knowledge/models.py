"""Tables of knowledge: entries (知识条目) and their search index."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Entry(models.Model):
    """A knowledge base entry (知识): a common question and its authoritative answer."""

    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答案"))
    category = models.CharField(_("分类"), max_length=40)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    division = models.ForeignKey(
        "org.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Catalog service item codes; each becomes a link to its guide under /services/.
    item_codes = models.JSONField(_("关联服务事项"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    views = models.PositiveIntegerField(_("浏览次数"), default=0)
    helpful = models.PositiveIntegerField(_("有帮助"), default=0)
    unhelpful = models.PositiveIntegerField(_("没帮助"), default=0)
    # Weighted length of the indexed text, for BM25's length normalisation.
    index_length = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")

    def __str__(self) -> str:
        return self.question


class EntryTerm(models.Model):
    """One segmented term of an entry with its frequency per field (inverted index)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=40)
    # Field-weighted term frequency: a term in the question counts more than in the answer.
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "entry"], name="knowledge_term_unique")
        ]
        indexes = [models.Index(fields=["term"], name="knowledge_term_idx")]

    def __str__(self) -> str:
        return self.term
