"""Open data services and selectors on the real database: publishing rules (no personal
data, open types, stewards), the snapshot, search and facets, the datastore, files,
conditional access, download counts and API keys."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.exchange import services as exchange
from tongban.exchange.services import ItemSpec
from tongban.opendata import selectors, services
from tongban.opendata.models import ApiKey, Distribution, Group, Record

from .factories import STOP_ITEMS, make_resource, publish, stop_rows, user, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def stops(demo: Any, tmp_path: Path) -> Any:
    Group.objects.create(name="transport", title="交通出行", eu_theme="TRAN")
    code = make_resource(tmp_path, code="900200100001")
    return publish(code, groups=["transport"])


# ---------------------------------------------------------------------------- publishing


def test_publish_takes_snapshot_and_makes_three_files(stops: Any) -> None:
    assert stops.state == "active" and stops.access == "open" and stops.issued
    assert stops.organization.code == "zsj" and stops.spatial.code == "420100"
    assert [f["id"] for f in stops.fields] == ["stop", "district", "lines"]
    assert stops.fields[2] == {
        "id": "lines",
        "type": "integer",
        "label": "线路数",
        "description": "",
    }
    records = list(Record.objects.filter(dataset=stops).order_by("row"))
    assert len(records) == 120
    assert records[0].data == {"stop": "公交站001", "district": "江汉区", "lines": 2}
    assert records[0].text == "公交站001 江汉区 2"
    formats = {}
    for distribution in Distribution.objects.filter(dataset=stops):
        body, _type, filename = selectors.distribution_file(distribution)
        assert distribution.size == len(body) > 0
        formats[distribution.format] = (body, filename)
    assert set(formats) == {"CSV", "JSON", "XLSX"}
    csv_body = formats["CSV"][0]
    assert csv_body.startswith(b"\xef\xbb\xbfstop,district,lines\r\n")
    assert formats["CSV"][1] == f"{stops.name}.csv"
    assert json.loads(formats["JSON"][0])[0] == {
        "stop": "公交站001",
        "district": "江汉区",
        "lines": 2,
    }
    sheet = openpyxl.load_workbook(io.BytesIO(formats["XLSX"][0])).active
    assert [c.value for c in sheet[1]] == ["stop", "district", "lines"]
    assert sheet.max_row == 121
    assert AuditEntry.objects.filter(action="dataset.publish", object_id=stops.name).exists()
    assert OutboxEvent.objects.filter(topic="opendata.dataset_published").exists()


def test_republish_is_idempotent_and_refreshes(stops: Any, tmp_path: Path) -> None:
    ids = set(Distribution.objects.filter(dataset=stops).values_list("pk", flat=True))
    write_csv(tmp_path / "900200100001.csv", stop_rows(130))
    again = publish("900200100001", title="公交站点（更新）")
    assert again.pk == stops.pk and again.title == "公交站点（更新）"
    assert Record.objects.filter(dataset=stops).count() == 130
    assert set(Distribution.objects.filter(dataset=stops).values_list("pk", flat=True)) == ids


def test_snapshot_is_bounded(demo: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "MAX_SNAPSHOT_ROWS", 50)
    dataset = publish(make_resource(tmp_path, code="900200100002"))
    assert Record.objects.filter(dataset=dataset).count() == 50


def test_resource_rows_pages_through_the_adapter(demo: Any, tmp_path: Path) -> None:
    code = make_resource(tmp_path, code="900200100003", rows=stop_rows(20))
    rows = list(exchange.resource_rows(code, ["stop", "lines"], page_size=7))
    assert len(rows) == 20
    assert rows[-1] == {"stop": "公交站020", "lines": "7"}


@pytest.mark.parametrize(
    ("sensitivity", "mask"), [("sensitive", "none"), ("internal", "phone"), ("public", "name")]
)
def test_personal_data_is_never_published(
    demo: Any, tmp_path: Path, sensitivity: str, mask: str
) -> None:
    items = [*STOP_ITEMS, ItemSpec("keeper", "站长", sensitivity=sensitivity, mask=mask)]
    rows = [{**row, "站长": "张三"} for row in stop_rows(5)]
    code = make_resource(tmp_path, code="900200100004", items=items, rows=rows)
    with pytest.raises(ValidationFailed) as raised:
        publish(code)
    assert "keeper（站长）" in raised.value.message
    assert not selectors.dataset_names()


def test_resources_not_open_are_refused(demo: Any, tmp_path: Path) -> None:
    code = make_resource(tmp_path, code="900200100005", open_type="none")
    with pytest.raises(ValidationFailed, match="不予开放"):
        publish(code)


def test_conditional_resources_need_terms(demo: Any, tmp_path: Path) -> None:
    code = make_resource(tmp_path, code="900200100006", open_type="conditional")
    with pytest.raises(ValidationFailed) as raised:
        publish(code)
    assert raised.value.field == "terms"
    dataset = publish(code, terms="仅限科研用途，不得转售。")
    assert dataset.access == "conditional"


@pytest.mark.parametrize("username", ["rsj-shuju", "zhangsan", "chuangkou"])
def test_only_the_providers_steward_publishes(demo: Any, tmp_path: Path, username: str) -> None:
    code = make_resource(tmp_path, code="900200100007")
    with pytest.raises(PermissionDenied):
        publish(code, actor=username)
    assert publish(code, actor="admin").state == "active"  # a superuser may


def test_publish_validates_its_input(stops: Any, demo: Any, tmp_path: Path) -> None:
    code = make_resource(tmp_path, code="900200100008")
    for overrides, field in [
        ({"name": "Bad Name"}, "name"),
        ({"license_id": "proprietary"}, "license_id"),
        ({"frequency": "HOURLY"}, "frequency"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"groups": ["nope"]}, "groups"),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            publish(code, **overrides)
        assert raised.value.field == field
    with pytest.raises(Conflict):
        publish(code, name=stops.name)
    with pytest.raises(NotFound):
        publish("999999999")


def test_withdraw(stops: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.dataset_withdraw(actor=user("rsj-shuju"), name=stops.name, reason="过时")
    with pytest.raises(ValidationFailed):
        services.dataset_withdraw(actor=user("shuju"), name=stops.name, reason="")
    services.dataset_withdraw(actor=user("shuju"), name=stops.name, reason="数据已过时")
    with pytest.raises(NotFound):
        selectors.dataset_get(stops.name)
    assert selectors.dataset_names() == []
    assert selectors.organizations() == []


# ----------------------------------------------------------------------------- reading


def test_dataset_get_by_name_or_id(stops: Any) -> None:
    assert selectors.dataset_get(stops.name) == stops
    assert selectors.dataset_get(str(stops.pk)) == stops
    with pytest.raises(NotFound):
        selectors.dataset_get("nope")


def test_organizations_groups_tags(stops: Any) -> None:
    [(name, department, count)] = selectors.organizations()
    assert (name, department.code, count) == ("420100-zsj", "zsj", 1)
    assert selectors.organization_name(department) == "420100-zsj"
    assert selectors.organization_get("420100-zsj") == department
    for bad in ["420100-rsj", "nope", ""]:
        with pytest.raises(NotFound):
            selectors.organization_get(bad)
    assert [(g.name, n) for g, n in selectors.groups()] == [("transport", 1)]
    assert selectors.group_get("transport").eu_theme == "TRAN"
    with pytest.raises(NotFound):
        selectors.group_get("nope")
    assert selectors.tags() == [("公交", 1), ("出行", 1)]


@pytest.fixture
def three(stops: Any, tmp_path: Path) -> list[Any]:
    schools = make_resource(
        tmp_path,
        code="900200100010",
        department="rsj",
        items=[ItemSpec("school", "学校名称", sensitivity="public")],
        rows=[{"学校名称": f"武汉市第{i}中学"} for i in range(1, 11)],
    )
    air = make_resource(tmp_path, code="900200100011", open_type="conditional")
    return [
        stops,
        publish(
            schools,
            actor="rsj-shuju",
            name="schools",
            title="武汉市学校名录",
            notes="中小学名录",
            tags=["学校", "教育"],
            license_id="CC0-1.0",
        ),
        publish(
            air,
            name="air",
            title="空气质量日报",
            notes="每日空气质量",
            tags=["环境"],
            terms="仅限科研用途。",
        ),
    ]


def test_search_words_filters_facets(three: list[Any]) -> None:
    stops, schools, air = three
    everything = selectors.dataset_search()
    assert everything.count == 3
    assert everything.facets["organization"] == {"420100-zsj": 2, "420100-rsj": 1}
    assert everything.facets["res_format"] == {"CSV": 3, "JSON": 3, "XLSX": 3}
    assert everything.facets["access"] == {"open": 2, "conditional": 1}
    assert everything.facets["license_id"] == {"CC-BY-4.0": 2, "CC0-1.0": 1}
    assert selectors.dataset_search(q="武汉公交").results == [stops]  # jieba: 武汉 AND 公交
    assert selectors.dataset_search(q="学校名录").results == [schools]
    assert selectors.dataset_search(q="教育").results == [schools]  # a tag
    assert selectors.dataset_search(q="公交 学校").count == 0
    assert selectors.dataset_search(q="*:*").count == 3
    found = selectors.dataset_search(
        filters={"organization": ["420100-zsj"]}, facet_fields=["tags"]
    )
    assert found.count == 2 and set(found.facets) == {"tags"}
    assert selectors.dataset_search(filters={"groups": ["transport"]}).results == [stops]
    assert selectors.dataset_search(filters={"tags": ["环境", "学校"]}).count == 2
    assert selectors.dataset_search(filters={"access": ["conditional"]}).results == [air]
    by_name = selectors.dataset_search(sort="name asc", rows=2, start=1)
    assert by_name.count == 3 and by_name.results == [schools, stops]
    assert selectors.dataset_search(sort="title_string asc").results == [stops, schools, air]
    assert selectors.dataset_search(sort="metadata_modified desc").results[0] == air
    assert selectors.dataset_search(rows=0).results == []


@pytest.mark.parametrize(
    "arguments",
    [
        {"rows": 1001},
        {"start": -1},
        {"sort": "random"},
        {"filters": {"x": ["1"]}},
        {"facet_fields": ["x"]},
    ],
)
def test_search_refuses_bad_arguments(stops: Any, arguments: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        selectors.dataset_search(**arguments)


def test_records_search(stops: Any) -> None:
    total, rows = selectors.records_search(stops, limit=5, offset=10)
    assert total == 120 and [r["stop"] for r in rows] == [f"公交站{i:03d}" for i in range(11, 16)]
    total, rows = selectors.records_search(stops, filters={"district": "江岸区", "lines": "1"})
    assert total == len(rows) == 3 and all(r["lines"] == 1 for r in rows)
    total, rows = selectors.records_search(stops, q="公交站007")
    assert total == 1
    with pytest.raises(ValidationFailed) as raised:
        selectors.records_search(stops, filters={"nope": "1"})
    assert raised.value.field == "nope"
    with pytest.raises(ValidationFailed):
        selectors.records_search(stops, filters={"lines": "many"})
    with pytest.raises(ValidationFailed):
        selectors.records_search(stops, limit=-1)


def test_distribution_get_and_download_count(stops: Any) -> None:
    distribution = Distribution.objects.get(dataset=stops, format="CSV")
    assert selectors.distribution_get(str(distribution.pk)) == distribution
    for bad in ["nope", "00000000-0000-0000-0000-000000000000"]:
        with pytest.raises(NotFound):
            selectors.distribution_get(bad)
    services.download_record(distribution)
    services.download_record(distribution)
    distribution.refresh_from_db()
    assert distribution.download_count == 2


# -------------------------------------------------------------------- conditional access


def test_conditional_access_by_application(three: list[Any]) -> None:
    stops, _schools, air = three
    zhangsan = user("zhangsan")
    assert selectors.may_access_data(zhangsan, stops)
    assert not selectors.may_access_data(zhangsan, air)
    assert selectors.may_access_data(user("shuju"), air)  # the provider's steward
    with pytest.raises(ValidationFailed):
        services.application_submit(
            user=zhangsan, dataset_name=stops.name, purpose="研究用途", terms_accepted=True
        )
    with pytest.raises(ValidationFailed) as raised:
        services.application_submit(
            user=zhangsan, dataset_name=air.name, purpose="研究用途", terms_accepted=False
        )
    assert raised.value.field == "terms_accepted"
    application = services.application_submit(
        user=zhangsan, dataset_name=air.name, purpose="空气质量研究", terms_accepted=True
    )
    with pytest.raises(Conflict):
        services.application_submit(
            user=zhangsan, dataset_name=air.name, purpose="空气质量研究", terms_accepted=True
        )
    with pytest.raises(PermissionDenied):
        services.application_decide(
            actor=user("rsj-shuju"), application_id=application.pk, approve=True
        )
    assert not selectors.may_access_data(zhangsan, air)
    services.application_decide(actor=user("shuju"), application_id=application.pk, approve=True)
    assert selectors.may_access_data(zhangsan, air)
    assert not selectors.may_access_data(user("lisi"), air)
    with pytest.raises(ValidationFailed):
        services.application_decide(
            actor=user("shuju"), application_id=application.pk, approve=False
        )
    assert OutboxEvent.objects.filter(topic="opendata.application_decided").count() == 1


def test_refusal_needs_a_reason_and_allows_a_new_application(three: list[Any]) -> None:
    air = three[2]
    lisi = user("lisi")
    first = services.application_submit(
        user=lisi, dataset_name=air.name, purpose="商业分析", terms_accepted=True
    )
    with pytest.raises(ValidationFailed):
        services.application_decide(actor=user("shuju"), application_id=first.pk, approve=False)
    services.application_decide(
        actor=user("shuju"), application_id=first.pk, approve=False, reason="用途不符合条件"
    )
    assert not selectors.may_access_data(lisi, air)
    services.application_submit(
        user=lisi, dataset_name=air.name, purpose="公益研究", terms_accepted=True
    )


# ----------------------------------------------------------------------------- API keys


def test_api_keys(demo: Any) -> None:
    zhangsan = user("zhangsan")
    key, plaintext = services.api_key_create(user=zhangsan, name="我的脚本")
    assert key.prefix == plaintext[:8] and len(plaintext) >= 40
    assert plaintext not in key.key_hash
    assert selectors.api_key_from_header(plaintext) == key
    assert selectors.api_key_from_header(f"Bearer {plaintext}") == key
    assert selectors.api_key_from_header("wrong") is None
    assert selectors.api_key_from_header("") is None
    with pytest.raises(ValidationFailed):
        services.api_key_create(user=zhangsan, name=" ")
    with pytest.raises(NotFound):
        services.api_key_revoke(user=user("lisi"), key_id=key.pk)
    services.api_key_revoke(user=zhangsan, key_id=key.pk)
    assert selectors.api_key_from_header(plaintext) is None
    for i in range(services.MAX_API_KEYS):
        services.api_key_create(user=zhangsan, name=f"k{i}")
    with pytest.raises(ValidationFailed):
        services.api_key_create(user=zhangsan, name="one too many")
    assert ApiKey.objects.filter(owner=zhangsan).count() == services.MAX_API_KEYS + 1


def test_records_carry_their_row_number_under_filters(stops: Any) -> None:
    """datastore_search's _id is the snapshot's row, not the position in the answer."""
    _total, rows = selectors.records_search(stops, q="公交站007")
    assert rows[0]["_id"] == 7 and rows[0]["stop"] == "公交站007"
