"""The licence library served through the exchange gateway (电子证照库 as an in-platform
source): only to the issuing department or to a department the holder authorised, with the
signed licence that anyone can verify with the published keys."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.licences.conftest import HBCANYIN, department_id
from tongban.accounts.selectors import user_by_username
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.demo.exchange_demo import LICENCE_ITEMS, load_licence_resource
from tongban.exchange import adapters
from tongban.exchange import selectors as exchange_selectors
from tongban.exchange import services as exchange
from tongban.licences import selectors as licence_selectors
from tongban.licences import services as licence_services
from tongban.licences.models import Consent
from tongban.licences.signed import verify_document

PLATFORM_SECRET = "platform-secret-2026"
RSJ_CLIENT, RSJ_SECRET = "test-rsj-licences", "rsj-secret-2026-licences"
ALL_FIELDS = [spec.key for spec in LICENCE_ITEMS]


@pytest.fixture
def library(demo, licence_types, settings) -> str:
    """The licence resource behind a ``platform`` adapter and the platform's own client."""
    zsj = department_id("zsj")
    exchange.exchange_client_upsert(
        client_id=settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT,
        client_secret=PLATFORM_SECRET,
        name="一网通办平台",
        department_id=zsj,
    )
    load_licence_resource(zsj)
    load_licence_resource(zsj)  # idempotent
    return str(settings.TONGBAN_LICENCE_RESOURCE)


@pytest.fixture
def rsj_client(library) -> str:
    """人社局's own system, with the unconditional grant its data steward asks for."""
    rsj = department_id("rsj")
    exchange.exchange_client_upsert(
        client_id=RSJ_CLIENT, client_secret=RSJ_SECRET, name="人社业务系统", department_id=rsj
    )
    request = exchange.sharing_request_create(
        actor=user_by_username("rsj-shuju"),
        consumer_id=rsj,
        resource_code=library,
        items=ALL_FIELDS,
        purpose="办理社保业务时使用企业电子证照",
    )
    assert request.status == "approved"
    return RSJ_CLIENT


