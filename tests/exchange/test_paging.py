"""Gateway paging: ``limit`` stays bounded per call, ``next`` is an opaque cursor sent back
as ``after``; SQL sources page by keyset on ``order_by``, files and REST by row number.
Every page is one logged message."""

from __future__ import annotations

import csv

import pytest

from tongban.core.errors import ValidationFailed
from tongban.exchange import services
from tongban.exchange.models import MessageLog

from .conftest import add_mappings, grant, make_legacy_db, make_resource, query

# Eight people (told apart by birth date: ID numbers are masked), out of ID-number order.
ROWS = [
    (f"人员{n}", f"42010219900307{n:04d}", "1", f"199003{n:02d}", f"湖北省武汉市江岸区{n}号", "1")
    for n in (5, 1, 7, 3, 8, 2, 6, 4)
]
FIELDS = ["id_number", "birth_date"]


def _sql_resource(world, tmp_path, config_extra):
    path = make_legacy_db(tmp_path / "rk.sqlite3", ROWS)
    adapter = services.adapter_upsert(
        name="公安人口库",
        kind="sql",
        config={"url": f"sqlite:///{path}", "table": "T_RK_JBXX", **config_extra},
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", ["id_number", "birth_date", "address"])


def _all_pages(headers, body, limit):
    pages, after = [], None
    while True:
        response = query(headers, "1010010001", {**body, "limit": limit, "after": after})
        assert response.status_code == 200, response.content.decode()
        answer = response.json()
        pages.append(answer["items"])
        after = answer["next"]
        if after is None:
            return pages


BODY = {"filters": {}, "fields": FIELDS, "purpose": "基础库同步"}


@pytest.mark.parametrize("order_by", ["GMSFHM", None])
def test_sql_pages_cover_every_row_once(world, tmp_path, consumer_client, order_by):
    _sql_resource(world, tmp_path, {"order_by": order_by} if order_by else {})
    before = MessageLog.objects.count()
    pages = _all_pages(consumer_client, BODY, limit=3)
    assert [len(p) for p in pages] == [3, 3, 2]
    numbers = [row["birth_date"] for page in pages for row in page]
    assert sorted(numbers) == [f"1990-03-{n:02d}" for n in range(1, 9)]
    if order_by:  # keyset on the configured column: in its order
        assert numbers == sorted(numbers)
    assert MessageLog.objects.count() - before == 3


def test_an_exact_last_page_says_there_is_no_next(world, tmp_path, consumer_client):
    _sql_resource(world, tmp_path, {"order_by": "GMSFHM"})
    assert [len(p) for p in _all_pages(consumer_client, BODY, limit=4)] == [4, 4]
    assert [len(p) for p in _all_pages(consumer_client, BODY, limit=100)] == [8]


def test_the_service_answers_next(world, tmp_path, consumer_client):
    _sql_resource(world, tmp_path, {"order_by": "GMSFHM"})
    first = services.gateway_query(
        client_id="rst-shebao",
        resource_code="1010010001",
        filters={},
        fields=FIELDS,
        purpose="基础库同步",
        limit=5,
    )
    assert len(first.items) == 5 and first.next
    # The cursor is opaque: no source key in clear.
    assert "420102" not in first.next
    second = services.gateway_query(
        client_id="rst-shebao",
        resource_code="1010010001",
        filters={},
        fields=FIELDS,
        purpose="基础库同步",
        limit=5,
        after=first.next,
    )
    assert len(second.items) == 3 and second.next is None


def test_a_cursor_is_only_valid_where_it_was_given(world, tmp_path, consumer_client):
    _sql_resource(world, tmp_path, {"order_by": "GMSFHM"})
    cursor = query(consumer_client, "1010010001", {**BODY, "limit": 2}).json()["next"]
    other_filters = {**BODY, "filters": {"id_number": ROWS[0][1]}, "after": cursor}
    for body in [{**BODY, "after": "garbage"}, {**BODY, "after": cursor[:-4] + "AAA="}]:
        response = query(consumer_client, "1010010001", body)
        assert response.status_code == 422 and response.json()["field"] == "after"
    response = query(consumer_client, "1010010001", other_filters)
    assert response.status_code == 422 and response.json()["field"] == "after"
    assert MessageLog.objects.filter(status=422).count() == 3


def test_file_pages_by_row_number_with_filters(world, tmp_path, consumer_client):
    path = tmp_path / "rk.csv"
    rows = [*ROWS, ("重复", ROWS[0][1], "2", "19900305", "地址", "1")]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["XM", "GMSFHM", "XB", "CSRQ", "HJDZ", "LXDH"])
        writer.writerows(rows)
    adapter = services.adapter_upsert(
        name="人口文件", kind="file", config={"path": str(path), "format": "csv"}
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", ["id_number", "birth_date", "gender"])
    pages = _all_pages(consumer_client, {**BODY, "fields": ["gender", "id_number"]}, limit=4)
    assert [len(p) for p in pages] == [4, 4, 1]
    assert [row["gender"] for page in pages for row in page][-1] == "女"
    filtered = {**BODY, "filters": {"id_number": ROWS[0][1]}, "fields": ["gender"]}
    pages = _all_pages(consumer_client, filtered, limit=1)
    assert pages == [[{"gender": "男"}], [{"gender": "女"}]]


def test_order_by_must_be_a_column_name(world, tmp_path):
    with pytest.raises(ValidationFailed, match="order_by"):
        services.adapter_upsert(
            name="坏配置",
            kind="sql",
            config={"url": f"sqlite:///{tmp_path / 'x.db'}", "table": "T", "order_by": "A; --"},
        )
