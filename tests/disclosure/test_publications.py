"""Publications: validation, index numbers, what is public (主动公开 only) in lists,
details, search, feeds and the API, and who may manage them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.test import Client

from tests.disclosure.conftest import department_id, publication_input, publish, user
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.disclosure import services
from tongban.disclosure.models import Publication
from tongban.org.selectors import department_get

ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the platform's own feed, not untrusted input


@pytest.mark.django_db
def test_index_numbers_are_sequential_per_department_and_year(catalog):
    first = publish()
    second = publish(title="关于开展食品安全宣传周活动的通知")
    credit = department_get(department_id("scjg")).credit_code
    assert first.index_number == f"{credit}/2026-00001"
    assert second.index_number == f"{credit}/2026-00002"
    assert re.fullmatch(services.INDEX_NUMBER, first.index_number)
    with pytest.raises(ValidationFailed):
        services.validate_index_number("420100-scjg/26-1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"doc_number": "武市监规2026第3号"}, "doc_number"),
        ({"doc_number": "〔2026〕3号"}, "doc_number"),
        ({"attribute": "withheld", "withheld_reason": ""}, "withheld_reason"),
        ({"attribute": "secret"}, "attribute"),
        ({"validity": "repealed"}, "invalid_on"),
        ({"title": "  "}, "title"),
        ({"category_code": "nope"}, "category"),
    ],
)
def test_invalid_publications_change_nothing(catalog, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        services.publication_create(actor=user("scjg"), data=publication_input(**overrides))
    assert error.value.field == field
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_doc_number_accepts_the_official_format(catalog):
    assert services.validate_doc_number("鄂政发〔2026〕3号") == "鄂政发〔2026〕3号"
    assert services.validate_doc_number("鄂政发[2026]3号") == "鄂政发〔2026〕3号"


@pytest.mark.django_db
def test_only_department_editors_manage_publications(catalog):
    with pytest.raises(PermissionDenied):
        services.publication_create(actor=user("xiaofang"), data=publication_input())
    with pytest.raises(PermissionDenied):  # same department code, other city
        services.publication_create(actor=user("xg-scjg"), data=publication_input())
    p = publish()
    with pytest.raises(PermissionDenied):
        services.publication_withdraw(actor=user("huanbao"), publication_id=p.pk, reason="错误")
    services.publication_withdraw(actor=user("scjg-head"), publication_id=p.pk, reason="内容有误")
    actions = set(AuditEntry.objects.filter(object_id=str(p.pk)).values_list("action", flat=True))
    assert {"disclosure.publication_create", "disclosure.publication_publish"} <= actions
    assert "disclosure.publication_withdraw" in actions


@pytest.fixture
def mixed(catalog):
    """One public publication and four that must never be seen publicly."""
    visible = publish(title="关于加强校园周边食品安全管理的通知")
    hidden = [
        publish(title="校园食品安全内部督查报告", attribute="on_request"),
        publish(title="校园食品安全案件线索", attribute="withheld", withheld_reason="涉及案件调查"),
        services.publication_create(
            actor=user("scjg"), data=publication_input(title="校园食品安全草稿")
        ),
    ]
    withdrawn = publish(title="校园食品安全已撤回通知")
    services.publication_withdraw(actor=user("scjg"), publication_id=withdrawn.pk, reason="重发")
    return visible, [*hidden, withdrawn]


@pytest.mark.django_db
def test_hidden_publications_never_leak(mixed):
    visible, hidden = mixed
    client = Client()
    listing = client.get("/api/v1/disclosure/publications?division=420100").json()
    assert [item["id"] for item in listing["items"]] == [visible.pk]
    found = client.get("/api/v1/disclosure/publications", {"q": "校园食品安全"}).json()
    assert [item["id"] for item in found["items"]] == [visible.pk]
    for p in hidden:
        assert client.get(f"/api/v1/disclosure/publications/{p.pk}").status_code == 404
        assert client.get(f"/disclosure/420100/{p.pk}/").status_code == 404
    page = client.get("/disclosure/420100/").content.decode()
    search = client.get("/disclosure/search/", {"q": "校园食品安全"}).content.decode()
    rss = client.get("/disclosure/420100/feed.rss").content.decode()
    atom = client.get("/disclosure/420100/feed.atom").content.decode()
    for text in (page, search, rss, atom):
        assert visible.index_number in text or visible.title in text
        for p in hidden:
            assert p.title not in text


@pytest.mark.django_db
def test_detail_page_shows_the_metadata_table(mixed):
    visible, _hidden = mixed
    html = Client().get(f"/disclosure/420100/{visible.pk}/").content.decode()
    for text in ("索引号", visible.index_number, "武市监规〔2026〕3号", "2026-03-02", "有效"):
        assert text in html
    assert Client().get(f"/disclosure/420900/{visible.pk}/").status_code == 404


@pytest.mark.django_db
def test_feeds_parse_and_list_only_public_items(mixed):
    visible, _hidden = mixed
    rss = _xml(Client().get("/disclosure/420100/feed.rss").content)
    items = rss.findall("./channel/item")
    assert [i.findtext("title") for i in items] == [visible.title]
    assert items[0].findtext("guid") == visible.index_number
    atom = _xml(Client().get("/disclosure/420100/feed.atom?kind=policy").content)
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [visible.title]
    empty = _xml(Client().get("/disclosure/420100/feed.rss?kind=news").content)
    assert empty.findall("./channel/item") == []
    page = Client().get("/disclosure/420100/").content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("低保标准", "最低生活保障标准"),
        ("重污染天气应急", "重污染天气应急预案"),
        ("流感疫苗接种", "流感疫苗接种"),
    ],
)
def test_search_ranks_the_expected_item_first(full_demo, query, expected):
    response = Client().get("/api/v1/disclosure/publications", {"q": query, "size": 5})
    items = response.json()["items"]
    assert expected in items[0]["title"]
    assert "<mark>" in items[0]["snippet"]
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_search_pages_do_not_repeat(full_demo):
    client = Client()
    first = client.get("/api/v1/disclosure/publications?q=食品安全&size=3").json()
    assert first["next"]
    second = client.get(first["next"]).json()
    ids = [i["id"] for i in first["items"]] + [i["id"] for i in second["items"]]
    assert len(ids) == len(set(ids)) == 6


@pytest.mark.django_db
def test_demo_is_idempotent_and_hides_non_public_items(full_demo):
    assert full_demo == {"categories": 14, "publications": 100, "requests": 10}
    audits = AuditEntry.objects.count()
    from tongban.demo.disclosure_demo import load_disclosure

    assert load_disclosure(lambda _line: None) == {
        "categories": 0,
        "publications": 0,
        "requests": 0,
    }
    assert AuditEntry.objects.count() == audits
    hidden = Publication.objects.exclude(attribute="active")
    assert hidden.count() >= 5
    public_ids = set()
    url = "/api/v1/disclosure/publications?size=100"
    while url:
        page = Client().get(url).json()
        public_ids |= {item["id"] for item in page["items"]}
        url = page["next"]
    assert public_ids.isdisjoint(set(hidden.values_list("id", flat=True)))
    assert len(public_ids) == 100 - hidden.count()


@pytest.mark.django_db
def test_api_create_publish_withdraw(catalog, api_token):
    body = {
        "department_id": department_id("scjg"),
        "category": "tzgg",
        "kind": "notice",
        "title": "关于开展电梯安全专项检查的通知",
        "body": "市场监管部门将于近期对全市住宅小区电梯开展安全专项检查。",
        "written_on": "2026-04-01",
        "attribute": "active",
    }
    client = Client()
    assert (
        client.post("/api/v1/disclosure/publications", body, "application/json").status_code == 401
    )
    denied = client.post(
        "/api/v1/disclosure/publications", body, "application/json", **api_token("xiaofang")
    )
    assert denied.status_code == 403
    bad = client.post(
        "/api/v1/disclosure/publications",
        body | {"doc_number": "随便写"},
        "application/json",
        **api_token("scjg"),
    )
    assert bad.status_code == 422 and bad.json()["field"] == "doc_number"
    created = client.post(
        "/api/v1/disclosure/publications", body, "application/json", **api_token("scjg")
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    url = f"/api/v1/disclosure/publications/{pk}"
    assert client.get(url).status_code == 404  # a draft is not public
    published = client.post(
        f"{url}/publish", {"published_on": "2026-04-02"}, "application/json", **api_token("scjg")
    )
    assert published.json()["status"] == "published"
    assert client.get(url).json()["published_on"] == "2026-04-02"
    client.post(f"{url}/withdraw", {"reason": "重复发布"}, "application/json", **api_token("scjg"))
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_workbench_form_shows_errors_next_to_fields(catalog, login_as):
    client = login_as("scjg")
    assert client.get("/workbench/disclosure/publications/new/").status_code == 200
    form = {
        "department_id": str(department_id("scjg")),
        "category": "gfxwj",
        "kind": "policy",
        "title": "关于规范网络餐饮服务的通知",
        "body": "网络餐饮服务第三方平台应当对入网餐饮服务提供者进行实名登记。",
        "written_on": "2026-05-06",
        "attribute": "active",
        "validity": "valid",
        "doc_number": "武市监规2026-9",
    }
    response = client.post("/workbench/disclosure/publications/new/", form)
    assert response.status_code == 422
    assert 'id="f-doc_number-error"' in response.content.decode()
    assert not Publication.objects.exists()
    ok = client.post("/workbench/disclosure/publications/new/", form | {"doc_number": ""})
    assert ok.status_code == 302
    assert Publication.objects.get().written_on == date(2026, 5, 6)
    assert login_as("zhangsan").get("/workbench/disclosure/publications/").status_code == 403