def _query(
    client_id: str,
    *,
    holder: str = HBCANYIN[0],
    on_behalf_of: int | None = None,
    fields: list[str] | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    from django.conf import settings

    answer = exchange.gateway_query(
        client_id=client_id,
        resource_code=settings.TONGBAN_LICENCE_RESOURCE,
        filters={"holder_code": holder, **filters} if holder else filters,
        fields=fields or ALL_FIELDS,
        purpose="测试电子证照共享",
        limit=20,
        on_behalf_of=on_behalf_of,
    )
    return answer.items


def _platform(settings) -> str:
    return str(settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT)


def _consent(licence, department: str, scope: str = "full", days: int = 30) -> Consent:
    return licence_services.consent_grant(
        user=user_by_username("hbcanyin"),
        licence_id=licence.pk,
        department_id=department_id(department),
        scope=scope,
        purpose="测试用证授权",
        expires_on=timezone.localdate() + timedelta(days=days),
    )


def test_the_source_is_registered_and_its_adapter_checked(library):
    assert "licences" in adapters.platform_sources()
    assert adapters.config_check("platform", {"source": "licences"}) == {"source": "licences"}
    with pytest.raises(adapters.AdapterConfigError, match="未注册"):
        adapters.config_check("platform", {"source": "nothing"})
    with pytest.raises(ValidationFailed):
        exchange.adapter_upsert(name="坏的平台数据源", kind="platform", config={})
    resource = exchange_selectors.resource_get(library)
    assert resource.name == "电子证照库"
    assert resource.adapter is not None and resource.adapter.kind == "platform"
    masks = {i.key: i.mask for i in exchange_selectors.resource_items(resource)}
    assert masks["holder_name"] == masks["data"] == "none"


def test_the_issuing_department_gets_the_licence_and_its_signature_verifies(
    library, issue, settings
):
    licence = issue()
    rows = _query(_platform(settings), on_behalf_of=department_id("scjg"))
    assert [r["identifier"] for r in rows] == [licence.identifier]
    row = rows[0]
    assert row["type_name"] == "营业执照"
    assert row["status"] == "valid"
    assert row["holder_name"] == HBCANYIN[1]
    assert json.loads(row["data"])["entity_name"] == HBCANYIN[1]
    document = json.loads(row["signed_licence"])
    result = verify_document(document, licence_selectors.published_keys(), date.today())
    assert result.valid, result.reason
    assert result.status == "valid"


def test_another_department_gets_nothing_without_the_holders_consent(library, issue, settings):
    issue()
    assert _query(_platform(settings), on_behalf_of=department_id("rsj")) == []
    # The platform's own department did not issue it either.
    assert _query(_platform(settings)) == []


def test_a_consented_department_gets_it_until_the_consent_ends(library, issue, settings):
    licence = issue()
    rsj = department_id("rsj")
    consent = _consent(licence, "rsj")
    rows = _query(_platform(settings), on_behalf_of=rsj)
    assert [r["identifier"] for r in rows] == [licence.identifier]
    assert json.loads(rows[0]["signed_licence"])["licence"]["identifier"] == licence.identifier
    # 公安 is not authorised by the consent given to 人社.
    assert _query(_platform(settings), on_behalf_of=department_id("gaj")) == []

    licence_services.consent_revoke(user=user_by_username("hbcanyin"), consent_id=consent.pk)
    assert _query(_platform(settings), on_behalf_of=rsj) == []

    expired = _consent(licence, "rsj")
    Consent.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _query(_platform(settings), on_behalf_of=rsj) == []


def test_a_summary_consent_serves_no_data_and_no_signed_licence(library, issue, settings):
    licence = issue()
    _consent(licence, "rsj", scope="summary")
    rows = _query(_platform(settings), on_behalf_of=department_id("rsj"))
    assert len(rows) == 1
    assert rows[0]["number"] == licence.number
    assert rows[0]["data"] is None
    assert rows[0]["signed_licence"] is None


def test_a_department_system_gets_what_its_department_was_authorised(library, issue, rsj_client):
    licence = issue()
    assert _query(rsj_client) == []
    _consent(licence, "rsj")
    rows = _query(rsj_client, type_code=licence.type.code)
    assert [r["identifier"] for r in rows] == [licence.identifier]
    assert _query(rsj_client, identifier="not-this-one") == []


def test_without_a_holder_nothing_is_listed(library, issue, settings):
    licence = issue()
    rows = _query(_platform(settings), holder="", on_behalf_of=department_id("scjg"), type_code="x")
    assert rows == []
    rows = _query(
        _platform(settings),
        holder="",
        on_behalf_of=department_id("scjg"),
        identifier=licence.identifier,
    )
    assert rows == []


def test_only_the_platform_client_may_ask_on_behalf_of_a_department(
    library, issue, rsj_client, settings
):
    issue()
    with pytest.raises(PermissionDenied, match="平台"):
        _query(rsj_client, on_behalf_of=department_id("scjg"))
    last = exchange_selectors.MessageLog.objects.order_by("-seq").first()
    assert last is not None
    assert last.status == 403
    assert last.client_id == RSJ_CLIENT


def test_the_message_log_records_the_department_asked_for_and_still_verifies(
    library, issue, settings
):
    issue()
    scjg = department_id("scjg")
    _query(_platform(settings), on_behalf_of=scjg)
    _query(_platform(settings))
    records = list(exchange_selectors.MessageLog.objects.order_by("-seq")[:2])
    assert records[0].on_behalf_of is None
    assert records[1].on_behalf_of == scjg
    assert records[1].consumer_id == department_id("zsj")
    assert records[1].status == 200
    assert exchange_selectors.message_log_verify().ok
