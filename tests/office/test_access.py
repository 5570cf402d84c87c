"""Who may see a document (公文): the departments on its route, up to their roles'
clearance (密级权限); lists filter in the query; every open and refusal is audited."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.models import AuditEntry
from tongban.office.models import RoleClearance
from tongban.office.selectors import documents as selectors
from tongban.office.services import access
from tongban.office.services import documents as services

pytestmark = pytest.mark.django_db


def draft(org: Any, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "user": org.user("scjg"),
        "title": "关于开展专项检查的通知",
        "body": "请认真组织实施。",
        "main_recipient_ids": [org.xg_scjg.pk],
        "countersign_department_ids": [org.wh_xfzd.pk],
    }
    values.update(overrides)
    return services.document_create(**values)


def visible(org: Any, username: str, document: Any) -> bool:
    document.refresh_from_db()
    return access.document_visible(org.user(username), document)


def test_clearance_follows_the_roles(office_org: Any) -> None:
    org = office_org
    assert access.clearance_of(org.user("scjg")) == 1
    assert access.clearance_of(org.user("scjg-head")) == 2
    assert access.clearance_of(org.user("wh-lingdao")) == 3
    assert access.clearance_of(org.user("zhangsan")) == 0  # a citizen
    RoleClearance.objects.filter(role="reviewer").update(level=3)
    assert access.clearance_of(org.user("scjg")) == 3  # configurable data


def test_visibility_follows_the_route(office_org: Any) -> None:
    org = office_org
    document = draft(org)
    assert visible(org, "scjg", document) and visible(org, "scjg-head", document)
    # Before submission neither the countersigning department nor the recipient sees it.
    assert not visible(org, "xfzd-head", document)
    assert not visible(org, "xg-scjg", document)
    assert not visible(org, "chuangkou", document)
    services.document_submit(user=org.user("scjg"), document_id=document.pk)
    assert visible(org, "xfzd-head", document) and visible(org, "xiaofang", document)
    assert not visible(org, "xg-scjg", document)
    assert not visible(org, "huanbao", document)


def test_classification_hides_from_lower_roles(office_org: Any) -> None:
    org = office_org
    confidential = draft(org, classification=3, user=org.user("scjg-head"))
    assert not visible(org, "scjg-head", confidential)  # head: 秘密 at most
    assert not visible(org, "scjg", confidential)
    secret = draft(org, classification=2)
    assert visible(org, "scjg-head", secret) and not visible(org, "scjg", secret)
    ids = [d.pk for d in selectors.documents_for(org.user("scjg-head")).items]
    assert secret.pk in ids and confidential.pk not in ids
    with pytest.raises(PermissionDenied) as refused:
        access.document_open(user=org.user("scjg"), document_id=secret.pk)
    assert "密级" in refused.value.message
    entry = AuditEntry.objects.get(action="office.document.denied", object_id=str(secret.pk))
    assert entry.detail["reason"] == "classification"


def test_open_is_audited_and_missing_is_404(office_org: Any) -> None:
    org = office_org
    document = draft(org)
    opened = access.document_open(
        user=org.user("scjg-head"), document_id=document.pk, purpose="pdf"
    )
    assert opened.pk == document.pk
    entry = AuditEntry.objects.get(action="office.document.open", object_id=str(document.pk))
    assert entry.actor_id == org.user("scjg-head").pk and entry.detail == {"purpose": "pdf"}
    with pytest.raises(NotFound):
        access.document_open(user=org.user("scjg"), document_id=999999)
    with pytest.raises(PermissionDenied):
        access.document_open(user=org.user("chuangkou"), document_id=document.pk)
    denied = AuditEntry.objects.get(action="office.document.denied", object_id=str(document.pk))
    assert denied.actor_id == org.user("chuangkou").pk and denied.detail["reason"] == "route"


def test_boxes(office_org: Any) -> None:
    org = office_org
    mine = draft(org)
    other = draft(org, user=org.user("scjg-hegao"))
    services.document_submit(user=org.user("scjg-hegao"), document_id=other.pk)
    scjg = org.user("scjg")
    assert [d.pk for d in selectors.documents_for(scjg, box="drafts").items] == [mine.pk]
    assert [d.pk for d in selectors.documents_for(scjg, box="route").items] == [other.pk]
    assert selectors.documents_for(scjg, box="dispatched").items == []
    assert [d.pk for d in selectors.documents_for(scjg, box="all").items] == [other.pk, mine.pk]
    page = selectors.documents_for(scjg, box="all", size=1)
    assert [d.pk for d in page.items] == [other.pk] and page.next_cursor
    following = selectors.documents_for(scjg, box="all", size=1, cursor=page.next_cursor)
    assert [d.pk for d in following.items] == [mine.pk]
