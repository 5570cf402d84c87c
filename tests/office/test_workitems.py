"""Supervised work items (督办): who may assign, report, remind and close; the deadline
rules; the sweep's yellow and red levels with one notice per level; the lists of the
assigner, the departments and the supervisor; and the API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tongban.accounts.services import staff_create, staff_role_grant
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.notify.models import Notification
from tongban.office.models import AssignmentStatus, ClockLevel, StepLimit, WorkItem
from tongban.office.selectors import workitems as selectors
from tongban.office.services import workitems as services
from tongban.office.services.documents import document_create
from tongban.office.services.issuers import issuer_profile_upsert
from tongban.org.services import department_upsert, division_upsert

pytestmark = pytest.mark.django_db

PASSWORD = "Tongban-test-2026"
MONDAY = date(2026, 3, 9)  # a plain working week: 9-13 March 2026
FRIDAY = date(2026, 3, 13)


@dataclass
class Org:
    scjg: Any
    xfzd: Any
    sthjj: Any
    zsj: Any
    xg_scjg: Any
    leader: Any  # 武汉 leader
    head: Any  # 武汉 scjg head
    clerk: Any  # 武汉 scjg reviewer
    fire: Any  # 武汉 xfzd reviewer
    fire_head: Any  # 武汉 xfzd head
    env_head: Any  # 武汉 sthjj head
    jiancha: Any  # 武汉 supervisor (in zsj)
    xg_head: Any  # 孝感 scjg head
    xg: Any  # 孝感 scjg reviewer

    def client(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client


def _staff(username: str, department: Any, role: str) -> Any:
    user = staff_create(username=username, password=PASSWORD, display_name=username)
    staff_role_grant(user=user, department_id=department.pk, role=role)
    return user


def build_org() -> Org:
    division_upsert(code="420000", name="湖北省", parent_code=None)
    division_upsert(code="420100", name="武汉市", parent_code="420000")
    division_upsert(code="420900", name="孝感市", parent_code="420000")
    wh = {
        code: department_upsert(division_code="420100", code=code, name=name)
        for code, name in [
            ("scjg", "市场监督管理局"),
            ("xfzd", "消防救援支队"),
            ("sthjj", "生态环境局"),
            ("zsj", "政务服务和大数据管理局"),
        ]
    }
    xg_scjg = department_upsert(division_code="420900", code="scjg", name="市场监督管理局")
    return Org(
        scjg=wh["scjg"],
        xfzd=wh["xfzd"],
        sthjj=wh["sthjj"],
        zsj=wh["zsj"],
        xg_scjg=xg_scjg,
        leader=_staff("w-lingdao", wh["scjg"], "leader"),
        head=_staff("w-scjg-head", wh["scjg"], "head"),
        clerk=_staff("w-scjg", wh["scjg"], "reviewer"),
        fire=_staff("w-xiaofang", wh["xfzd"], "reviewer"),
        fire_head=_staff("w-xfzd-head", wh["xfzd"], "head"),
        env_head=_staff("w-sthjj-head", wh["sthjj"], "head"),
        jiancha=_staff("w-jiancha", wh["zsj"], "supervisor"),
        xg_head=_staff("w-xg-scjg-head", xg_scjg, "head"),
        xg=_staff("w-xg-scjg", xg_scjg, "reviewer"),
    )


@pytest.fixture
def org(db) -> Org:
    return build_org()


def make_item(org: Org, **kwargs: Any) -> WorkItem:
    values: dict[str, Any] = {
        "user": org.leader,
        "title": "推进消防安全专项整治",
        "description": "请于本周内完成辖区内餐饮场所排查并报告。",
        "department_ids": [org.xfzd.pk, org.sthjj.pk],
        "deadline": FRIDAY,
        "today": MONDAY,
    }
    values.update(kwargs)
    return services.workitem_create(**values)


def notices(user: Any, topic: str) -> int:
    return Notification.objects.filter(recipient=user, topic=topic).count()


# ---------------------------------------------------------------------------- create


def test_leader_assigns_with_warning_two_working_days_before(org):
    item = make_item(org)
    assert item.division_id == "420100"
    assert item.started_on == MONDAY and item.deadline == FRIDAY
    assert item.warn_on == date(2026, 3, 11)
    assert sorted(a.department_id for a in item.assignments.all()) == sorted(
        [org.xfzd.pk, org.sthjj.pk]
    )
    assert notices(org.fire, "office.workitem.assigned") == 1
    assert notices(org.env_head, "office.workitem.assigned") == 1
    assert AuditEntry.objects.filter(
        action="office.workitem.create", object_id=str(item.pk)
    ).exists()


def test_configured_warning_days(org):
    StepLimit.objects.create(
        process="office_workitem", step="deadline", working_days=0, warn_days=1
    )
    assert make_item(org).warn_on == date(2026, 3, 12)


def test_a_reviewer_cannot_assign(org):
    with pytest.raises(PermissionDenied):
        make_item(org, user=org.clerk)
    with pytest.raises(PermissionDenied):
        make_item(org, user=org.jiancha)


def test_heads_assign_within_their_own_division_only(org):
    item = make_item(org, user=org.head, department_ids=[org.scjg.pk, org.xfzd.pk])
    assert item.assigned_by_id == org.head.pk
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, user=org.head, department_ids=[org.xg_scjg.pk])
    assert exc.value.field == "department_ids"
    with pytest.raises(ValidationFailed):  # the 武汉 leader cannot reach 孝感 either
        make_item(org, department_ids=[org.xg_scjg.pk])


@pytest.mark.parametrize(
    ("deadline", "field"),
    [(MONDAY, "deadline"), (date(2026, 3, 1), "deadline"), (date(2026, 3, 14), "deadline")],
)
def test_deadline_is_a_future_working_day(org, deadline, field):
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, deadline=deadline)
    assert exc.value.field == field


def test_create_validates_text_and_departments(org):
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, title=" ")
    assert exc.value.field == "title"
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, department_ids=[])
    assert exc.value.field == "department_ids"
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, department_ids=[987654])
    assert exc.value.field == "department_ids"
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, document_id=987654)
    assert exc.value.field == "document_id"


def test_a_linked_document_must_be_one_the_assigner_may_read(org):
    issuer_profile_upsert(
        department_id=org.sthjj.pk,
        mark="武汉市生态环境局文件",
        number_prefix="武环发",
        receipt_prefix="武环收",
        seal_text="武汉市生态环境局",
    )
    hidden = document_create(
        user=org.env_head,
        title="关于环境执法检查的通知",
        body="请按要求开展检查。",
        main_recipient_ids=[org.xfzd.pk],
    )
    with pytest.raises(ValidationFailed) as exc:
        make_item(org, document_id=hidden.pk)
    assert exc.value.field == "document_id"
    assert "关联公文不存在或您无权查看" in str(exc.value)
    assert not WorkItem.objects.exists()
    linked = make_item(org, user=org.env_head, document_id=hidden.pk)
    assert linked.document_id == hidden.pk


# ---------------------------------------------------------------------------- reports


def test_reports_by_the_assigned_department(org):
    item = make_item(org)
    services.workitem_report(
        user=org.fire, item_id=item.pk, department_id=org.xfzd.pk, text="已排查一半", percent=50
    )
    assignment = item.assignments.get(department=org.xfzd)
    assert (assignment.status, assignment.percent) == (AssignmentStatus.IN_PROGRESS, 50)
    services.workitem_report(
        user=org.fire_head, item_id=item.pk, department_id=org.xfzd.pk, text="完成", percent=100
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DONE and assignment.done_at is not None
    assert notices(org.leader, "office.workitem.reported") == 2
    assert AuditEntry.objects.filter(action="office.workitem.report").count() == 2


def test_report_permissions_and_validation(org):
    item = make_item(org)
    with pytest.raises(NotFound):  # another division's head does not even see it
        services.workitem_report(
            user=org.xg_head, item_id=item.pk, department_id=org.xfzd.pk, text="x", percent=10
        )
    with pytest.raises(PermissionDenied):  # the fire brigade cannot report for 生态环境局
        services.workitem_report(
            user=org.fire, item_id=item.pk, department_id=org.sthjj.pk, text="x", percent=10
        )
    with pytest.raises(PermissionDenied):  # the supervisor sees it but is not a department
        services.workitem_report(
            user=org.jiancha, item_id=item.pk, department_id=org.xfzd.pk, text="x", percent=10
        )
    with pytest.raises(ValidationFailed) as exc:
        services.workitem_report(
            user=org.fire, item_id=item.pk, department_id=org.scjg.pk, text="x", percent=10
        )
    assert exc.value.field == "department_id"
    with pytest.raises(NotFound):  # 市场监督管理局 is not assigned: the item is hidden
        services.workitem_report(
            user=org.clerk, item_id=item.pk, department_id=org.scjg.pk, text="x", percent=10
        )
    for percent in (-1, 101):
        with pytest.raises(ValidationFailed) as exc:
            services.workitem_report(
                user=org.fire, item_id=item.pk, department_id=org.xfzd.pk, text="x", percent=percent
            )
        assert exc.value.field == "percent"
    with pytest.raises(ValidationFailed) as exc:
        services.workitem_report(
            user=org.fire, item_id=item.pk, department_id=org.xfzd.pk, text=" ", percent=5
        )
    assert exc.value.field == "text"


# ---------------------------------------------------------------------------- remind, close


def test_remind_by_assigner_or_supervisor(org):
    item = make_item(org)
    services.workitem_report(
        user=org.fire, item_id=item.pk, department_id=org.xfzd.pk, text="完成", percent=100
    )
    told = services.workitem_remind(user=org.leader, item_id=item.pk)
    assert told == 1  # only 生态环境局 (its head) has not finished
    assert notices(org.env_head, "office.workitem.reminded") == 1
    assert notices(org.fire, "office.workitem.reminded") == 0
    services.workitem_remind(user=org.jiancha, item_id=item.pk, note="请加快进度")
    assert notices(org.env_head, "office.workitem.reminded") == 2
    with pytest.raises(PermissionDenied):
        services.workitem_remind(user=org.fire, item_id=item.pk)
    with pytest.raises(NotFound):
        services.workitem_remind(user=org.xg_head, item_id=item.pk)
    assert AuditEntry.objects.filter(action="office.workitem.remind").count() == 2


def test_close_with_evaluation_by_the_assigner_only(org):
    item = make_item(org)
    with pytest.raises(PermissionDenied):
        services.workitem_close(user=org.jiancha, item_id=item.pk, evaluation=4, comment="")
    with pytest.raises(PermissionDenied):
        services.workitem_close(user=org.fire_head, item_id=item.pk, evaluation=4, comment="")
    for bad in (0, 5):
        with pytest.raises(ValidationFailed) as exc:
            services.workitem_close(user=org.leader, item_id=item.pk, evaluation=bad, comment="")
        assert exc.value.field == "evaluation"
    closed = services.workitem_close(
        user=org.leader, item_id=item.pk, evaluation=3, comment="按期完成"
    )
    assert (closed.status, closed.evaluation, closed.closed_by_id) == ("closed", 3, org.leader.pk)
    with pytest.raises(Conflict):
        services.workitem_close(user=org.leader, item_id=item.pk, evaluation=4, comment="")
    with pytest.raises(Conflict):
        services.workitem_report(
            user=org.fire, item_id=item.pk, department_id=org.xfzd.pk, text="x", percent=10
        )
    with pytest.raises(Conflict):
        services.workitem_remind(user=org.leader, item_id=item.pk)
    assert AuditEntry.objects.filter(action="office.workitem.close").count() == 1


# ---------------------------------------------------------------------------- sweep


def test_sweep_levels_and_one_notice_per_level(org):
    item = make_item(org)
    assert services.workitem_sweep(today=date(2026, 3, 10)) == {"yellow": 0, "red": 0}
    assert services.workitem_sweep(today=date(2026, 3, 11)) == {"yellow": 1, "red": 0}
    assert services.workitem_sweep(today=date(2026, 3, 11)) == {"yellow": 0, "red": 0}
    assert services.workitem_sweep(today=FRIDAY) == {"yellow": 0, "red": 0}
    item.refresh_from_db()
    assert item.level == ClockLevel.YELLOW
    assert notices(org.fire, "office.workitem.yellow") == 1
    assert notices(org.leader, "office.workitem.yellow") == 1
    assert services.workitem_sweep(today=date(2026, 3, 16)) == {"yellow": 0, "red": 1}
    assert services.workitem_sweep(today=date(2026, 3, 17)) == {"yellow": 0, "red": 0}
    item.refresh_from_db()
    assert item.level == ClockLevel.RED
    assert notices(org.env_head, "office.workitem.red") == 1
    assert (
        AuditEntry.objects.filter(action="office.workitem.red", object_id=str(item.pk)).count() == 1
    )


def test_sweep_skips_closed_items_and_jumps_straight_to_red(org):
    closed = make_item(org)
    services.workitem_close(user=org.leader, item_id=closed.pk, evaluation=4, comment="")
    late = make_item(org, title="另一事项")
    counts = services.workitem_sweep(today=date(2026, 3, 20), batch=1)
    assert counts == {"yellow": 0, "red": 1}
    closed.refresh_from_db()
    late.refresh_from_db()
    assert (closed.level, late.level) == (ClockLevel.NORMAL, ClockLevel.RED)


# ---------------------------------------------------------------------------- lists


def test_boxes_for_assigner_departments_and_supervisor(org):
    first = make_item(org)
    second = make_item(org, user=org.head, department_ids=[org.scjg.pk], title="本局事项")
    assert [i.pk for i in selectors.workitem_page(user=org.leader, box="assigned").items] == [
        first.pk
    ]
    assert [i.pk for i in selectors.workitem_page(user=org.fire, box="mine").items] == [first.pk]
    assert [i.pk for i in selectors.workitem_page(user=org.clerk, box="mine").items] == [second.pk]
    assert [i.pk for i in selectors.workitem_page(user=org.xg, box="mine").items] == []
    supervised = selectors.workitem_page(user=org.jiancha, box="supervised", size=1)
    assert [i.pk for i in supervised.items] == [second.pk] and supervised.next_cursor
    rest = selectors.workitem_page(
        user=org.jiancha, box="supervised", cursor=supervised.next_cursor
    )
    assert [i.pk for i in rest.items] == [first.pk]
    with pytest.raises(PermissionDenied):
        selectors.workitem_page(user=org.clerk, box="supervised")
    services.workitem_sweep(today=date(2026, 3, 16))
    red = selectors.workitem_page(user=org.jiancha, box="supervised", level="red")
    assert {i.pk for i in red.items} == {first.pk, second.pk}
    with pytest.raises(ValidationFailed):
        selectors.workitem_page(user=org.jiancha, box="supervised", level="green")


def test_detail_visibility(org):
    item = make_item(org)
    for user in (org.leader, org.fire, org.env_head, org.jiancha):
        assert selectors.workitem_for_viewer(user, item.pk).pk == item.pk
    for user in (org.clerk, org.xg_head):
        with pytest.raises(NotFound):
            selectors.workitem_for_viewer(user, item.pk)


# ---------------------------------------------------------------------------- API


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_round_trip(org):
    leader = org.client(org.leader)
    response = _post(
        leader,
        "/api/v1/work-items",
        {
            "title": "督办：食品安全检查",
            "description": "月底前完成",
            "department_ids": [org.xfzd.pk],
            "deadline": "2099-03-14",
        },
    )
    assert response.status_code == 422 and response.json()["field"] == "deadline"  # a Saturday
    response = _post(
        leader,
        "/api/v1/work-items",
        {
            "title": "督办：食品安全检查",
            "description": "月底前完成",
            "department_ids": [org.xfzd.pk],
            "deadline": "2099-03-16",
        },
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["assignments"][0]["department"] == "武汉市消防救援支队"

    fire = org.client(org.fire)
    listed = fire.get("/api/v1/work-items?box=mine").json()
    assert [i["id"] for i in listed["items"]] == [item_id] and listed["next"] is None
    response = _post(
        fire,
        f"/api/v1/work-items/{item_id}/reports",
        {"department_id": org.xfzd.pk, "text": "已完成检查", "percent": 100},
    )
    assert response.status_code == 201, response.content
    detail = leader.get(f"/api/v1/work-items/{item_id}").json()
    assert detail["assignments"][0]["percent"] == 100
    assert detail["assignments"][0]["reports"][0]["text"] == "已完成检查"

    assert (
        _post(
            org.client(org.clerk),
            "/api/v1/work-items",
            {
                "title": "x",
                "description": "y",
                "department_ids": [org.scjg.pk],
                "deadline": "2099-03-16",
            },
        ).status_code
        == 403
    )
    assert org.client(org.xg_head).get(f"/api/v1/work-items/{item_id}").status_code == 404
    assert _post(fire, f"/api/v1/work-items/{item_id}/close", {"evaluation": 4}).status_code == 403
    response = _post(leader, f"/api/v1/work-items/{item_id}/remind", {})
    assert response.status_code == 409  # everybody finished
    response = _post(
        leader, f"/api/v1/work-items/{item_id}/close", {"evaluation": 4, "comment": "好"}
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["evaluation_label"] == "优秀"


def test_api_overdue_for_supervisors_only(org):
    item = make_item(org)
    services.workitem_sweep(today=date(2026, 3, 16))
    response = org.client(org.jiancha).get("/api/v1/office/overdue?kind=work_items")
    assert response.status_code == 200, response.content
    [row] = response.json()["items"]
    assert row["id"] == item.pk and row["level"] == "red" and row["level_label"] == "红灯超期"
    assert isinstance(row["days_overdue"], int)
    assert org.client(org.clerk).get("/api/v1/office/overdue").status_code == 403
    assert org.client(org.jiancha).get("/api/v1/office/overdue?level=green").status_code == 422
