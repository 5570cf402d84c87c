"""Reads of official documents (公文): what a user may see (visibility by route and
classification 密级), the outgoing boxes and the incoming queue (收文), the signed-off trail
(意见) and its hash chain, version differences (稿本比较), the user's open steps and the
full-text search. Every list filters visibility in the query and is bounded."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_roles
from tongban.core import textsearch
from tongban.core.crypto import sm3_hex
from tongban.core.errors import ValidationFailed
from tongban.core.pagination import MAX_PAGE_SIZE, Page, keyset_page
from tongban.office.models import (
    Countersign,
    Document,
    DocumentRecipient,
    DocumentStatus,
    DocumentTerm,
    DocumentVersion,
    Receipt,
    ReceiptHandler,
    RoleClearance,
    TrailEntry,
)
from tongban.org.selectors import departments_grouped
from tongban.workflow.selectors import task_inbox

BOXES = ("drafts", "route", "dispatched", "all")
ON_ROUTE = (
    DocumentStatus.REVIEWING,
    DocumentStatus.COUNTERSIGNING,
    DocumentStatus.SIGNING,
    DocumentStatus.ISSUING,
)
EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)
GENESIS = "0" * 64
TITLE_WEIGHT = 3
MAX_SEARCH_CANDIDATES = 5000
OFFICE_DOCUMENT = "office.document"
OFFICE_RECEIPT = "office.receipt"


# ---------------------------------------------------------------------------- visibility


def department_ids_of(user: Any) -> list[int]:
    """Departments in which the user holds any staff role."""
    return list(dict.fromkeys(grant.department_id for grant in staff_roles(user)))


def clearance_level(user: Any) -> int:
    """The highest classification any of the user's roles may read (0: 非密 only)."""
    cached: int | None = getattr(user, "_tongban_clearance", None)
    if cached is not None:
        return cached
    roles = {grant.role for grant in staff_roles(user)}
    level = 0
    if roles:
        found = RoleClearance.objects.filter(role__in=roles).aggregate(level=Max("level"))
        level = max(0, found["level"] or 0)
    if getattr(user, "pk", None) is not None:
        user._tongban_clearance = level
    return level


def route_q(department_ids: list[int]) -> Q:
    """Documents on whose route the departments are: the issuer, a countersigning
    department (once submitted), a recipient (once dispatched) or a handling department
    of one of its receipts. Subqueries, so no row is repeated."""
    countersigned = Countersign.objects.filter(department_id__in=department_ids).values(
        "document_id"
    )
    addressed = DocumentRecipient.objects.filter(department_id__in=department_ids).values(
        "document_id"
    )
    received = Receipt.objects.filter(department_id__in=department_ids).values("document_id")
    handled = ReceiptHandler.objects.filter(department_id__in=department_ids).values(
        "receipt__document_id"
    )
    return (
        Q(issuer_id__in=department_ids)
        | (~Q(status=DocumentStatus.DRAFT) & Q(pk__in=countersigned))
        | (Q(status=DocumentStatus.DISPATCHED) & (Q(pk__in=addressed) | Q(pk__in=received)))
        | Q(pk__in=handled)
    )


def visible_documents(user: Any) -> QuerySet[Document]:
    """Every document the user may open: on their departments' route and within their
    clearance."""
    departments = department_ids_of(user)
    if not departments:
        return Document.objects.none()
    return Document.objects.filter(route_q(departments)).filter(
        classification__lte=clearance_level(user)
    )


def document_visible_to(user: Any, document: Document) -> bool:
    if document.classification > clearance_level(user):
        return False
    return visible_documents(user).filter(pk=document.pk).exists()


def document_get(document_id: int) -> Document | None:
    return (
        Document.objects.select_related("issuer__division", "drafter", "signer")
        .filter(pk=document_id)
        .first()
    )


def receipt_get(receipt_id: int) -> Receipt | None:
    return (
        Receipt.objects.select_related(
            "document__issuer__division", "department__division", "registered_by"
        )
        .filter(pk=receipt_id)
        .first()
    )


def receipt_visible_to(user: Any, receipt: Receipt) -> bool:
    """The user's department holds the receipt or handles it, within their clearance."""
    if receipt.document.classification > clearance_level(user):
        return False
    departments = department_ids_of(user)
    if receipt.department_id in departments:
        return True
    return ReceiptHandler.objects.filter(
        receipt_id=receipt.pk, department_id__in=departments
    ).exists()


# ---------------------------------------------------------------------------- lists


