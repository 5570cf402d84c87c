"""/api/v1 endpoints of knowledge: public search and entries, staff editing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.accounts.auth import API_AUTH, caller
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle
from tongban.knowledge import selectors, services
from tongban.knowledge.models import Entry

router = Router(tags=["知识库与智能问答"])
THROTTLE = ClientRateThrottle("knowledge_search", settings.TONGBAN_RATE_STATUS)


class LinkOut(Schema):
    code: str
    name: str
    department: str
    url: str


class EntryOut(Schema):
    id: int
    question: str
    answer: str
    category: str
    keywords: str
    department: str | None
    division: str | None
    status: str
    updated_at: str
    views: int
    helpful: int
    unhelpful: int
    url: str
    links: list[LinkOut]


class HitOut(Schema):
    id: int
    question: str
    category: str
    department: str | None
    score: float
    url: str


class SearchOut(Schema):
    question: str
    entries: list[HitOut]
    guides: list[LinkOut]
    ask_url: str


class EntryPageOut(Schema):
    items: list[EntryOut]
    next: str | None


class EntryIn(Schema):
    question: str
    answer: str
    category: str
    keywords: str = ""
    department: str = ""
    division: str = ""
    item_codes: list[str] = []
    status: str = "draft"


def _department(entry: Entry) -> str | None:
    if entry.department is None:
        return None
    return f"{entry.department.division.name}{entry.department.name}"


def _entry_out(entry: Entry) -> EntryOut:
    return EntryOut(
        id=entry.pk,
        question=entry.question,
        answer=entry.answer,
        category=entry.category,
        keywords=entry.keywords,
        department=_department(entry),
        division=entry.division_id,
        status=entry.status,
        updated_at=entry.updated_at.isoformat(timespec="seconds"),
        views=entry.views,
        helpful=entry.helpful,
        unhelpful=entry.unhelpful,
        url=f"/knowledge/{entry.pk}/",
        links=[LinkOut(**vars(link)) for link in selectors.entry_links(entry)],
    )


@router.get(
    "/knowledge/search",
    response={200: SearchOut, **errors(422, 429)},
    auth=None,
    throttle=[THROTTLE],
    summary="智能问答：用中文提问，返回最相关的知识条目和办事指南（无需登录）",
)
def search(request: HttpRequest, q: str = "") -> SearchOut:
    found = selectors.answers(q[:200])
    return SearchOut(
        question=found.question,
        entries=[
            HitOut(
                id=hit.entry.pk,
                question=hit.entry.question,
                category=hit.entry.category,
                department=_department(hit.entry),
                score=hit.score,
                url=f"/knowledge/{hit.entry.pk}/",
            )
            for hit in found.entries
        ],
        guides=[LinkOut(**vars(g)) for g in found.guides],
        ask_url=selectors.ask_url(found.question),
    )


@router.get(
    "/knowledge/entries",
    response={200: EntryPageOut, **errors(401, 403, 422)},
    auth=API_AUTH,
    summary="我可维护的知识条目（含草稿；本部门负责人、审核人员或系统管理员）",
)
def editable(request: HttpRequest, cursor: str | None = None, size: int = 20) -> EntryPageOut:
    page = selectors.editable_entries(caller(request), cursor=cursor, size=size)
    return EntryPageOut(
        items=[_entry_out(e) for e in page.items], next=next_url(request, page.next_cursor)
    )


@router.get(
    "/knowledge/{entry_id}",
    response={200: EntryOut, **errors(404)},
    auth=None,
    summary="已发布的知识条目",
)
def entry_detail(request: HttpRequest, entry_id: int) -> EntryOut:
    return _entry_out(selectors.entry_get(entry_id))


@router.post(
    "/knowledge",
    response={201: EntryOut, **errors(401, 403, 422)},
    auth=API_AUTH,
    summary="新增知识条目（本部门负责人、审核人员或系统管理员）",
)
def entry_create(request: HttpRequest, payload: EntryIn) -> Any:
    entry = services.entry_create(caller(request), services.EntryInput(**payload.dict()))
    return Status(201, _entry_out(selectors.entry_get(entry.pk, published_only=False)))


@router.put(
    "/knowledge/{entry_id}",
    response={200: EntryOut, **errors(401, 403, 404, 422)},
    auth=API_AUTH,
    summary="修改知识条目（本部门负责人、审核人员或系统管理员）",
)
def entry_update(request: HttpRequest, entry_id: int, payload: EntryIn) -> EntryOut:
    entry = services.entry_update(caller(request), entry_id, services.EntryInput(**payload.dict()))
    return _entry_out(selectors.entry_get(entry.pk, published_only=False))
