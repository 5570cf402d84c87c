"""Knowledge base and smart Q&A: search quality, catalog guides, editing rights,
validation, pages, feedback and the idempotent demo loader."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tongban.core.models import AuditEntry
from tongban.demo.knowledge_demo import FAQS, load_knowledge
from tongban.knowledge import selectors
from tongban.knowledge.models import Entry

SCJG_ENTRY = {
    "question": "网店卖临期食品合法吗？",
    "answer": "临期食品在保质期内可以销售，但应当集中陈列并显著标示。",
    "category": "食品",
    "keywords": "临期食品 保质期 网店",
    "department": "420100/scjg",
    "status": "published",
}


@pytest.fixture
def kb(demo_catalog):
    assert load_knowledge(lambda _line: None) == len(FAQS)
    return demo_catalog


def _entry(question: str) -> Entry:
    return Entry.objects.get(question=question)


def test_demo_loader_is_idempotent(kb) -> None:
    assert len(FAQS) >= 40
    audit_before = AuditEntry.objects.count()
    assert load_knowledge(lambda _line: None) == 0
    assert AuditEntry.objects.count() == audit_before
    assert Entry.objects.count() == len(FAQS)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("身份证丢了怎么办", "身份证丢了怎么补办？"),
        ("怎么提取公积金", "怎么提取住房公积金？"),
        ("开餐馆要办什么证", "开饭店需要办哪些证？"),
        ("电瓶车在楼道充电", "电动车能在楼道里充电吗？"),
        ("领结婚证要带什么材料", "结婚登记需要带什么？"),
        ("健身卡老板跑路了", "预付卡商家跑路了怎么退钱？"),
    ],
)
def test_the_expected_entry_ranks_first(kb, question: str, expected: str) -> None:
    hits = selectors.entry_search(question)
    assert hits, question
    assert hits[0].entry.question == expected


def test_catalog_guides_are_answers_too(kb) -> None:
    found = selectors.answers("营业执照")
    assert any(g.url == "/services/0101001000/" for g in found.guides)
    assert len(found.guides) <= selectors.TOP_GUIDES


def test_unrelated_question_finds_nothing_and_offers_a_consultation(kb) -> None:
    response = Client().get("/knowledge/ask/", {"q": "薛定谔方程的解析解"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "没有找到" in page
    assert "/interaction/appeals/new/?type=consultation&amp;title=" in page


def test_ask_page_lists_entries_and_guides(kb) -> None:
    response = Client().get("/knowledge/ask/", {"q": "开饭店需要什么许可证"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "开饭店需要办哪些证？" in page
    assert "/services/0101002000/" in page
    assert "提交咨询" in page
    assert Client().get("/knowledge/").status_code == 200


@override_settings(TONGBAN_RATE_STATUS="2/m")
def test_public_search_page_is_rate_limited(kb) -> None:
    client = Client()
    codes = [client.get("/knowledge/ask/", {"q": "社保卡"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_search_api_is_public(kb) -> None:
    response = Client().get("/api/v1/knowledge/search", {"q": "新生儿怎么落户"})
    body = response.json()
    assert response.status_code == 200
    assert body["entries"][0]["question"] == "新生儿怎么上户口？"
    assert body["ask_url"].startswith("/interaction/appeals/new/?type=consultation")


def test_entry_detail_counts_views_and_feedback(kb) -> None:
    entry = _entry("怎么申请低保？")
    client = Client()
    page = client.get(f"/knowledge/{entry.pk}/")
    assert page.status_code == 200
    assert "最低生活保障审核确认" in page.content.decode()
    assert client.post(f"/knowledge/{entry.pk}/feedback/", {"helpful": "yes"}).status_code == 302
    client.post(f"/knowledge/{entry.pk}/feedback/", {"helpful": "no"})
    client.post(f"/knowledge/{entry.pk}/feedback/", {"helpful": "maybe"})
    entry.refresh_from_db()
    assert (entry.views, entry.helpful, entry.unhelpful) == (1, 1, 1)
    assert (
        AuditEntry.objects.filter(action="knowledge.feedback", object_id=str(entry.pk)).count() == 2
    )


def test_api_entry_detail_and_drafts_are_hidden(kb) -> None:
    entry = _entry("结婚登记需要带什么？")
    body = Client().get(f"/api/v1/knowledge/{entry.pk}").json()
    assert body["links"][0]["url"] == "/services/0713001000/"
    Entry.objects.filter(pk=entry.pk).update(status="draft")
    assert Client().get(f"/api/v1/knowledge/{entry.pk}").status_code == 404
    assert Client().get(f"/knowledge/{entry.pk}/").status_code == 404
    assert all(h.entry.pk != entry.pk for h in selectors.entry_search("结婚登记"))


def test_department_staff_create_their_own_entries(kb, api_token) -> None:
    assert (
        Client().post("/api/v1/knowledge", SCJG_ENTRY, content_type="application/json").status_code
        == 401
    )
    refused = Client().post(
        "/api/v1/knowledge", SCJG_ENTRY, content_type="application/json", **api_token("xiaofang")
    )
    assert refused.status_code == 403
    created = Client().post(
        "/api/v1/knowledge", SCJG_ENTRY, content_type="application/json", **api_token("scjg")
    )
    assert created.status_code == 201, created.content
    assert selectors.entry_search("临期食品")[0].entry.pk == created.json()["id"]
    assert AuditEntry.objects.filter(
        action="knowledge.entry_create", object_id=str(created.json()["id"])
    ).exists()


def test_only_the_owning_department_updates(kb, api_token) -> None:
    entry = _entry("开饭店需要办哪些证？")
    change = {**SCJG_ENTRY, "question": "开饭店需要办哪些证？", "status": "published"}
    other_city = Client().put(
        f"/api/v1/knowledge/{entry.pk}",
        change,
        content_type="application/json",
        **api_token("xg-scjg"),
    )
    assert other_city.status_code == 403
    done = Client().put(
        f"/api/v1/knowledge/{entry.pk}",
        change,
        content_type="application/json",
        **api_token("scjg-head"),
    )
    assert done.status_code == 200
    entry.refresh_from_db()
    assert entry.keywords == SCJG_ENTRY["keywords"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"question": "  "}, "question"),
        ({"department": "420100/nosuch"}, "department"),
        ({"item_codes": ["9999999999"]}, "item_codes"),
        ({"status": "archived"}, "status"),
    ],
)
def test_invalid_entries_are_refused_with_the_field(kb, api_token, change, field) -> None:
    before = Entry.objects.count()
    response = Client().post(
        "/api/v1/knowledge",
        {**SCJG_ENTRY, **change},
        content_type="application/json",
        **api_token("scjg"),
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Entry.objects.count() == before


def test_editors_list_only_their_departments_entries(kb, api_token) -> None:
    assert Client().get("/api/v1/knowledge/entries").status_code == 401
    citizen = Client().get("/api/v1/knowledge/entries", **api_token("zhangsan"))
    assert citizen.status_code == 403
    first = Client().get("/api/v1/knowledge/entries", {"size": 3}, **api_token("scjg")).json()
    assert len(first["items"]) == 3 and first["next"]
    rest = Client().get(first["next"], **api_token("scjg")).json()
    mine = first["items"] + rest["items"]
    assert len({e["id"] for e in mine}) == len(mine)
    assert {e["department"] for e in mine} == {"武汉市市场监督管理局"}