def documents_for(
    user: Any, *, box: str = "all", cursor: str | None = None, size: int = 20
) -> Page[Document]:
    """拟稿 (the user's own drafts and returned documents), 流转中 (on route), 已分发 or all
    documents the user may see, newest first."""
    if box not in BOXES:
        raise ValidationFailed(_("公文箱只能是 drafts、route、dispatched 或 all"), field="box")
    qs = visible_documents(user)
    if box == "drafts":
        qs = qs.filter(drafter=user, status__in=EDITABLE)
    elif box == "route":
        qs = qs.filter(status__in=ON_ROUTE)
    elif box == "dispatched":
        qs = qs.filter(status=DocumentStatus.DISPATCHED)
    qs = qs.select_related("issuer__division", "drafter")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def incoming_for(user: Any, *, cursor: str | None = None, size: int = 20) -> Page[Receipt]:
    """收文: receipts of the user's departments and those their departments handle, within
    their clearance, newest first."""
    departments = department_ids_of(user)
    if not departments:
        return Page([], None)
    handled = ReceiptHandler.objects.filter(department_id__in=departments).values("receipt_id")
    qs = (
        Receipt.objects.filter(Q(department_id__in=departments) | Q(pk__in=handled))
        .filter(document__classification__lte=clearance_level(user))
        .select_related("document__issuer__division", "department__division")
    )
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def departments_for_choice() -> list[Any]:
    """Every department with its division, in division order (for forms)."""
    return departments_grouped()


# ---------------------------------------------------------------------------- trail


def trail_payload(entry: TrailEntry) -> dict[str, Any]:
    """The canonical content of a trail entry that its digest covers."""
    return {
        "document": entry.document_id,
        "receipt": entry.receipt_id,
        "step": entry.step,
        "department": entry.department_id,
        "actor": entry.actor_id,
        "decision": entry.decision,
        "comment": entry.comment,
        "version": entry.version,
        "at": entry.at.isoformat(),
    }


