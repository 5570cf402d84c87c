"""Reads of publications, the disclosure catalog, information requests and the annual
report. Everything public goes through ``public_publications``: published and actively
disclosed (主动公开) items only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.pagination import MAX_PAGE_SIZE, Page, keyset_page
from tongban.core.selectors import add_working_days
from tongban.core.textsearch import score_cursor_decode, score_cursor_encode
from tongban.disclosure import search
from tongban.disclosure.models import (
    Article,
    Attribute,
    Category,
    InfoRequest,
    Kind,
    Publication,
    PublicationStatus,
    PublicationTerm,
    ReplyType,
    RequestStatus,
    WithheldReason,
)
from tongban.org.selectors import Role, department_get, departments_grouped

REPLY_DAYS = 20  # working days from receipt (条例第三十三条)
MAX_EXTENSION_DAYS = 20
CORRECTION_WINDOW_DAYS = 7
EDITOR_ROLES = frozenset({Role.REVIEWER, Role.HEAD})
HANDLER_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.HEAD})
MAX_SEARCH_CANDIDATES = 5000


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


# --- Publications ----------------------------------------------------------------------


def categories() -> list[Category]:
    return list(Category.objects.select_related("parent"))


def public_publications() -> QuerySet[Publication]:
    """The only publications anyone outside the department may see."""
    return Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, attribute=Attribute.ACTIVE, published_on__isnull=False
    ).select_related("division", "department", "category")


@dataclass(frozen=True)
class PublicationFilter:
    division: str = ""
    kind: str = ""
    category: str = ""
    department: str = ""  # department code within the division
    year: int | None = None
    q: str = ""


def _filter_q(f: PublicationFilter) -> Q:
    condition = Q()
    if f.division:
        condition &= Q(division_id=f.division)
    if f.kind:
        if f.kind not in Kind.values:
            raise ValidationFailed(_("信息类别无效"), field="kind")
        condition &= Q(kind=f.kind)
    if f.category:
        condition &= Q(category__code=f.category) | Q(category__parent__code=f.category)
    if f.department:
        condition &= Q(department__code=f.department)
    if f.year:
        condition &= Q(published_on__year=f.year)
    return condition


def publication_list(
    f: PublicationFilter, *, cursor: str | None = None, size: int = 20
) -> Page[Publication]:
    """Public publications matching ``f``, newest first; with ``f.q`` ranked by relevance."""
    if f.q.strip():
        return publication_search(f, cursor=cursor, size=size)
    qs = public_publications().filter(_filter_q(f))
    return keyset_page(qs, order=("-published_on", "-id"), cursor=cursor, size=size)


def publication_get_public(publication_id: int, *, division_code: str | None = None) -> Publication:
    qs = public_publications().filter(pk=publication_id)
    if division_code:
        qs = qs.filter(division_id=division_code)
    publication = qs.first()
    if publication is None:
        raise NotFound(_("该信息不存在或未主动公开"))
    return publication


def _scores(words: list[str], visible: QuerySet[Publication]) -> dict[int, float]:
    """BM25 of every visible publication holding at least one query word."""
    rows = list(
        PublicationTerm.objects.filter(term__in=words, publication__in=visible).values_list(
            "publication_id", "term", "tf"
        )[:MAX_SEARCH_CANDIDATES]
    )
    if not rows:
        return {}
    stats = visible.aggregate(total=Count("id"), average=Avg("term_count"))
    df: dict[str, int] = {}
    for _pk, term, _tf in rows:
        df[term] = df.get(term, 0) + 1
    lengths = dict(
        Publication.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "term_count")
    )
    scores: dict[int, float] = {}
    for pk, term, tf in rows:
        scores[pk] = scores.get(pk, 0.0) + search.bm25(
            tf=tf,
            df=df[term],
            total=stats["total"],
            length=lengths[pk],
            average=float(stats["average"] or 1),
        )
    return {pk: round(score, 6) for pk, score in scores.items()}


def publication_search(
    f: PublicationFilter, *, cursor: str | None = None, size: int = 20
) -> Page[Publication]:
    """Public publications matching the jieba terms of ``f.q``, best first. Each carries
    ``score`` and a highlighted ``snippet``."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    words = search.terms(f.q)
    if not words:
        return Page([], None)
    scores = _scores(words, public_publications().filter(_filter_q(f)))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if cursor:
        after_score, after_pk = score_cursor_decode(cursor)
        ranked = [
            (pk, score)
            for pk, score in ranked
            if score < after_score or (score == after_score and pk > after_pk)
        ]
    visible = ranked[:size]
    by_id = public_publications().in_bulk([pk for pk, _score in visible])
    items = []
    for pk, score in visible:
        publication = by_id[pk]
        publication.score = score  # type: ignore[attr-defined]
        text = publication.summary or publication.body
        publication.snippet = search.snippet(text, words)  # type: ignore[attr-defined]
        publication.title_html = search.snippet(publication.title, words, width=200)  # type: ignore[attr-defined]
        items.append(publication)
    next_cursor = score_cursor_encode(*visible[-1][::-1]) if len(ranked) > size else None
    return Page(items, next_cursor)


