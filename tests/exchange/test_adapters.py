"""Part 6: adapters (SQL, REST, file), field mappings and transforms; 502 and 504."""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest

from tongban.core.errors import ValidationFailed
from tongban.exchange import adapters, services
from tongban.exchange import transforms as tf
from tongban.exchange.models import MessageLog

from .conftest import ASK_FIELDS, PEOPLE, add_mappings, grant, make_resource, query

HEADER = ["XM", "GMSFHM", "XB", "CSRQ", "HJDZ", "LXDH"]
BODY = {"filters": {}, "fields": ASK_FIELDS, "purpose": "核验参保人员身份"}
EXPECTED_FIRST = {"name": "张*", "gender": "男", "birth_date": "1990-03-07"}


# ----------------------------------------------------------------------------- transforms


def test_transforms_normalise_legacy_values():
    chain = tf.parse_all(["trim", "strip_spaces", "upper"])
    assert tf.apply(chain, "  ab c\u3000") == "ABC"
    assert tf.apply(tf.parse_all(["date:%Y%m%d"]), "19900307") == "1990-03-07"
    assert tf.reverse(tf.parse_all(["date:%Y%m%d"]), "1990-03-07") == "19900307"
    gender = tf.parse_all(['code:{"1": "男", "2": "女"}'])
    assert tf.apply(gender, "2") == "女" and tf.reverse(gender, "男") == "1"
    mojibake = "张三".encode("gbk").decode("latin-1")
    assert tf.apply(tf.parse_all(["encoding:gbk"]), mojibake) == "张三"


@pytest.mark.parametrize(
    ("specs", "reason"),
    [
        (["lowercase"], "未知的转换规则"),
        (["code:{not json"], "代码表"),
        (["date:YYYYMMDD"], "日期格式"),
        (["encoding:klingon"], "未知的字符编码"),
        ("trim", "列表"),
    ],
)
def test_unknown_transforms_are_refused_with_a_reason(world, specs, reason):
    adapter = services.adapter_upsert(
        name="文件", kind="file", config={"path": "legacy/x.csv", "format": "csv"}
    )
    with pytest.raises(ValidationFailed, match=reason) as exc:
        services.field_mapping_set(
            adapter_id=adapter.pk, item_key="name", source="XM", transforms=specs
        )
    assert exc.value.field == "transforms"


def test_masks():
    assert tf.mask("phone", "13800001234") == "138****1234"
    assert tf.mask("name", "欧阳娜娜") == "欧***"
    assert tf.mask("address", "湖北省武汉市江岸区中山大道1号") == "湖北省武汉市****"
    assert tf.mask("none", "x") == "x"


# ----------------------------------------------------------------------------------- SQL


def test_adapter_config_is_validated(world):
    with pytest.raises(ValidationFailed, match="SELECT"):
        services.adapter_upsert(
            name="坏", kind="sql", config={"url": "sqlite:////tmp/x.db", "query": "DELETE FROM T"}
        )
    with pytest.raises(ValidationFailed, match="写操作"):
        services.adapter_upsert(
            name="坏",
            kind="sql",
            config={"url": "sqlite:////tmp/x.db", "query": "SELECT 1 FROM T WHERE 1 AND drop"},
        )
    with pytest.raises(ValidationFailed, match="表名"):
        services.adapter_upsert(
            name="坏", kind="sql", config={"url": "sqlite:////tmp/x.db", "table": "T; DROP"}
        )
    with pytest.raises(ValidationFailed, match="之一"):
        services.adapter_upsert(name="坏", kind="sql", config={"url": "sqlite:////tmp/x.db"})
    with pytest.raises(ValidationFailed, match="超时"):
        services.adapter_upsert(
            name="坏", kind="rest", config={"base_url": "http://x", "timeout": 999}
        )


def test_sql_filter_is_a_bound_parameter(world, population, consumer_client):
    grant(world, population.code, ["name", "id_number", "gender", "birth_date"])
    injection = {"id_number": "x' OR '1'='1"}
    response = query(consumer_client, population.code, {**BODY, "filters": injection})
    assert response.status_code == 200 and response.json()["items"] == []


def test_sql_source_is_opened_read_only(legacy_db):
    engine = adapters._create_engine(f"sqlite:///{legacy_db}")
    with engine.connect() as conn, pytest.raises(Exception, match="readonly"):
        conn.exec_driver_sql("DELETE FROM T_RK_JBXX")
    engine.dispose()


