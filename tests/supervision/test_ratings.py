"""好差评: one rating per completed case, bad ratings open a rectification, appeals."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.selectors import add_working_days
from tongban.supervision import selectors, services
from tongban.supervision.models import Rating, Rectification

from .factories import accept, deliver, make_case, user

pytestmark = pytest.mark.django_db


def completed_case(**kwargs):
    case = make_case(status="completed", **kwargs)
    accept(case, clock_start=date(2025, 3, 3))
    return case


def test_only_the_applicant_rates_a_completed_case_once(demo):
    case = completed_case()
    with pytest.raises(NotFound):
        services.rating_submit(user=user("lisi"), case_id=case.pk, score=5)
    with pytest.raises(NotFound):
        services.rating_submit(user=user("scjg"), case_id=case.pk, score=5)
    open_case = make_case(status="in_review")
    with pytest.raises(Conflict) as not_done:
        services.rating_submit(user=user("zhangsan"), case_id=open_case.pk, score=5)
    assert "办结后" in not_done.value.message
    with pytest.raises(ValidationFailed) as bad:
        services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=6)
    assert "1到5" in bad.value.message
    rating = services.rating_submit(
        user=user("zhangsan"), case_id=case.pk, score=4, comment="很快", channel="mobile"
    )
    assert (rating.score, rating.department_name, rating.division_name) == (
        4,
        "市场监督管理局",
        "武汉市",
    )
    assert not Rectification.objects.exists()
    with pytest.raises(Conflict):
        services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=1)
    actions = apps.get_model("cases", "CaseEvent").objects.filter(case_id=case.pk)
    assert list(actions.values_list("action", flat=True)) == ["rated"]


def test_bad_rating_opens_a_rectification_due_in_15_working_days(demo):
    case = completed_case()
    rating = services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=2, comment="慢")
    item = Rectification.objects.get(rating=rating)
    assert item.due == add_working_days(timezone.localdate(), 15)
    assert (item.department_code, item.status) == ("scjg", "open")
    deliver()
    Notification = apps.get_model("notify", "Notification")
    told = set(
        Notification.objects.filter(topic="supervision.rectification_opened").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"scjg", "scjg-head", "scjg-hegao"}


def test_rectification_flow_and_overdue_in_sweep(demo):
    case = completed_case()
    rating = services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=1)
    item = Rectification.objects.get(rating=rating)
    with pytest.raises(PermissionDenied):
        services.rectification_callback(user=user("xg-scjg"), rectification_id=item.pk, note="x")
    with pytest.raises(Conflict):
        services.rectification_close(
            user=user("scjg"), rectification_id=item.pk, outcome="fixed", note="已改"
        )
    services.supervision_sweep(today=item.due)
    item.refresh_from_db()
    assert not item.overdue
    services.supervision_sweep(today=date(item.due.year + 1, 1, 1))
    item.refresh_from_db()
    assert item.overdue
    services.rectification_callback(user=user("scjg"), rectification_id=item.pk, note="已电话回访")
    with pytest.raises(ValidationFailed):
        services.rectification_close(
            user=user("scjg"), rectification_id=item.pk, outcome="ignored", note="x"
        )
    item = services.rectification_close(
        user=user("scjg-head"), rectification_id=item.pk, outcome="explained", note="已解释"
    )
    assert item.status == "closed"
    with pytest.raises(Conflict):
        services.rectification_callback(user=user("scjg"), rectification_id=item.pk, note="再次")


def test_upheld_appeal_excludes_the_rating_from_the_score(demo):
    good = completed_case()
    bad = completed_case()
    services.rating_submit(user=user("zhangsan"), case_id=good.pk, score=5)
    rating = services.rating_submit(user=user("zhangsan"), case_id=bad.pk, score=1)
    [score] = selectors.department_scores(division="420100")
    assert (score.count, score.average, score.bad_share) == (2, 3.0, 0.5)

    item = Rectification.objects.get(rating=rating)
    with pytest.raises(PermissionDenied):
        services.rating_appeal(user=user("lisi"), rectification_id=item.pk, reason="误评")
    services.rating_appeal(user=user("scjg"), rectification_id=item.pk, reason="申请人误评")
    with pytest.raises(Conflict):
        services.rating_appeal(user=user("zhangsan"), rectification_id=item.pk, reason="再申诉")
    for not_supervisor in ("scjg-head", "xg-scjg", "zhangsan"):
        with pytest.raises(PermissionDenied):
            services.appeal_decide(
                user=user(not_supervisor), rectification_id=item.pk, upheld=True, note="x"
            )
    item = services.appeal_decide(
        user=user("jiancha"), rectification_id=item.pk, upheld=True, note="核实为误评"
    )
    assert (item.status, item.outcome, item.appeal_status) == ("closed", "appeal_upheld", "upheld")
    assert Rating.objects.get(pk=rating.pk).excluded
    [score] = selectors.department_scores(division="420100")
    assert (score.count, score.average, score.bad_share) == (1, 5.0, 0.0)


def test_rejected_appeal_keeps_the_rectification_open(demo):
    case = completed_case()
    rating = services.rating_submit(user=user("zhangsan"), case_id=case.pk, score=2)
    item = Rectification.objects.get(rating=rating)
    services.rating_appeal(user=user("zhangsan"), rectification_id=item.pk, reason="选错了")
    item = services.appeal_decide(
        user=user("jiancha"), rectification_id=item.pk, upheld=False, note="证据不足"
    )
    assert (item.status, item.appeal_status) == ("open", "rejected")
    assert not Rating.objects.get(pk=rating.pk).excluded
