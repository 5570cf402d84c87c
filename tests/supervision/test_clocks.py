"""Working-day clocks: deadlines, suspensions, extensions, levels and the sweep."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps

from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.selectors import calendar_coverage
from tongban.core.services import periodic_run_due
from tongban.supervision import selectors, services
from tongban.supervision.models import Alert, Clock, Extension, SupervisionRule, Suspension

from .factories import (
    accept,
    complete,
    deliver,
    make_case,
    resume_by_case,
    suspend_by_case,
    user,
    withdraw,
)

pytestmark = pytest.mark.django_db


def clock_of(case) -> Clock:
    return Clock.objects.get(case_id=case.pk)


def case_row(case):
    return apps.get_model("cases", "Case").objects.get(pk=case.pk)


@pytest.mark.parametrize(
    ("start", "promised", "expected"),
    [
        # Friday + 1 working day skips the weekend.
        (date(2025, 3, 7), 1, date(2025, 3, 10)),
        (date(2025, 3, 7), 5, date(2025, 3, 14)),
        # 国庆 2024: 10-01..10-07 off; Saturday 10-12 is a 调休 working day.
        (date(2024, 9, 30), 1, date(2024, 10, 8)),
        (date(2024, 9, 30), 5, date(2024, 10, 12)),
        (date(2024, 9, 30), 6, date(2024, 10, 14)),
        # The core calendar's worked example (国庆 2026 with the 调休 Saturday 10-10).
        (date(2026, 9, 30), 20, date(2026, 11, 3)),
        # 2031 is not in the calendar: Monday to Friday.
        (date(2031, 10, 1), 3, date(2031, 10, 6)),
        # Same-day items (当场办结): the deadline is the start day.
        (date(2025, 3, 7), 0, date(2025, 3, 7)),
    ],
)
def test_deadline_counts_working_days(demo, start, promised, expected):
    case = make_case(promised_limit=promised, statutory_limit=max(promised, 20))
    accept(case, clock_start=start)
    clock = clock_of(case)
    assert clock.deadline == expected
    assert case_row(case).deadline == expected


def test_year_outside_the_calendar_falls_back_to_monday_to_friday(demo):
    assert calendar_coverage(2031) == "fallback"
    case = make_case(promised_limit=10, statutory_limit=20)
    accept(case, clock_start=date(2031, 12, 26))  # a Friday; 2032-01-01 is a Thursday
    # No holiday is known: New Year's Day counts like any Thursday.
    assert clock_of(case).deadline == date(2032, 1, 9)
    assert clock_of(case).statutory_deadline == date(2032, 1, 23)


def test_accepted_twice_makes_one_clock(demo):
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3), deliver_now=False)
    accept(case, clock_start=date(2025, 3, 3), deliver_now=False)
    deliver()
    assert Clock.objects.filter(case_id=case.pk).count() == 1
    clock = clock_of(case)
    assert clock.number == case.number
    assert clock.division_path == "420000/420100"
    assert clock.department_name == "市场监督管理局"
    assert (clock.deadline, clock.statutory_deadline) == (date(2025, 3, 17), date(2025, 3, 31))


def test_staff_suspension_is_not_counted(demo):
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2025, 3, 3))
    reviewer = user("scjg")
    services.clock_suspend(
        case_id=case.pk,
        user=reviewer,
        kind="expert_review",
        reason="组织专家评审",
        today=date(2025, 3, 5),
    )
    clock = clock_of(case)
    assert clock.suspended
    with pytest.raises(Conflict):
        services.clock_suspend(
            case_id=case.pk, user=reviewer, kind="hearing", reason="听证", today=date(2025, 3, 6)
        )
    suspension = services.clock_resume(case_id=case.pk, user=reviewer, today=date(2025, 3, 12))
    # Working days in (03-05, 03-12]: 6, 7, 10, 11, 12.
    assert suspension.working_days == 5
    clock.refresh_from_db()
    assert not clock.suspended and clock.suspended_days == 5
    assert clock.deadline == date(2025, 3, 24)
    assert case_row(case).deadline == date(2025, 3, 24)
    titles = list(
        apps.get_model("cases", "CaseEvent")
        .objects.filter(case_id=case.pk)
        .values_list("action", flat=True)
    )
    assert titles == ["clock_suspended", "clock_resumed"]
    from tongban.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="supervision.clock_suspend").count() == 1


def test_suspension_over_a_holiday_counts_only_working_days(demo):
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2024, 9, 23))
    head = user("scjg-head")
    services.clock_suspend(
        case_id=case.pk, user=head, kind="testing", reason="检验检测", today=date(2024, 9, 27)
    )
    suspension = services.clock_resume(case_id=case.pk, user=head, today=date(2024, 10, 12))
    # (09-27, 10-12]: 09-29 (调休 Sunday), 09-30, 10-08..10-11, 10-12 (调休 Saturday).
    assert suspension.working_days == 7


def test_case_correction_pauses_and_resumes_the_clock(demo):
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2025, 3, 3))
    suspend_by_case(case, on=date(2025, 3, 5))
    suspend_by_case(case, on=date(2025, 3, 5))  # redelivered: nothing new
    assert Suspension.objects.filter(clock__case_id=case.pk).count() == 1
    # Staff may not resume a correction: it resumes when the applicant corrects.
    with pytest.raises(Conflict):
        services.clock_resume(case_id=case.pk, user=user("scjg"), today=date(2025, 3, 6))
    resume_by_case(case, on=date(2025, 3, 7))
    resume_by_case(case, on=date(2025, 3, 7))
    clock = clock_of(case)
    assert clock.suspended_days == 2
    assert clock.deadline == date(2025, 3, 19)


def test_suspend_and_resume_need_the_handling_department(demo):
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    for outsider in ("xg-scjg", "jiancha", "xiaofang", "zhangsan"):
        with pytest.raises(PermissionDenied):
            services.clock_suspend(
                case_id=case.pk, user=user(outsider), kind="hearing", reason="听证"
            )
    with pytest.raises(ValidationFailed):
        services.clock_suspend(case_id=case.pk, user=user("scjg"), kind="nap", reason="x")
    with pytest.raises(ValidationFailed):
        services.clock_suspend(case_id=case.pk, user=user("scjg"), kind="hearing", reason=" ")


def test_extension_needs_the_head_and_stays_within_ten_days(demo):
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2025, 3, 3))
    with pytest.raises(PermissionDenied) as denied:
        services.clock_extend(case_id=case.pk, user=user("scjg"), days=5, reason="情况复杂")
    assert "负责人" in denied.value.message
    with pytest.raises(PermissionDenied):
        services.clock_extend(case_id=case.pk, user=user("xg-scjg"), days=5, reason="情况复杂")
    head = user("scjg-head")
    services.clock_extend(
        case_id=case.pk, user=head, days=6, reason="情况复杂", today=date(2025, 3, 5)
    )
    clock = clock_of(case)
    assert clock.extension_days == 6
    assert clock.deadline == date(2025, 3, 25)
    # 20 + 6 working days; Friday 2025-04-04 is 清明节.
    assert clock.statutory_deadline == date(2025, 4, 9)
    with pytest.raises(ValidationFailed) as too_many:
        services.clock_extend(case_id=case.pk, user=head, days=5, reason="还需时间")
    assert "10" in too_many.value.message
    with pytest.raises(ValidationFailed):
        services.clock_extend(case_id=case.pk, user=head, days=0, reason="零")
    assert Extension.objects.filter(clock=clock).get().approver == head


def test_extension_limit_comes_from_rule_data(demo):
    SupervisionRule.objects.create(
        division_code="420100", department_code="scjg", max_extension_days=15
    )
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    services.clock_extend(case_id=case.pk, user=user("scjg-head"), days=15, reason="并联审批")
    assert clock_of(case).extension_days == 15


def test_sweep_moves_levels_and_records_each_change_once(demo):
    case = make_case(promised_limit=10)  # deadline 2025-03-17
    accept(case, clock_start=date(2025, 3, 3))

    services.supervision_sweep(today=date(2025, 3, 5))
    assert clock_of(case).level == "normal"
    assert not Alert.objects.exists()

    # 8 of 10 working days used (03-04 .. 03-13): 80 % -> 黄灯.
    services.supervision_sweep(today=date(2025, 3, 12))
    assert clock_of(case).level == "normal"
    services.supervision_sweep(today=date(2025, 3, 13))
    assert clock_of(case).level == "warning"
    result = services.supervision_sweep(today=date(2025, 3, 13))
    assert result.changed == 0
    assert Alert.objects.count() == 1
    assert case_row(case).level == "warning"

    services.supervision_sweep(today=date(2025, 3, 17))  # the deadline itself: still 黄灯
    assert clock_of(case).level == "warning"
    services.supervision_sweep(today=date(2025, 3, 18))
    clock = clock_of(case)
    assert clock.level == "overdue"
    assert case_row(case).level == "overdue"
    alerts = list(Alert.objects.order_by("id").values_list("previous_level", "level"))
    assert alerts == [("normal", "warning"), ("warning", "overdue")]
    services.supervision_sweep(today=date(2025, 3, 18))
    assert Alert.objects.count() == 2


def test_days_left_rule_warns_before_the_ratio(demo):
    SupervisionRule.objects.create(department_code="scjg", warning_ratio="1.0", warning_days_left=3)
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2025, 3, 3))
    services.supervision_sweep(today=date(2025, 3, 11))  # 4 working days remain
    assert clock_of(case).level == "normal"
    services.supervision_sweep(today=date(2025, 3, 12))  # 3 remain
    clock = clock_of(case)
    assert clock.level == "warning"
    assert Alert.objects.get().rule_id == SupervisionRule.objects.get().pk


def test_most_specific_rule_wins(demo):
    general = SupervisionRule.objects.create(warning_ratio="0.5")
    division = SupervisionRule.objects.create(division_code="420000", warning_ratio="0.6")
    city = SupervisionRule.objects.create(division_code="420100", warning_ratio="0.7")
    department = SupervisionRule.objects.create(department_code="scjg", warning_ratio="0.9")
    item = SupervisionRule.objects.create(item_code="ITEM-001", warning_ratio="0.95")

    def match(path, dept="scjg", item_code="ITEM-001"):
        return selectors.rule_for(division_path=path, department_code=dept, item_code=item_code)

    assert match("420000/420100").rule_id == item.pk
    assert match("420000/420100", item_code="X").rule_id == department.pk
    assert match("420000/420100", dept="gaj", item_code="X").rule_id == city.pk
    assert match("420000/420900", dept="gaj", item_code="X").rule_id == division.pk
    assert match("110000", dept="gaj", item_code="X").rule_id == general.pk


def test_extension_lifts_a_red_card(demo):
    case = make_case(promised_limit=5)  # deadline 2025-03-10
    accept(case, clock_start=date(2025, 3, 3))
    services.supervision_sweep(today=date(2025, 3, 11))
    assert clock_of(case).level == "overdue"
    services.clock_extend(
        case_id=case.pk, user=user("scjg-head"), days=10, reason="补充调查", today=date(2025, 3, 11)
    )
    assert clock_of(case).level == "normal"
    assert list(Alert.objects.order_by("id").values_list("level", flat=True)) == [
        "overdue",
        "normal",
    ]


def test_level_change_notifies_department_and_supervisors(demo):
    case = make_case(promised_limit=5)
    accept(case, clock_start=date(2025, 3, 3))
    services.supervision_sweep(today=date(2025, 3, 11))
    deliver()
    Notification = apps.get_model("notify", "Notification")
    told = set(
        Notification.objects.filter(topic="supervision.level_changed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"scjg", "scjg-head", "scjg-hegao", "jiancha"}


def test_stop_on_completion_records_used_days(demo):
    late = make_case(promised_limit=5)
    accept(late, clock_start=date(2025, 3, 3))
    complete(late, on=date(2025, 3, 12))
    complete(late, on=date(2025, 3, 20))  # redelivered or repeated: nothing changes
    clock = clock_of(late)
    assert clock.stop_reason == "completed" and clock.result == "approved"
    assert (clock.used_days, clock.on_time, clock.level) == (7, False, "overdue")

    gone = make_case()
    accept(gone, clock_start=date(2025, 3, 3))
    withdraw(gone, on=date(2025, 3, 4))
    assert clock_of(gone).stop_reason == "withdrawn"
    services.supervision_sweep(today=date(2025, 6, 1))
    assert clock_of(gone).level == "normal"  # stopped clocks are not swept
    with pytest.raises(Conflict):
        services.clock_suspend(case_id=gone.pk, user=user("scjg"), kind="hearing", reason="听证")


def test_completion_while_suspended_closes_the_suspension(demo):
    case = make_case(promised_limit=10)
    accept(case, clock_start=date(2025, 3, 3))
    suspend_by_case(case, on=date(2025, 3, 5))
    complete(case, on=date(2025, 3, 7))
    clock = clock_of(case)
    assert not clock.suspended and clock.suspended_days == 2
    assert clock.used_days == 2 and clock.on_time


def test_sweep_is_registered_and_bounded(demo, settings, django_assert_max_num_queries):
    from tongban.core.periodic import jobs

    assert any(job.name == "supervision.sweep" for job in jobs())
    for _ in range(12):
        accept(make_case(), clock_start=date(2025, 3, 3), deliver_now=False)
    deliver()
    with django_assert_max_num_queries(40):
        result = services.supervision_sweep(today=date(2025, 3, 4), batch=5)
    assert result.checked == 12
    assert "supervision.sweep" in periodic_run_due()


def test_rule_validation(demo):
    from django.core.exceptions import ValidationError

    for ratio in ("0", "1.5", "-0.1"):
        with pytest.raises(ValidationError):
            SupervisionRule(warning_ratio=ratio).full_clean()
    with pytest.raises(ValidationError):
        SupervisionRule(warning_days_left=-1).full_clean()
    SupervisionRule(warning_ratio="1").full_clean()


def test_admin_pages_for_the_sysadmin(demo, login_as):
    admin = login_as("admin")
    assert admin.get("/admin/supervision/supervisionrule/add/").status_code == 200
    response = admin.post(
        "/admin/supervision/supervisionrule/add/",
        {
            "division_code": "420100",
            "warning_ratio": "1.2",
            "warning_days_left": "1",
            "rectification_days": "15",
            "max_extension_days": "10",
        },
    )
    assert response.status_code == 200 and "黄灯比例应大于0且不超过1" in response.content.decode()
    case = make_case()
    accept(case, clock_start=date(2025, 3, 3))
    assert admin.get("/admin/supervision/clock/").status_code == 200
    assert admin.get("/admin/supervision/clock/add/").status_code == 403
