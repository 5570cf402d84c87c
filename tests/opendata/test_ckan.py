"""The CKAN Action API v3 through the Django test client: every action, CKAN's envelope
and error shapes, paging, fq, facets, conditional access and rate limits."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.test import Client, override_settings

from tongban.accounts.selectors import user_by_username
from tongban.opendata import services
from tongban.opendata.models import (
    AccessApplication,
    ApplicationStatus,
    Dataset,
    Distribution,
    Group,
    Record,
    Tag,
)
from tongban.org.selectors import department_by_code, division_get

ACTION = "/api/3/action/"
DISTRICTS = ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区"]
BUS_ROWS = 250
STOP_FIELDS = [
    {"id": "stop", "label": "站点名称", "type": "string"},
    {"id": "district", "label": "所在区", "type": "string"},
    {"id": "lines", "label": "线路数", "type": "integer"},
]


@dataclass
class World:
    datasets: dict[str, Dataset] = field(default_factory=dict)
    distributions: dict[str, dict[str, Distribution]] = field(default_factory=dict)


def _user(username: str) -> Any:
    found = user_by_username(username)
    assert found is not None
    return found


def _dataset(world: World, *, name: str, title: str, dept: str, groups: list[Group],
             tags: list[Tag], access: str = "open", state: str = "active",
             license_id: str = "CC-BY-4.0", fields: list[dict[str, str]] | None = None,
             rows: list[dict[str, Any]] | None = None) -> Dataset:  # fmt: skip
    department = department_by_code(division_code="420100", code=dept)
    assert department is not None
    dataset = Dataset.objects.create(
        name=name,
        title=title,
        notes=f"{title}，由{department.name}提供。",
        resource_code=f"R-{name}",
        organization=department,
        spatial=division_get("420100"),
        access=access,
        terms="仅用于研究，不得再分发" if access == "conditional" else "",
        license_id=license_id,
        frequency="MONTHLY",
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2025, 12, 31),
        contact_name="数据开放专员",
        contact_email="open@wuhan.gov.cn",
        fields=fields or [{"id": "item", "label": "项目", "type": "string"}],
        state=state,
    )
    dataset.groups.set(groups)
    dataset.tags.set(tags)
    Record.objects.bulk_create(
        Record(
            dataset=dataset,
            row=number,
            data=data,
            text=" ".join(str(v) for v in data.values()).lower(),
        )
        for number, data in enumerate(rows or [{"item": "一"}], start=1)
    )
    world.datasets[name] = dataset
    world.distributions[name] = {}
    for fmt in ("CSV", "JSON", "XLSX"):
        world.distributions[name][fmt] = Distribution.objects.create(
            id=uuid.uuid4(), dataset=dataset, format=fmt, size=1024
        )
    return dataset


@pytest.fixture
def ckan_world(demo: Any) -> World:
    """Three public datasets (one conditional) in two departments, one draft."""
    world = World()
    transport = Group.objects.create(name="transport", title="交通出行", eu_theme="TRAN")
    society = Group.objects.create(name="society", title="社会保障", eu_theme="SOCI")
    bus, jobs, insurance = (Tag.objects.create(name=n) for n in ("公交", "就业", "社保"))
    _dataset(
        world,
        name="bus-stops",
        title="武汉市公交站点",
        dept="zsj",
        groups=[transport],
        tags=[bus],
        fields=STOP_FIELDS,
        rows=[
            {"stop": f"站点{n}", "district": DISTRICTS[n % 5], "lines": n % 7}
            for n in range(1, BUS_ROWS + 1)
        ],
    )
    _dataset(
        world,
        name="employment-stats",
        title="城镇新增就业统计",
        dept="rsj",
        groups=[society],
        tags=[jobs, insurance],
        license_id="CC0-1.0",
    )
    _dataset(
        world,
        name="insured-employers",
        title="参保单位名录",
        dept="rsj",
        groups=[society],
        tags=[insurance],
        access="conditional",
        rows=[{"item": f"单位{n}"} for n in range(1, 6)],
    )
    _dataset(
        world,
        name="draft-checkpoints",
        title="未发布的检查站",
        dept="gaj",
        groups=[transport],
        tags=[bus],
        state="draft",
    )
    return world


def get(client: Client, action: str, **params: Any) -> Any:
    return client.get(ACTION + action, params)


def post(client: Client, action: str, body: Any, **headers: Any) -> Any:
    return client.post(
        ACTION + action, json.dumps(body), content_type="application/json", **headers
    )


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content.decode()[:800]
    body = response.json()
    assert body["success"] is True
    assert set(body) == {"help", "success", "result"}
    return body["result"]


def error(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:800]
    body = response.json()
    assert body["success"] is False
    assert body["help"].startswith("http://testserver/api/3/action/help_show?name=")
    assert body["error"]["__type"] == kind
    return dict(body["error"])


# ------------------------------------------------------------------------------ envelope


def test_status_show_envelope_and_cors(ckan_world: World) -> None:
    response = get(Client(), "status_show")
    body = response.json()
    assert body["help"] == "http://testserver/api/3/action/help_show?name=status_show"
    assert body["success"] is True
    assert body["result"]["ckan_version"].startswith("2.10")
    assert "datastore" in body["result"]["extensions"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")


def test_site_read_and_help_show(ckan_world: World) -> None:
    client = Client()
    assert ok(get(client, "site_read")) is True
    assert ":param fq:" in ok(get(client, "help_show", name="package_search"))
    error(get(client, "help_show", name="package_create"), 404, "Not Found Error")


def test_unknown_action_is_a_bad_request_like_ckan(ckan_world: World) -> None:
    response = get(Client(), "package_create")
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: package_create"


def test_bad_json_bodies_are_bad_requests(ckan_world: World) -> None:
    client = Client()
    response = client.post(ACTION + "package_show", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json().startswith("Bad request - JSON Error")
    response = post(client, "package_show", ["bus-stops"])
    assert response.status_code == 400
    assert "needs to be a dictionary" in response.json()


def test_post_json_form_and_preflight(ckan_world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    posted = post(client, "package_show", {"id": "bus-stops"})
    assert ok(posted)["name"] == "bus-stops"
    assert posted["Access-Control-Allow-Origin"] == "*"
    form = client.post(ACTION + "package_show", {"id": "employment-stats"})
    assert ok(form)["name"] == "employment-stats"
    legacy = client.post(
        ACTION + "package_show", "%7B%22id%22%3A+%22bus-stops%22%7D=1",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert ok(legacy)["name"] == "bus-stops"
    preflight = client.options(ACTION + "package_search")
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "X-CKAN-API-Key" in preflight["Access-Control-Allow-Headers"]
    assert client.delete(ACTION + "package_show").status_code == 405


# ------------------------------------------------------------------------------ packages


def test_package_list_only_active_with_paging(ckan_world: World) -> None:
    client = Client()
    names = ok(get(client, "package_list"))
    assert names == ["bus-stops", "employment-stats", "insured-employers"]
    assert ok(get(client, "package_list", limit=1, offset=1)) == ["employment-stats"]
    error(get(client, "package_list", limit=-1), 409, "Validation Error")


def test_package_show_is_ckan_shaped(ckan_world: World) -> None:
    dataset = ckan_world.datasets["bus-stops"]
    pkg = ok(get(Client(), "package_show", id="bus-stops"))
    assert pkg["id"] == str(dataset.pk)
    assert pkg["type"] == "dataset" and pkg["state"] == "active" and pkg["private"] is False
    assert pkg["title"] == "武汉市公交站点"
    assert pkg["license_id"] == "CC-BY-4.0"
    assert pkg["license_title"] == "Creative Commons Attribution 4.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", pkg["metadata_created"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", pkg["metadata_modified"])
    org = pkg["organization"]
    assert org["name"] == "420100-zsj" and pkg["owner_org"] == org["id"]
    assert org["type"] == "organization" and org["is_organization"] is True
    assert org["title"].startswith("武汉市")
    assert pkg["groups"] == [
        {
            "id": str(Group.objects.get(name="transport").pk),
            "name": "transport",
            "title": "交通出行",
            "display_name": "交通出行",
            "description": "",
            "image_display_url": "",
        }
    ]
    assert [t["name"] for t in pkg["tags"]] == ["公交"] and pkg["num_tags"] == 1
    assert pkg["tags"][0]["display_name"] == "公交" and pkg["tags"][0]["state"] == "active"
    assert pkg["num_resources"] == 3
    assert [r["format"] for r in pkg["resources"]] == ["CSV", "JSON", "XLSX"]
    csv = pkg["resources"][0]
    dist = ckan_world.distributions["bus-stops"]["CSV"]
    assert csv["id"] == str(dist.pk) and csv["package_id"] == str(dataset.pk)
    assert csv["url"] == f"http://testserver/data/download/{dist.pk}/"
    assert csv["mimetype"] == "text/csv" and csv["size"] == 1024
    assert csv["datastore_active"] is True and csv["position"] == 0
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["frequency"] == "MONTHLY"
    assert extras["spatial_code"] == "420100"
    assert extras["temporal"] == "2020-01-01/2025-12-31"
    assert extras["access"] == "open"
    assert extras["contact"] == "数据开放专员"
    # By id as well as by name; CKAN's "name_or_id" lookups.
    assert ok(get(Client(), "package_show", id=str(dataset.pk)))["name"] == "bus-stops"


def test_package_show_errors(ckan_world: World) -> None:
    client = Client()
    err = error(get(client, "package_show", id="no-such-thing"), 404, "Not Found Error")
    assert err["message"].startswith("Not found: ")
    error(get(client, "package_show", id="draft-checkpoints"), 404, "Not Found Error")
    err = error(get(client, "package_show"), 409, "Validation Error")
    assert list(err) == ["__type", "id"] and isinstance(err["id"], list)
    # Conditional datasets' metadata is public.
    pkg = ok(get(client, "package_show", id="insured-employers"))
    assert {e["key"]: e["value"] for e in pkg["extras"]}["access"] == "conditional"


# ------------------------------------------------------------------------------ search


def test_package_search_text_paging_and_sort(ckan_world: World) -> None:
    client = Client()
    everything = ok(get(client, "package_search"))
    assert everything["count"] == 3
    assert everything["sort"] == "score desc, metadata_modified desc"
    assert everything["facets"] == {} and everything["search_facets"] == {}
    found = ok(get(client, "package_search", q="公交"))
    assert [p["name"] for p in found["results"]] == ["bus-stops"]
    by_name = ok(get(client, "package_search", sort="name asc", rows=2))
    assert [p["name"] for p in by_name["results"]] == ["bus-stops", "employment-stats"]
    assert by_name["count"] == 3
    page2 = ok(get(client, "package_search", sort="name asc", rows=2, start=2))
    assert [p["name"] for p in page2["results"]] == ["insured-employers"]
    clamped = ok(get(client, "package_search", rows=5000))
    assert len(clamped["results"]) == 3
    error(get(client, "package_search", start=100001), 409, "Validation Error")
    error(get(client, "package_search", rows="ten"), 409, "Validation Error")
    error(get(client, "package_search", q="长" * 201), 409, "Validation Error")
    error(get(client, "package_search", sort="favourite desc"), 409, "Validation Error")


def test_package_search_fq(ckan_world: World) -> None:
    client = Client()

    def names(fq: str) -> list[str]:
        result = ok(get(client, "package_search", fq=fq, sort="name asc"))
        return [p["name"] for p in result["results"]]

    assert names("organization:420100-rsj") == ["employment-stats", "insured-employers"]
    assert names('tags:"社保" AND groups:society') == ["employment-stats", "insured-employers"]
    assert names("tags:社保 license_id:CC0-1.0") == ["employment-stats"]
    assert names("res_format:CSV +organization:420100-zsj") == ["bus-stops"]
    assert names("groups:nothing") == []
    assert names("+dataset_type:dataset +organization:420100-zsj") == ["bus-stops"]
    err = error(get(client, "package_search", fq="author:x"), 400, "Search Query Error")
    assert err["message"].startswith("Search Query is invalid: ")
    error(get(client, "package_search", fq='tags:"unclosed'), 400, "Search Query Error")


def test_package_search_facets(ckan_world: World) -> None:
    client = Client()
    result = ok(
        get(
            client,
            "package_search",
            **{"facet.field": json.dumps(["organization", "tags", "res_format"])},
        )
    )
    assert result["facets"]["organization"] == {"420100-rsj": 2, "420100-zsj": 1}
    assert result["facets"]["tags"] == {"社保": 2, "公交": 1, "就业": 1}
    assert result["facets"]["res_format"] == {"CSV": 3, "JSON": 3, "XLSX": 3}
    org_items = result["search_facets"]["organization"]
    assert org_items["title"] == "organization"
    assert org_items["items"][0]["name"] == "420100-rsj"
    assert org_items["items"][0]["count"] == 2
    assert org_items["items"][0]["display_name"].endswith("人力资源和社会保障局")
    limited = ok(
        post(client, "package_search", {"facet.field": ["tags"], "facet.limit": 1, "rows": 0})
    )
    assert limited["facets"] == {"tags": {"社保": 2}} and limited["results"] == []
    error(get(client, "package_search", **{"facet.field": '["author"]'}), 409, "Validation Error")
    error(get(client, "package_search", **{"facet.field": "[oops"}), 409, "Validation Error")


def test_queries_are_bounded(ckan_world: World, django_assert_max_num_queries: Any) -> None:
    """Lists cost a fixed number of queries, not one per dataset, resource or record."""
    client = Client()
    ok(get(client, "status_show"))  # warm up sessions, caches
    with django_assert_max_num_queries(4):
        ok(get(client, "package_search", rows=3))
    with django_assert_max_num_queries(7):
        ok(get(client, "package_search", **{"facet.field": '["organization", "groups"]'}))
    with django_assert_max_num_queries(6):
        ok(get(client, "organization_show", id="420100-rsj", include_datasets=True))
    resource_id = str(ckan_world.distributions["bus-stops"]["CSV"].pk)
    with django_assert_max_num_queries(3):
        ok(get(client, "datastore_search", resource_id=resource_id, limit=1000))


# ------------------------------------------------------------------------------ orgs, groups, tags


def test_organization_list_and_show(ckan_world: World) -> None:
    client = Client()
    assert ok(get(client, "organization_list")) == ["420100-rsj", "420100-zsj"]
    assert ok(get(client, "organization_list", limit=1, offset=1)) == ["420100-zsj"]
    full = ok(get(client, "organization_list", all_fields="true"))
    assert [(o["name"], o["package_count"]) for o in full] == [
        ("420100-rsj", 2),
        ("420100-zsj", 1),
    ]
    assert all(o["is_organization"] and o["type"] == "organization" for o in full)
    org = ok(get(client, "organization_show", id="420100-rsj"))
    assert org["package_count"] == 2 and "packages" not in org
    by_id = ok(get(client, "organization_show", id=org["id"], include_datasets="true"))
    assert sorted(p["name"] for p in by_id["packages"]) == [
        "employment-stats",
        "insured-employers",
    ]
    error(get(client, "organization_show", id="420100-gaj"), 404, "Not Found Error")
    error(get(client, "organization_list", all_fields="maybe"), 409, "Validation Error")


def test_group_list_show_and_tags(ckan_world: World) -> None:
    client = Client()
    assert ok(get(client, "group_list")) == ["society", "transport"]
    groups = ok(get(client, "group_list", all_fields=True))
    assert [(g["name"], g["title"], g["package_count"]) for g in groups] == [
        ("society", "社会保障", 2),
        ("transport", "交通出行", 1),
    ]
    group = ok(get(client, "group_show", id="transport", include_datasets="True"))
    assert group["is_organization"] is False
    assert [p["name"] for p in group["packages"]] == ["bus-stops"]
    error(get(client, "group_show", id="nope"), 404, "Not Found Error")
    assert ok(get(client, "tag_list")) == ["公交", "就业", "社保"]
    assert ok(get(client, "tag_list", query="社")) == ["社保"]
    tags = ok(get(client, "tag_list", all_fields="true"))
    assert {"name": "社保", "display_name": "社保", "vocabulary_id": None, "package_count": 2} in (
        tags
    )


def test_resource_show(ckan_world: World) -> None:
    client = Client()
    dist = ckan_world.distributions["employment-stats"]["JSON"]
    resource = ok(get(client, "resource_show", id=str(dist.pk)))
    assert resource["id"] == str(dist.pk)
    assert resource["package_id"] == str(ckan_world.datasets["employment-stats"].pk)
    assert resource["format"] == "JSON" and resource["position"] == 1
    assert resource["mimetype"] == "application/json"
    error(get(client, "resource_show", id=str(uuid.uuid4())), 404, "Not Found Error")
    error(get(client, "resource_show", id="'; drop table"), 404, "Not Found Error")
    draft = ckan_world.distributions["draft-checkpoints"]["CSV"]
    error(get(client, "resource_show", id=str(draft.pk)), 404, "Not Found Error")


# ------------------------------------------------------------------------------ datastore


def test_datastore_search_pages_and_fields(ckan_world: World) -> None:
    client = Client()
    resource_id = str(ckan_world.distributions["bus-stops"]["CSV"].pk)
    first = ok(get(client, "datastore_search", resource_id=resource_id))
    assert first["resource_id"] == resource_id
    assert first["total"] == BUS_ROWS and first["limit"] == 100 and first["offset"] == 0
    assert first["fields"][0] == {"id": "_id", "type": "int"}
    assert [(f["id"], f["type"]) for f in first["fields"][1:]] == [
        ("stop", "text"),
        ("district", "text"),
        ("lines", "int"),
    ]
    assert len(first["records"]) == 100
    assert first["records"][0] == {"_id": 1, "stop": "站点1", "district": "江汉区", "lines": 1}
    assert "offset=100" in first["_links"]["next"]
    assert first["_links"]["start"].startswith("/api/3/action/datastore_search?")
    last = ok(get(client, "datastore_search", resource_id=resource_id, limit=100, offset=200))
    assert [r["_id"] for r in last["records"]] == list(range(201, 251))
    clamped = ok(get(client, "datastore_search", resource_id=resource_id, limit=50000))
    assert clamped["limit"] == 1000 and len(clamped["records"]) == BUS_ROWS
    narrow = ok(get(client, "datastore_search", resource_id=resource_id, fields="stop", limit=2))
    assert [f["id"] for f in narrow["fields"]] == ["_id", "stop"]
    assert narrow["records"] == [{"_id": 1, "stop": "站点1"}, {"_id": 2, "stop": "站点2"}]


def test_datastore_search_filters_and_q(ckan_world: World) -> None:
    client = Client()
    resource_id = str(ckan_world.distributions["bus-stops"]["JSON"].pk)
    by_district = ok(
        get(
            client,
            "datastore_search",
            resource_id=resource_id,
            filters=json.dumps({"district": "江岸区"}),
        )
    )
    assert by_district["total"] == BUS_ROWS // 5
    assert {r["district"] for r in by_district["records"]} == {"江岸区"}
    assert by_district["filters"] == {"district": "江岸区"}
    posted = ok(
        post(
            client,
            "datastore_search",
            {"resource_id": resource_id, "filters": {"lines": [3], "district": "汉阳区"}},
        )
    )
    assert posted["total"] > 0
    assert all(r["lines"] == 3 and r["district"] == "汉阳区" for r in posted["records"])
    searched = ok(get(client, "datastore_search", resource_id=resource_id, q="站点250"))
    assert searched["total"] == 1 and searched["records"][0]["stop"] == "站点250"
    for bad in ('{"colour": "red"}', "[1, 2]", "{oops", '{"lines": [1, 2]}'):
        error(
            get(client, "datastore_search", resource_id=resource_id, filters=bad),
            409,
            "Validation Error",
        )
    error(get(client, "datastore_search", resource_id=resource_id, fields="colour"), 409,
          "Validation Error")  # fmt: skip
    error(get(client, "datastore_search"), 409, "Validation Error")
    error(get(client, "datastore_search", resource_id="nope"), 404, "Not Found Error")


# ------------------------------------------------------------------------------ access


def test_conditional_dataset_needs_an_approved_application(ckan_world: World, login_as) -> None:
    dataset = ckan_world.datasets["insured-employers"]
    resource_id = str(ckan_world.distributions["insured-employers"]["CSV"].pk)
    err = error(
        get(Client(), "datastore_search", resource_id=resource_id), 403, "Authorization Error"
    )
    assert err["message"].startswith("Access denied: ")
    # The providing department's data steward may read it.
    steward = ok(get(login_as("rsj-shuju"), "datastore_search", resource_id=resource_id))
    assert steward["total"] == 5
    # Another department's steward may not.
    error(
        get(login_as("gaj-shuju"), "datastore_search", resource_id=resource_id),
        403,
        "Authorization Error",
    )
    # An applicant with an approved application, through an API key.
    zhangsan = _user("zhangsan")
    key, plaintext = services.api_key_create(user=zhangsan, name="研究脚本")
    error(
        get(Client(HTTP_AUTHORIZATION=plaintext), "datastore_search", resource_id=resource_id),
        403,
        "Authorization Error",
    )
    AccessApplication.objects.create(
        dataset=dataset,
        applicant=zhangsan,
        purpose="研究",
        terms_accepted=True,
        status=ApplicationStatus.APPROVED,
    )
    for header in ("HTTP_AUTHORIZATION", "HTTP_X_CKAN_API_KEY"):
        keyed = Client()
        keyed.defaults[header] = plaintext
        granted = ok(get(keyed, "datastore_search", resource_id=resource_id))
        assert granted["total"] == 5
    key.refresh_from_db()
    assert key.last_used is not None


def test_bad_or_revoked_api_keys_are_refused(ckan_world: World) -> None:
    err = error(
        get(Client(HTTP_AUTHORIZATION="not-a-key"), "package_list"), 403, "Authorization Error"
    )
    assert "Access denied" in err["message"]
    lisi = _user("lisi")
    key, plaintext = services.api_key_create(user=lisi, name="脚本")
    ok(get(Client(HTTP_X_CKAN_API_KEY=plaintext), "package_list"))
    services.api_key_revoke(user=lisi, key_id=key.pk)
    error(get(Client(HTTP_X_CKAN_API_KEY=plaintext), "package_list"), 403, "Authorization Error")


@override_settings(TONGBAN_RATE_CKAN="3/m")
def test_anonymous_rate_limit_per_address(ckan_world: World) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _n in range(3):
        ok(get(client, "site_read"))
    response = get(client, "site_read")
    err = error(response, 429, "Rate Limit Error")
    assert "Too many requests" in err["message"]
    assert int(response["Retry-After"]) >= 1
    ok(get(Client(REMOTE_ADDR="203.0.113.8"), "site_read"))
    # Guessing API keys counts against the address too.
    guesser = Client(REMOTE_ADDR="203.0.113.10", HTTP_AUTHORIZATION="guess")
    for _n in range(3):
        error(get(guesser, "site_read"), 403, "Authorization Error")
    error(get(guesser, "site_read"), 429, "Rate Limit Error")


@override_settings(TONGBAN_RATE_CKAN="1/m")
def test_api_key_has_its_own_rate(ckan_world: World) -> None:
    key, plaintext = services.api_key_create(user=_user("lisi"), name="批量下载")
    key.rate_per_minute = 5
    key.save(update_fields=["rate_per_minute"])
    client = Client(HTTP_AUTHORIZATION=plaintext, REMOTE_ADDR="203.0.113.9")
    for _n in range(5):
        ok(get(client, "package_list"))
    error(get(client, "package_list"), 429, "Rate Limit Error")
    anonymous = Client(REMOTE_ADDR="203.0.113.9")
    ok(get(anonymous, "package_list"))
    error(get(anonymous, "package_list"), 429, "Rate Limit Error")


ODD_CALLS = [
    ("package_show", {"id": "x" * 5000}),
    ("package_show", {"id": ["a", "b"]}),
    ("package_show", {"id": {"nested": 1}}),
    ("package_search", {"q": {"title": "公交"}}),
    ("package_search", {"rows": "9" * 5000}),
    ("package_search", {"rows": 2.5}),
    ("package_search", {"rows": True}),
    ("package_search", {"fq": "organization:" + "a" * 2000}),
    ("package_search", {"fq": "tags:(a OR b)"}),
    ("package_search", {"facet.field": {"a": 1}}),
    ("package_search", {"facet.limit": "lots"}),
    ("package_search", {"sort": ["name asc", 1]}),
    ("organization_show", {"id": None}),
    ("group_list", {"limit": -5}),
    ("tag_list", {"query": ["a", "b"]}),
    ("resource_show", {"id": 12}),
    ("datastore_search", {"resource_id": "0" * 32}),
    ("datastore_search", {"resource_id": "bus-stops"}),
    ("help_show", {"name": "../../etc/passwd"}),
]


@pytest.mark.parametrize(("action", "body"), ODD_CALLS)
def test_odd_input_never_becomes_a_server_error(
    ckan_world: World, action: str, body: dict[str, Any]
) -> None:
    response = post(Client(), action, body)
    assert response.status_code in (200, 400, 403, 404, 409), response.content[:300]
    assert response.json() is not None


def test_odd_datastore_input(ckan_world: World) -> None:
    client = Client()
    resource_id = str(ckan_world.distributions["bus-stops"]["CSV"].pk)
    for body in (
        {"filters": {"lines": "many"}},
        {"filters": {"lines": None}},
        {"filters": "district=江岸区"},
        {"fields": {"stop": 1}},
        {"fields": ["stop", 3]},
        {"q": {"stop": "站点1"}, "limit": 5},
        {"q": ["a", "b"]},
        {"offset": 10**9},
        {"include_total": "sometimes"},
    ):
        response = post(client, "datastore_search", {"resource_id": resource_id, **body})
        assert response.status_code in (200, 409), (body, response.content[:300])
    response = post(
        client, "datastore_search", {"resource_id": resource_id, "q": {"stop": "站点1"}}
    )
    assert ok(response)["total"] > 0
