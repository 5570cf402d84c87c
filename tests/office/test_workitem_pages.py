"""Pages of supervised work items and the supervisor's overdue view: they render, their
forms post and redirect without JavaScript, every field is labelled, and only the right
people get them (a reviewer: 403 on the overdue page and the assign form)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.core.selectors import add_working_days
from tongban.office.models import StepClock, WorkItem
from tongban.office.services import workitems as services

from .test_workitems import FRIDAY, Org, build_org, make_item

pytestmark = pytest.mark.django_db

FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")


@pytest.fixture
def org(db) -> Org:
    return build_org()


def assert_labelled(html: str) -> None:
    for _tag, attrs in FIELD.findall(html):
        if re.search(r'type="(hidden|radio|submit)"', attrs):
            continue
        found = re.search(r'\bid="([^"]+)"', attrs)
        assert found, f"field without id: {attrs}"
        assert f'for="{found.group(1)}"' in html, f"no label for {found.group(1)}"


def test_assign_report_remind_close_through_the_pages(org):
    leader = org.client(org.leader)
    page = leader.get("/workbench/office/work-items/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert_labelled(html)
    assert "武汉市消防救援支队" in html and "孝感市市场监督管理局" not in html
    failed = leader.post(
        "/workbench/office/work-items/new/",
        {
            "title": "",
            "description": "x",
            "department_ids": [org.xfzd.pk],
            "deadline": "2099-03-16",
        },
    )
    assert failed.status_code == 422 and "请填写督办事项" in failed.content.decode()
    bad_date = leader.post(
        "/workbench/office/work-items/new/",
        {"title": "t", "description": "x", "department_ids": [org.xfzd.pk], "deadline": "明天"},
    )
    assert bad_date.status_code == 422
    deadline = add_working_days(date.today(), 5).isoformat()
    posted = leader.post(
        "/workbench/office/work-items/new/",
        {
            "title": "餐饮场所消防检查",
            "description": "请报告检查进展",
            "department_ids": [org.xfzd.pk, org.sthjj.pk],
            "deadline": deadline,
        },
    )
    assert posted.status_code == 302, posted.content.decode()
    item = WorkItem.objects.get(title="餐饮场所消防检查")
    assert posted["Location"] == f"/workbench/office/work-items/{item.pk}/"

    fire = org.client(org.fire)
    listed = fire.get("/workbench/office/work-items/")
    assert listed.status_code == 200 and "餐饮场所消防检查" in listed.content.decode()
    detail = fire.get(f"/workbench/office/work-items/{item.pk}/")
    assert detail.status_code == 200
    assert_labelled(detail.content.decode())
    assert "报告进展" in detail.content.decode()
    failed = fire.post(
        f"/workbench/office/work-items/{item.pk}/reports/",
        {"department_id": org.xfzd.pk, "text": "检查中", "percent": "150"},
    )
    assert failed.status_code == 422 and "完成进度" in failed.content.decode()
    done = fire.post(
        f"/workbench/office/work-items/{item.pk}/reports/",
        {"department_id": org.xfzd.pk, "text": "检查完毕", "percent": "100"},
    )
    assert done.status_code == 302
    assert "检查完毕" in leader.get(f"/workbench/office/work-items/{item.pk}/").content.decode()

    reminded = leader.post(f"/workbench/office/work-items/{item.pk}/remind/", {"note": "请加快"})
    assert reminded.status_code == 302
    assert fire.post(f"/workbench/office/work-items/{item.pk}/remind/").status_code == 403
    assert fire.get(f"/workbench/office/work-items/{item.pk}/close/").status_code == 403

    form = leader.get(f"/workbench/office/work-items/{item.pk}/close/")
    assert form.status_code == 200
    assert_labelled(form.content.decode())
    assert leader.post(f"/workbench/office/work-items/{item.pk}/close/", {}).status_code == 422
    closed = leader.post(
        f"/workbench/office/work-items/{item.pk}/close/", {"evaluation": "4", "comment": "好"}
    )
    assert closed.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.evaluation) == ("closed", 4)


def test_reviewer_may_not_assign_and_outsiders_get_404(org):
    item = make_item(org)
    assert org.client(org.clerk).get("/workbench/office/work-items/new/").status_code == 403
    assert (
        org.client(org.xg_head).get(f"/workbench/office/work-items/{item.pk}/").status_code == 404
    )


def test_overdue_page_for_jiancha_and_403_for_a_reviewer(org):
    item = make_item(org)
    services.workitem_sweep(today=FRIDAY + timedelta(days=3))
    StepClock.objects.create(
        task_id=99001,
        process="office_outgoing",
        step="countersign",
        title="会签",
        division_code="420100",
        department_code="xfzd",
        started_on=date(2026, 3, 2),
        warn_on=date(2026, 3, 4),
        due_on=date(2026, 3, 5),
        level="red",
    )
    jiancha = org.client(org.jiancha)
    with CaptureQueriesContext(connection) as queries:
        page = jiancha.get("/workbench/office/overdue/")
    assert page.status_code == 200
    html = page.content.decode()
    assert item.title in html and "红灯" in html and "会签" in html
    assert "武汉市消防救援支队" in html
    assert len(queries) < 30
    assert jiancha.get("/workbench/office/overdue/?level=yellow").status_code == 200
    supervised = jiancha.get("/workbench/office/work-items/?box=supervised&level=red")
    assert item.title in supervised.content.decode()
    assert org.client(org.clerk).get("/workbench/office/overdue/").status_code == 403
    assert org.client(org.leader).get("/workbench/office/overdue/").status_code == 200
