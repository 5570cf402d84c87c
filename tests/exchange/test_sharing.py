"""Part 2: sharing requests and grants (共享申请与授权)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.exchange import selectors, services

from .conftest import bearer, make_resource


def test_unconditional_resources_are_granted_at_once(world):
    make_resource(world, share_type="unconditional")
    request = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code="1010010001",
        items=["name", "gender"],
        purpose="核验参保人员身份",
    )
    assert request.status == "approved"
    assert selectors.granted_keys(
        consumer_id=world.consumer.pk, resource_id=request.resource_id
    ) == {
        "name",
        "gender",
    }


def test_only_a_consumer_data_steward_may_request(world):
    make_resource(world)
    for actor in (world.reviewer, world.other_steward):
        with pytest.raises(PermissionDenied):
            services.sharing_request_create(
                actor=actor,
                consumer_id=world.consumer.pk,
                resource_code="1010010001",
                items=["name"],
                purpose="核验参保人员身份",
            )


def test_not_shared_resources_cannot_be_requested(world):
    make_resource(world, share_type="none")
    with pytest.raises(ValidationFailed) as exc:
        services.sharing_request_create(
            actor=world.consumer_steward,
            consumer_id=world.consumer.pk,
            resource_code="1010010001",
            items=["name"],
            purpose="核验参保人员身份",
        )
    assert exc.value.status == 422 and "不予共享" in exc.value.message


def test_unknown_items_are_refused(world):
    make_resource(world)
    with pytest.raises(ValidationFailed, match="salary"):
        services.sharing_request_create(
            actor=world.consumer_steward,
            consumer_id=world.consumer.pk,
            resource_code="1010010001",
            items=["salary"],
            purpose="核验参保人员身份",
        )


def test_conditional_flow_refuse_approve_revoke(world):
    resource = make_resource(world)
    asked = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code="1010010001",
        items=["name", "id_number"],
        purpose="核验参保人员身份",
    )
    assert asked.status == "pending"
    with pytest.raises(PermissionDenied):  # the consumer cannot approve itself
        services.sharing_request_approve(actor=world.consumer_steward, request_id=asked.pk)
    with pytest.raises(ValidationFailed, match="理由"):
        services.sharing_request_refuse(
            actor=world.provider_steward, request_id=asked.pk, reason=""
        )
    refused = services.sharing_request_refuse(
        actor=world.provider_steward, request_id=asked.pk, reason="用途不明确"
    )
    assert refused.status == "refused" and refused.reason == "用途不明确"
    with pytest.raises(ValidationFailed, match="已审核"):
        services.sharing_request_approve(actor=world.provider_steward, request_id=asked.pk)
    again = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code="1010010001",
        items=["name", "id_number"],
        purpose="社会保险参保登记时核验身份",
    )
    approved = services.sharing_request_approve(actor=world.provider_steward, request_id=again.pk)
    assert approved.status == "approved" and approved.decided_by == world.provider_steward
    assert selectors.granted_keys(consumer_id=world.consumer.pk, resource_id=resource.pk) == {
        "name",
        "id_number",
    }
    with pytest.raises(ValidationFailed, match="理由"):
        services.grant_revoke(actor=world.provider_steward, request_id=again.pk, reason=" ")
    services.grant_revoke(actor=world.provider_steward, request_id=again.pk, reason="项目已结束")
    assert selectors.granted_keys(consumer_id=world.consumer.pk, resource_id=resource.pk) is None


def test_grants_expire(world):
    resource = make_resource(world)
    asked = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code="1010010001",
        items=["name"],
        purpose="核验参保人员身份",
    )
    today = datetime.date.today()
    services.sharing_request_approve(
        actor=world.provider_steward, request_id=asked.pk, expires_on=today
    )
    tomorrow = today + datetime.timedelta(days=1)
    assert selectors.granted_keys(
        consumer_id=world.consumer.pk, resource_id=resource.pk, today=today
    )
    assert (
        selectors.granted_keys(
            consumer_id=world.consumer.pk, resource_id=resource.pk, today=tomorrow
        )
        is None
    )
    assert services.grants_expire(today=tomorrow) == 1
    assert selectors.sharing_request_get(asked.pk).status == "expired"


def test_api_flow(world):
    make_resource(world)
    consumer, provider = bearer(world.consumer_steward), bearer(world.provider_steward)
    c = Client()
    body = {"resource": "1010010001", "items": ["name"], "purpose": "核验参保人员身份"}
    created = c.post("/api/v1/sharing-requests", body, content_type="application/json", **consumer)
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    denied = c.post(
        "/api/v1/sharing-requests", body, content_type="application/json", **bearer(world.reviewer)
    )
    assert denied.status_code == 403
    assert (
        c.post("/api/v1/sharing-requests", body, content_type="application/json").status_code == 401
    )
    to_decide = c.get("/api/v1/sharing-requests", {"role": "provider"}, **provider).json()
    assert [r["id"] for r in to_decide["items"]] == [request_id]
    assert c.get("/api/v1/sharing-requests", {"role": "provider"}, **consumer).json()["items"] == []
    refuse = c.post(
        f"/api/v1/sharing-requests/{request_id}/refuse",
        {},
        content_type="application/json",
        **provider,
    )
    assert refuse.status_code == 422 and refuse.json()["field"] == "reason"
    approve = c.post(
        f"/api/v1/sharing-requests/{request_id}/approve",
        {"expires_on": "2099-12-31"},
        content_type="application/json",
        **provider,
    )
    assert approve.status_code == 200 and approve.json()["status"] == "approved"
    revoke = c.post(
        f"/api/v1/sharing-requests/{request_id}/revoke",
        {"reason": "项目结束"},
        content_type="application/json",
        **provider,
    )
    assert revoke.json()["status"] == "revoked" and revoke.json()["reason"] == "项目结束"
    mine = c.get("/api/v1/sharing-requests", {"role": "consumer"}, **consumer).json()
    assert mine["items"][0]["status_label"] == "已撤销"


def test_api_refuses_requests_for_not_shared_resources(world):
    make_resource(world, share_type="none")
    response = Client().post(
        "/api/v1/sharing-requests",
        {"resource": "1010010001", "items": ["name"], "purpose": "核验参保人员身份"},
        content_type="application/json",
        **bearer(world.consumer_steward),
    )
    assert response.status_code == 422
    assert "不予共享" in response.json()["message"]


def test_steward_pages(world):
    make_resource(world)
    asked = services.sharing_request_create(
        actor=world.consumer_steward,
        consumer_id=world.consumer.pk,
        resource_code="1010010001",
        items=["name"],
        purpose="核验参保人员身份",
    )
    c = Client()
    c.force_login(world.provider_steward)
    page = c.get("/exchange/catalog/requests/")
    assert page.status_code == 200 and "核验参保人员身份" in page.content.decode()
    c.post(f"/exchange/catalog/requests/{asked.pk}/refuse/", {"reason": "用途不明确"})
    assert selectors.sharing_request_get(asked.pk).status == "refused"
    outsider = Client()
    outsider.force_login(world.reviewer)
    assert outsider.get("/exchange/catalog/requests/").status_code == 403