def can_edit_department(user: Any, department_id: int) -> bool:
    return staff_has_role(user, roles=EDITOR_ROLES, department_id=department_id)


def editable_department_ids(user: Any) -> list[int]:
    return [g.department_id for g in staff_roles(user) if g.role in EDITOR_ROLES]


def staff_publication_list(
    user: Any, *, cursor: str | None = None, size: int = 20
) -> Page[Publication]:
    """All publications (any status and attribute) of the departments the user edits."""
    departments = editable_department_ids(user)
    if not departments:
        raise PermissionDenied(_("只有部门审批员或负责人可以管理公开信息"))
    qs = Publication.objects.filter(department_id__in=departments).select_related(
        "department", "category", "division"
    )
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def staff_publication_get(user: Any, publication_id: int) -> Publication:
    publication = (
        Publication.objects.select_related("department", "category", "division")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None:
        raise NotFound(_("该信息不存在"))
    if not can_edit_department(user, publication.department_id):
        raise PermissionDenied(_("只能管理本部门的公开信息"))
    return publication


def publication_counts_by_kind(*, year: int, department_id: int) -> dict[str, int]:
    rows = (
        public_publications()
        .filter(department_id=department_id, published_on__year=year)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {kind: 0 for kind in Kind.values}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


# --- Information requests --------------------------------------------------------------


def request_deadline(request: InfoRequest) -> date | None:
    """20 working days (plus any extension) from the clock start; none while waiting for
    the applicant's correction or before registration."""
    if request.clock_start is None or request.status == RequestStatus.CORRECTION:
        return None
    return add_working_days(request.clock_start, REPLY_DAYS + request.extension_days)


def is_request_staff(user: Any, request: InfoRequest) -> bool:
    return staff_has_role(user, roles=HANDLER_ROLES, department_id=request.department_id)


def is_supervisor_for(user: Any, request: InfoRequest) -> bool:
    return _covers(_supervisor_paths(user), request.division_path)


def _supervisor_paths(user: Any) -> list[str]:
    return [g.department.division.path for g in staff_roles(user) if g.role == Role.SUPERVISOR]


def _covers(paths: list[str], path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in paths)


def request_get(user: Any, request_id: int) -> InfoRequest:
    """A request as its applicant, its department's staff or a supervisor may see it."""
    qs = InfoRequest.objects.select_related("department__division")
    request = qs.filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("该申请不存在"))
    if request.applicant_id == getattr(user, "pk", None):
        return request
    if is_request_staff(user, request) or is_supervisor_for(user, request):
        return request
    raise PermissionDenied(_("无权查看该申请"))


def my_requests(user: Any, *, cursor: str | None = None, size: int = 20) -> Page[InfoRequest]:
    qs = InfoRequest.objects.filter(applicant_id=user.pk).select_related("department__division")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def _require_request_staff(user: Any) -> None:
    if not any(g.role in HANDLER_ROLES | {Role.SUPERVISOR} for g in staff_roles(user)):
        raise PermissionDenied(_("只有部门工作人员或电子监察员可以查看依申请公开办理情况"))


def _staff_scope(user: Any) -> Q:
    departments = [g.department_id for g in staff_roles(user) if g.role in HANDLER_ROLES]
    condition = Q(department_id__in=departments)
    for path in _supervisor_paths(user):
        condition |= Q(division_path=path) | Q(division_path__startswith=path + "/")
    return condition


def staff_request_list(
    user: Any,
    *,
    overdue: bool = False,
    today: date | None = None,
    cursor: str | None = None,
    size: int = 20,
) -> Page[InfoRequest]:
    """Requests of the user's departments, or of the supervised divisions; with
    ``overdue`` only the unanswered ones past their deadline, earliest deadline first."""
    if overdue:
        return overdue_requests(user, today=today, cursor=cursor, size=size)
    _require_request_staff(user)
    qs = InfoRequest.objects.filter(_staff_scope(user)).select_related("department__division")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def overdue_requests(
    user: Any, *, today: date | None = None, cursor: str | None = None, size: int = 20
) -> Page[InfoRequest]:
    """Deadline supervision: unanswered requests past their deadline within the user's
    scope. Supervisors see their division subtree, department staff their department."""
    _require_request_staff(user)
    qs = overdue_queryset(today=today or timezone.localdate()).filter(_staff_scope(user))
    return keyset_page(
        qs.select_related("department__division"),
        order=("deadline", "id"),
        cursor=cursor,
        size=size,
    )


def overdue_queryset(*, today: date) -> QuerySet[InfoRequest]:
    return InfoRequest.objects.filter(status=RequestStatus.REGISTERED, deadline__lt=today)


# --- Annual report (年度报告) -------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    person: int = 0
    legal: int = 0
    indent: int = 0

    @property
    def total(self) -> int:
        return self.person + self.legal


@dataclass
class AnnualReport:
    year: int
    department: str
    received: ReportRow
    carried_over: ReportRow
    results: list[ReportRow]
    results_total: ReportRow
    carried_forward: ReportRow
    publications: list[tuple[str, int]] = field(default_factory=list)


# (label, reply types, withheld reason or None, indent); 已主动公开 counts as 其他处理:
# the applicant is told where to find it rather than given a document.
_RESULT_ROWS: list[tuple[Any, tuple[str, ...], str | None, int]] = [
    (gettext_lazy("（一）予以公开"), (ReplyType.DISCLOSED,), None, 0),
    (gettext_lazy("（二）部分公开"), (ReplyType.PARTIAL,), None, 0),
    (gettext_lazy("（三）不予公开"), (ReplyType.WITHHELD,), None, 0),
    *[(label, (ReplyType.WITHHELD,), code, 1) for code, label in WithheldReason.choices],
    (gettext_lazy("（四）无法提供"), (ReplyType.NOT_EXIST, ReplyType.NOT_RESPONSIBLE), None, 0),
    (gettext_lazy("本机关不掌握相关政府信息"), (ReplyType.NOT_EXIST,), None, 1),
    (gettext_lazy("非本机关负责公开"), (ReplyType.NOT_RESPONSIBLE,), None, 1),
    (gettext_lazy("（五）不予处理"), (ReplyType.DUPLICATE,), None, 0),
    (gettext_lazy("重复申请"), (ReplyType.DUPLICATE,), None, 1),
    (gettext_lazy("（六）其他处理"), (ReplyType.ALREADY_PUBLIC,), None, 0),
]


def _by_kind(qs: QuerySet[InfoRequest], label: Any, indent: int = 0) -> ReportRow:
    rows = dict(qs.values_list("applicant_kind").annotate(n=Count("id")))
    return ReportRow(str(label), rows.get("person", 0), rows.get("legal", 0), indent)


def report_departments(user: Any) -> list[Any]:
    """Departments whose annual report the user may view: their own, or every department
    of the divisions a supervisor oversees (bounded)."""
    own = [g.department for g in staff_roles(user) if g.role in HANDLER_ROLES]
    paths = _supervisor_paths(user)
    if not paths:
        return list(dict.fromkeys(own))
    overseen = [d for d in departments_grouped() if _covers(paths, d.division.path)]
    return list(dict.fromkeys(own + overseen))


def annual_report(user: Any, *, year: int, department_id: int) -> AnnualReport:
    """The 依申请公开 statistics of the national annual report template for one
    department and year, plus its 主动公开 counts by kind."""
    if not (
        staff_has_role(user, roles=HANDLER_ROLES | {Role.SUPERVISOR}, department_id=department_id)
    ):
        raise PermissionDenied(_("只能查看本部门或监察范围内部门的年度报告"))
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年份无效"), field="year")
    start, end = date(year, 1, 1), date(year, 12, 31)
    base = InfoRequest.objects.filter(department_id=department_id, received_on__isnull=False)
    open_at = Q(replied_on__isnull=True)
    replied = base.filter(replied_on__range=(start, end))
    results = [
        _by_kind(
            replied.filter(reply_type__in=types, **({"withheld_reason": reason} if reason else {})),
            label,
            indent,
        )
        for label, types, reason, indent in _RESULT_ROWS
    ]
    department = department_get(department_id)
    counts = publication_counts_by_kind(year=year, department_id=department_id)
    return AnnualReport(
        year=year,
        department=str(department),
        received=_by_kind(
            base.filter(received_on__range=(start, end)), _("本年新收政府信息公开申请数量")
        ),
        carried_over=_by_kind(
            base.filter(received_on__lt=start).filter(open_at | Q(replied_on__gte=start)),
            _("上年结转政府信息公开申请数量"),
        ),
        results=results,
        results_total=_by_kind(replied, _("（七）总计")),
        carried_forward=_by_kind(
            base.filter(received_on__lte=end).filter(open_at | Q(replied_on__gt=end)),
            _("四、结转下年度继续办理"),
        ),
        publications=[(str(label), counts[kind]) for kind, label in Kind.choices],
    )


def publication_exists(source_key: str) -> bool:
    return Publication.objects.filter(source_key=source_key).exists()


def request_exists(source_key: str) -> bool:
    return InfoRequest.objects.filter(source_key=source_key).exists()
