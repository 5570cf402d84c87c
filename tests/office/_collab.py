"""Shared set-up of the notices, groups and meetings tests: two divisions, three
departments and their staff (built with the org and accounts services, no demo load)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from tongban.accounts.services import staff_create, staff_role_grant
from tongban.org.services import department_upsert, division_upsert

PASSWORD = "Tongban-test-2026"


@dataclass
class Office:
    wh_scjg: Any
    wh_xfzd: Any
    xg_scjg: Any
    head: Any  # 武汉 scjg head
    clerk: Any  # 武汉 scjg reviewer
    fire: Any  # 武汉 xfzd reviewer
    fire_head: Any  # 武汉 xfzd head
    xg: Any  # 孝感 scjg reviewer
    leader: Any  # 武汉 leader, in the 武汉 scjg department

    def client(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client


def _staff(username: str, name: str, department: Any, role: str) -> Any:
    user = staff_create(username=username, password=PASSWORD, display_name=name)
    staff_role_grant(user=user, department_id=department.pk, role=role)
    return user


def build_office() -> Office:
    division_upsert(code="420000", name="湖北省", parent_code=None)
    division_upsert(code="420100", name="武汉市", parent_code="420000")
    division_upsert(code="420900", name="孝感市", parent_code="420000")
    wh_scjg = department_upsert(division_code="420100", code="scjg", name="市场监督管理局")
    wh_xfzd = department_upsert(division_code="420100", code="xfzd", name="消防救援支队")
    xg_scjg = department_upsert(division_code="420900", code="scjg", name="市场监督管理局")
    return Office(
        wh_scjg=wh_scjg,
        wh_xfzd=wh_xfzd,
        xg_scjg=xg_scjg,
        head=_staff("t-scjg-head", "王局长", wh_scjg, "head"),
        clerk=_staff("t-scjg", "李科员", wh_scjg, "reviewer"),
        fire=_staff("t-xfzd", "赵消防", wh_xfzd, "reviewer"),
        fire_head=_staff("t-xfzd-head", "钱支队长", wh_xfzd, "head"),
        xg=_staff("t-xg-scjg", "孙孝感", xg_scjg, "reviewer"),
        leader=_staff("t-wh-lingdao", "周市长", wh_scjg, "leader"),
    )
