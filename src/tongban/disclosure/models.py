"""Publications shown on the division portals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedJSONField, EncryptedTextField


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


class Category(models.Model):
    """A node of the disclosure catalog (公开目录分类), e.g. 机构职能 or 财政信息."""

    code = models.SlugField(_("分类代码"), max_length=40, unique=True)
    name = models.CharField(_("分类名称"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("公开目录分类")
        verbose_name_plural = _("公开目录分类")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent else self.name


class Kind(models.TextChoices):
    POLICY = "policy", _("政策文件")
    INTERPRETATION = "interpretation", _("政策解读")
    NOTICE = "notice", _("通知公告")
    PLAN = "plan", _("规划计划")
    STATISTICS = "statistics", _("统计信息")
    NEWS = "news", _("工作动态")


class Attribute(models.TextChoices):
    ACTIVE = "active", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")
    WITHHELD = "withheld", _("不予公开")


class Validity(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("失效")
    REPEALED = "repealed", _("废止")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Publication(models.Model):
    """A piece of government information (公开信息) of one department, with its catalog
    metadata. Only published, actively disclosed (主动公开) ones are ever public."""

    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField(_("信息类别"), max_length=20, choices=Kind.choices)
    index_number = models.CharField(_("索引号"), max_length=40, unique=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    written_on = models.DateField(_("成文日期"))
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    validity = models.CharField(
        _("有效性"), max_length=10, choices=Validity.choices, default=Validity.VALID
    )
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    invalid_on = models.DateField(_("失效或废止日期"), null=True, blank=True)
    attribute = models.CharField(_("公开属性"), max_length=12, choices=Attribute.choices)
    withheld_reason = models.CharField(_("不予公开理由"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    # A stable key for idempotent imports (the demo loader); empty for staff-made items.
    source_key = models.CharField(max_length=60, blank=True, db_index=True)
    term_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        indexes = [
            models.Index(fields=["division", "status", "attribute", "-published_on", "-id"]),
            models.Index(fields=["department", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.index_number} {self.title}"


class IndexCounter(models.Model):
    """The last sequence number used for index numbers with one prefix (code/year)."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class PublicationTerm(models.Model):
    """One jieba term of a publication with its weighted frequency (the search index)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40)
    tf = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "term"], name="disclosure_term_once")
        ]
        indexes = [models.Index(fields=["term"])]

    def __str__(self) -> str:
        return f"{self.term} × {self.tf}"


class DeliveryForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    POST = "post", _("邮寄")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    REGISTERED = "registered", _("办理中")
    CORRECTION = "correction", _("待补正")
    REPLIED = "replied", _("已答复")


class ReplyType(models.TextChoices):
    """Reply types of Art. 36 of the disclosure regulations (条例第三十六条)."""

    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    WITHHELD = "withheld", _("不予公开")
    NOT_EXIST = "not_exist", _("信息不存在")
    NOT_RESPONSIBLE = "not_responsible", _("非本机关负责公开")
    DUPLICATE = "duplicate", _("重复申请")
    ALREADY_PUBLIC = "already_public", _("已主动公开")


class WithheldReason(models.TextChoices):
    """Reasons for withholding, as rows of the annual report template."""

    STATE_SECRET = "state_secret", _("属于国家秘密")
    LAW_FORBIDS = "law_forbids", _("其他法律行政法规禁止公开")
    SAFETY = "safety", _("危及“三安全一稳定”")
    THIRD_PARTY = "third_party", _("保护第三方合法权益")
    INTERNAL = "internal", _("属于三类内部事务信息")
    PROCESS = "process", _("属于四类过程性信息")
    ENFORCEMENT = "enforcement", _("属于行政执法案卷")
    INQUIRY = "inquiry", _("属于行政查询事项")


class InfoRequest(models.Model):
    """An application for government information (依申请公开) to one department."""

    number = models.CharField(_("申请编号"), max_length=30, unique=True)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    division_path = models.CharField(max_length=100, db_index=True)
    applicant = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    applicant_kind = models.CharField(_("申请人类型"), max_length=10)  # person | legal
    applicant_name = EncryptedTextField(_("申请人"))
    contact = EncryptedJSONField(_("联系方式"))
    description = EncryptedTextField(_("所需信息描述"))
    purpose = EncryptedTextField(_("用途"), blank=True, null=True)  # the field cannot hold ""
    form = models.CharField(_("获取方式"), max_length=12, choices=DeliveryForm.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    received_on = models.DateField(_("收到申请日期"), null=True, blank=True)
    clock_start = models.DateField(_("计时起点"), null=True, blank=True)
    correction_asked_on = models.DateField(_("补正告知日期"), null=True, blank=True)
    correction_note = models.TextField(_("补正要求"), blank=True)
    correction_supplied_on = models.DateField(_("补正日期"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延长工作日"), default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    deadline = models.DateField(_("答复期限"), null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False)
    reply_type = models.CharField(
        _("答复类型"), max_length=20, choices=ReplyType.choices, blank=True
    )
    withheld_reason = models.CharField(
        _("不予公开理由"), max_length=20, choices=WithheldReason.choices, blank=True
    )
    reply_text = models.TextField(_("答复内容"), blank=True)
    referral_agency = models.CharField(_("负责公开的机关"), max_length=100, blank=True)
    public_location = models.CharField(_("公开途径"), max_length=300, blank=True)
    reply_file = models.FileField(_("答复文件"), upload_to="disclosure/replies/", blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    source_key = models.CharField(max_length=60, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        indexes = [
            models.Index(fields=["department", "status", "-id"]),
            models.Index(fields=["applicant", "-id"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.number
