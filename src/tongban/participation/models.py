"""Tables of participation: drafts put out for comment with their comments and feedback,
and surveys with their questions, choices, responses and answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField


class Solicitation(models.Model):
    """A draft policy put out for public comment (征求意见稿)."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("起草说明"), max_length=2000)
    body = models.TextField(_("征求意见稿全文"), max_length=100_000)
    attachment = models.FileField(_("附件"), upload_to="participation/", blank=True)
    starts_on = models.DateField(_("征求意见开始日期"))
    ends_on = models.DateField(_("征求意见截止日期"))
    contact_phone = models.CharField(
        _("意见反馈电话"), max_length=30, help_text=_("部门对外公开电话，不填个人电话")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    feedback_summary = models.TextField(_("意见采纳情况说明"), blank=True)
    feedback_published_at = models.DateTimeField(_("采纳情况公布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")

    def __str__(self) -> str:
        return self.title


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已公开")
    REJECTED = "rejected", _("未通过")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class Comment(models.Model):
    """A citizen's or enterprise's comment (意见) on a draft, shown publicly only once
    approved and then under a pseudonym."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("针对条款"), max_length=50, blank=True)
    body = models.TextField(_("意见内容"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    reject_reason = models.CharField(_("未通过理由"), max_length=200, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    adoption = models.CharField(_("采纳情况"), max_length=12, choices=Adoption.choices, blank=True)
    adoption_reason = models.CharField(_("采纳理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["solicitation", "status", "id"])]
        verbose_name = _("意见")
        verbose_name_plural = _("意见")

    def __str__(self) -> str:
        return f"{self.solicitation_id}#{self.pk}"


class Survey(models.Model):
    """An opinion survey (民意调查) run by a department."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    anonymous = models.BooleanField(_("匿名调查"), default=True)
    closed_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("民意调查")
        verbose_name_plural = _("民意调查")

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    SCALE = "scale", _("量表题")
    TEXT = "text", _("填空题")


class Question(models.Model):
    """One question of a survey (调查题目)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    min_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True)
    scale_low_label = models.CharField(max_length=20, blank=True)
    scale_high_label = models.CharField(max_length=20, blank=True)
    max_length = models.PositiveSmallIntegerField(default=500)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="participation_q_pos")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scale_range(self) -> range:
        return range(1, (self.scale_max or 5) + 1)


class Choice(models.Model):
    """An option of a choice question (选项)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("选项"), max_length=100)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    """One person's submitted answers (答卷).

    ``respondent_key`` is a keyed hash that identifies the respondent within this survey
    only (the logged-in user, or the browser's signed cookie); ``user`` is kept only for
    real-name surveys.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    respondent_key = models.CharField(max_length=64)
    client_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="participation_one_response"
            ),
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(user__isnull=False),
                name="participation_one_response_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class Answer(models.Model):
    """An answer to one question; a multiple-choice answer is one row per chosen option."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(
        Choice, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    # Free text may name people or give phone numbers: encrypted at rest.
    text = EncryptedTextField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