def trail_digest(previous: str, entry: TrailEntry) -> str:
    """SM3 over the previous digest and the entry's canonical JSON."""
    body = json.dumps(
        trail_payload(entry), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return sm3_hex(previous.encode() + body.encode())


def trail_head(document_id: int) -> str:
    last = (
        TrailEntry.objects.filter(document_id=document_id)
        .order_by("-id")
        .values_list("digest", flat=True)
        .first()
    )
    return last or GENESIS


def document_trail(document_id: int) -> list[TrailEntry]:
    """The document's trail (outgoing and incoming steps), oldest first (bounded)."""
    return list(
        TrailEntry.objects.filter(document_id=document_id)
        .select_related("actor", "department__division")
        .order_by("id")[:2000]
    )


def trail_verify(document_id: int) -> bool:
    """Whether the SM3 chain of the document's trail is intact (no entry edited,
    removed or reordered)."""
    previous = GENESIS
    for entry in TrailEntry.objects.filter(document_id=document_id).order_by("id").iterator():
        if entry.digest != trail_digest(previous, entry):
            return False
        previous = entry.digest
    return True


# ---------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class DiffLine:
    kind: str  # " " unchanged, "+" added in b, "-" removed from a
    text: str


def _version_lines(version: DocumentVersion) -> list[str]:
    return [_("标题：%(title)s") % {"title": version.title}, *version.body.splitlines()]


def version_diff(document_id: int, a: int, b: int) -> list[DiffLine]:
    """Line differences between versions ``a`` and ``b`` (稿本) of a document."""
    versions = DocumentVersion.objects.filter(document_id=document_id, number__in=[a, b])
    by_number = {v.number: v for v in versions}
    for field, number in (("a", a), ("b", b)):
        if number not in by_number:
            raise ValidationFailed(_("稿本 %(n)s 不存在") % {"n": number}, field=field)
    lines: list[DiffLine] = []
    for line in difflib.ndiff(_version_lines(by_number[a]), _version_lines(by_number[b])):
        kind, text = line[:1], line[2:]
        if kind in (" ", "+", "-"):
            lines.append(DiffLine(kind, text))
    return lines


def version_next_number(document_id: int) -> int:
    found = DocumentVersion.objects.filter(document_id=document_id).aggregate(n=Max("number"))
    return int(found["n"] or 0) + 1


# ---------------------------------------------------------------------------- numbers


def document_number_next(*, issuer_id: int, year: int) -> int:
    """The next serial of an issuer's document numbers (发文字号) in ``year``."""
    found = Document.objects.filter(issuer_id=issuer_id, number_year=year).aggregate(
        n=Max("number_serial")
    )
    return int(found["n"] or 0) + 1


def receipt_number_next(*, department_id: int, year: int) -> int:
    """The next serial of a department's receipt numbers (收文编号) in ``year``."""
    found = Receipt.objects.filter(department_id=department_id, number_year=year).aggregate(
        n=Max("number_serial")
    )
    return int(found["n"] or 0) + 1


# ---------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class HumanTaskView:
    task_id: int
    step: str
    title: str


def office_tasks_for(
    user: Any, *, document_id: int | None = None, receipt_id: int | None = None
) -> list[HumanTaskView]:
    """The user's open inbox tasks on one document (发文) or one receipt (收文)."""
    if document_id is not None:
        business = (OFFICE_DOCUMENT, str(document_id))
    elif receipt_id is not None:
        business = (OFFICE_RECEIPT, str(receipt_id))
    else:
        return []
    page = task_inbox(user=user, size=MAX_PAGE_SIZE)
    return [
        HumanTaskView(task.pk, task.step, task.title)
        for task in page.items
        if (task.instance.business_type, task.instance.business_id) == business
    ]


# ---------------------------------------------------------------------------- search


def document_words(*, title: str, body: str) -> dict[str, int]:
    """Weighted jieba terms of a document: a title word counts three body words."""
    counts: dict[str, int] = {}
    for word in textsearch.words(title):
        counts[word] = counts.get(word, 0) + TITLE_WEIGHT
    for word in textsearch.words(body):
        counts[word] = counts.get(word, 0) + 1
    return counts


@dataclass(frozen=True)
class SearchHit:
    document: Document
    snippet: SafeString
    title_html: SafeString
    score: float


@dataclass
class SearchPage:
    """One page of search hits (keyset over score and id)."""

    items: list[SearchHit]
    next_cursor: str | None


def _scores(words: list[str], visible: QuerySet[Document]) -> dict[int, float]:
    """BM25 of every visible document holding at least one query word."""
    rows = list(
        DocumentTerm.objects.filter(term__in=words, document__in=visible).values_list(
            "document_id", "term", "weight"
        )[:MAX_SEARCH_CANDIDATES]
    )
    if not rows:
        return {}
    candidates = {row[0] for row in rows}
    lengths: dict[int, int] = {}
    for pk, weight in DocumentTerm.objects.filter(document_id__in=candidates).values_list(
        "document_id", "weight"
    )[: MAX_SEARCH_CANDIDATES * 20]:
        lengths[pk] = lengths.get(pk, 0) + weight
    total = visible.aggregate(total=Count("id"))["total"] or 1
    average = sum(lengths.values()) / max(len(lengths), 1)
    df: dict[str, int] = {}
    for _pk, term, _weight in rows:
        df[term] = df.get(term, 0) + 1
    scores: dict[int, float] = {}
    for pk, term, weight in rows:
        scores[pk] = scores.get(pk, 0.0) + textsearch.bm25(
            tf=weight, df=df[term], total=total, length=lengths.get(pk, 1), average=average
        )
    return {pk: round(score, 6) for pk, score in scores.items()}


def document_search(
    user: Any, query: str, *, cursor: str | None = None, size: int = 20
) -> SearchPage:
    """Full-text search over the title and body of the documents the user may see, best
    first, with highlighted snippets."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    words = textsearch.terms(query[:200])
    if not words:
        return SearchPage([], None)
    visible = visible_documents(user)
    ranked = sorted(_scores(words, visible).items(), key=lambda item: (-item[1], item[0]))
    if cursor:
        after_score, after_pk = textsearch.score_cursor_decode(cursor)
        ranked = [
            (pk, score)
            for pk, score in ranked
            if score < after_score or (score == after_score and pk > after_pk)
        ]
    shown = ranked[:size]
    by_id = visible.select_related("issuer__division", "drafter").in_bulk(
        [pk for pk, _score in shown]
    )
    hits = [
        SearchHit(
            document=by_id[pk],
            snippet=textsearch.snippet(by_id[pk].body, words),
            title_html=textsearch.snippet(by_id[pk].title, words, width=200),
            score=score,
        )
        for pk, score in shown
        if pk in by_id
    ]
    next_cursor = (
        textsearch.score_cursor_encode(shown[-1][1], shown[-1][0]) if len(ranked) > size else None
    )
    return SearchPage(hits, next_cursor)