def test_fixed_select_adapter(world, legacy_db, consumer_client):
    adapter = services.adapter_upsert(
        name="固定查询",
        kind="sql",
        config={
            "url": f"sqlite:///{legacy_db}",
            "query": "SELECT * FROM T_RK_JBXX WHERE XB = '2'",
        },
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", ASK_FIELDS)
    rows = query(consumer_client, "1010010001", BODY).json()["items"]
    assert rows == [{"name": "李*", "gender": "女", "birth_date": "2000-05-12"}]


def test_sql_timeout_is_504_without_hanging(world, legacy_db, consumer_client):
    slow = (
        "SELECT T_RK_JBXX.* FROM T_RK_JBXX, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
        "SELECT x + 1 FROM c WHERE x < 100000000) SELECT max(x) AS m FROM c) AS slow"
    )
    adapter = services.adapter_upsert(
        name="慢库",
        kind="sql",
        config={"url": f"sqlite:///{legacy_db}", "query": slow, "timeout": 0.3},
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", ASK_FIELDS)
    started = time.monotonic()
    response = query(consumer_client, "1010010001", BODY)
    assert time.monotonic() - started < 5
    assert response.status_code == 504
    assert response.json()["message"] == "提供方数据源响应超时，请稍后再试"
    assert MessageLog.objects.get().status == 504


def test_sql_failure_is_502(world, tmp_path, consumer_client, caplog):
    broken = tmp_path / "empty.sqlite3"
    sqlite3.connect(broken).close()
    adapter = services.adapter_upsert(
        name="坏库", kind="sql", config={"url": f"sqlite:///{broken}", "table": "T_RK_JBXX"}
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", ASK_FIELDS)
    response = query(consumer_client, "1010010001", BODY)
    assert response.status_code == 502
    assert response.json() == {
        "code": "adapter_failed",
        "message": "提供方数据源暂时不可用，请稍后再试",
        "field": None,
    }
    assert "no such table" in caplog.text


# ---------------------------------------------------------------------------------- REST


class LegacyApi(BaseHTTPRequestHandler):
    """A department's old HTTP interface: GET /rk?GMSFHM=..., slow on /slow, broken on /500."""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/slow":
            time.sleep(2)
        if url.path == "/500":
            self.send_response(500)
            self.end_headers()
            return
        params = parse_qs(url.query)
        rows = [dict(zip(HEADER, p, strict=True)) for p in PEOPLE]
        if "GMSFHM" in params:
            rows = [r for r in rows if r["GMSFHM"] == params["GMSFHM"][0]]
        body = json.dumps({"data": rows}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def legacy_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), LegacyApi)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def rest_resource(world, base: str, path: str, timeout: float = 2) -> None:
    adapter = services.adapter_upsert(
        name="人口接口",
        kind="rest",
        config={"base_url": base, "path": path, "items_key": "data", "timeout": timeout},
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", [*ASK_FIELDS, "id_number"])


def test_rest_adapter(world, legacy_api, consumer_client):
    rest_resource(world, legacy_api, "/rk")
    ask = {**BODY, "filters": {"id_number": "420102199003071232"}}
    response = query(consumer_client, "1010010001", ask)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [EXPECTED_FIRST]


def test_rest_timeout_is_504(world, legacy_api, consumer_client):
    rest_resource(world, legacy_api, "/slow", timeout=0.3)
    started = time.monotonic()
    response = query(consumer_client, "1010010001", BODY)
    assert response.status_code == 504 and time.monotonic() - started < 2


def test_rest_failure_is_502(world, legacy_api, consumer_client):
    rest_resource(world, legacy_api, "/500")
    assert query(consumer_client, "1010010001", BODY).status_code == 502


def test_rest_unreachable_is_502(world, consumer_client):
    rest_resource(world, "http://127.0.0.1:9", "/rk", timeout=1)
    assert query(consumer_client, "1010010001", BODY).status_code == 502


# ---------------------------------------------------------------------------------- files


def file_resource(world, path, fmt: str) -> None:
    adapter = services.adapter_upsert(
        name="人口文件", kind="file", config={"path": str(path), "format": fmt}
    )
    add_mappings(adapter)
    make_resource(world, adapter=adapter, share_type="unconditional")
    grant(world, "1010010001", [*ASK_FIELDS, "id_number"])


def test_csv_adapter_and_mtime_cache(world, tmp_path, consumer_client):
    path = tmp_path / "rk.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(PEOPLE)
    file_resource(world, path, "csv")
    ask = {**BODY, "filters": {"id_number": "420102199003071232"}}
    assert query(consumer_client, "1010010001", ask).json()["items"] == [EXPECTED_FIRST]
    # The file changes: the cache notices by mtime/size.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(["赵六", "420102199003071232", "2", "19900307", "地址", "1"])
    rows = query(consumer_client, "1010010001", ask).json()["items"]
    assert rows == [{"name": "赵*", "gender": "女", "birth_date": "1990-03-07"}]


def test_xlsx_adapter(world, tmp_path, consumer_client):
    path = tmp_path / "rk.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in PEOPLE:
        sheet.append(list(row))
    book.save(path)
    file_resource(world, path, "xlsx")
    rows = query(consumer_client, "1010010001", BODY).json()["items"]
    assert rows[0] == EXPECTED_FIRST and len(rows) == 3


def test_missing_file_is_502(world, tmp_path, consumer_client):
    file_resource(world, tmp_path / "missing.csv", "csv")
    assert query(consumer_client, "1010010001", BODY).status_code == 502
