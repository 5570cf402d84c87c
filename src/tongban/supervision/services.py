"""Supervision writes. The supervision app owns electronic supervision (电子监察): each
accepted case's working-day clock with its suspensions and extensions, warning levels and
the supervision records they leave, and service ratings (好差评) with the rectification
of bad ones (差评整改)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tongban.cases.selectors import case_for_applicant
from tongban.cases.services import case_supervision_mark, case_timeline_add
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.selectors import add_working_days
from tongban.core.services import audit_record, event_emit
from tongban.org.selectors import Role, department_by_code, division_get
from tongban.supervision import selectors
from tongban.supervision.events import LevelChanged, RatingSubmitted, RectificationOpened
from tongban.supervision.models import (
    Alert,
    AppealStatus,
    Clock,
    Extension,
    Level,
    Outcome,
    Rating,
    RatingChannel,
    Rectification,
    RectificationStatus,
    Score,
    StopReason,
    Suspension,
    SuspensionKind,
)
from tongban.supervision.selectors import Calendar, RuleValues

SWEEP_BATCH = 500
REASON_MAX = 500
NOTE_MAX = 2000


def _local_date(value: datetime) -> date:
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def _parse_at(value: str) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        day = parse_date(value or "")
        if day is None:
            raise ValidationFailed(_("时间格式不正确"), field="at")
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _clean_text(value: str, *, field: str, required_message: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(required_message, field=field)
    if len(text) > limit:
        raise ValidationFailed(_("内容不能超过%(n)d字") % {"n": limit}, field=field)
    return text


# --- Clock life cycle (from case events) ---------------------------------------------


@transaction.atomic
def clock_start(
    *,
    case_id: int,
    number: str,
    item_code: str,
    item_name: str,
    division_code: str,
    department_code: str,
    accepted_at: str,
    clock_start: str,
    statutory_limit: int,
    promised_limit: int,
    online: bool,
) -> Clock:
    """Start the clock of an accepted case; a second call for the case changes nothing
    (events are delivered at least once)."""
    existing = Clock.objects.filter(case_id=case_id).first()
    if existing is not None:
        return existing
    start = parse_date(clock_start or "")
    if start is None:
        raise ValidationFailed(_("计时起点日期格式不正确"), field="clock_start")
    accepted = _parse_at(accepted_at)
    division = division_get(division_code)
    department = department_by_code(division_code=division_code, code=department_code)
    calendar = selectors.calendar_since(start)
    clock = Clock(
        case_id=case_id,
        number=number,
        item_code=item_code,
        item_name=item_name,
        division_code=division_code,
        division_path=division.path,
        division_name=division.name,
        department_code=department_code,
        department_name=str(department.name) if department else department_code,
        online=online,
        accepted_at=accepted,
        accepted_on=_local_date(accepted),
        clock_start=start,
        statutory_limit=statutory_limit,
        promised_limit=promised_limit,
        deadline=calendar.add(start, promised_limit),
        statutory_deadline=calendar.add(start, statutory_limit),
    )
    try:
        with transaction.atomic():
            clock.save()
    except IntegrityError:  # a concurrent delivery created it first
        return Clock.objects.get(case_id=case_id)
    # The level is the sweep's business (it runs every few minutes); a new clock is normal.
    case_supervision_mark(case_id=case_id, deadline=clock.deadline, level=clock.level)
    return clock


def _locked_clock(case_id: int) -> Clock:
    clock = Clock.objects.select_for_update().filter(case_id=case_id).first()
    if clock is None:
        return selectors.clock_get(case_id)  # raises NotFound
    return clock


def _suspend(clock: Clock, *, kind: str, reason: str, on: date, user: Any) -> Suspension | None:
    if clock.suspended:
        return None
    suspension = Suspension.objects.create(
        clock=clock, kind=kind, reason=reason[:REASON_MAX], started_on=on, started_by=user
    )
    clock.suspended = True
    clock.save(update_fields=["suspended"])
    return suspension


def _resume(clock: Clock, *, on: date, user: Any, kind: str | None = None) -> Suspension | None:
    suspension = selectors.clock_open_suspension(clock)
    if suspension is None or (kind is not None and suspension.kind != kind):
        return None
    ended = max(on, suspension.started_on)
    calendar = selectors.calendar_since(min(clock.clock_start, suspension.started_on))
    suspension.ended_on = ended
    suspension.ended_by = user
    suspension.working_days = calendar.between(suspension.started_on, ended)
    suspension.save(update_fields=["ended_on", "ended_by", "working_days"])
    clock.suspended = False
    clock.suspended_days += suspension.working_days
    clock.save(update_fields=["suspended", "suspended_days"])
    return suspension


@transaction.atomic
def clock_suspend_for_case(*, case_id: int, kind: str, reason: str, at: str) -> None:
    """The case paused the clock itself (a correction during review); idempotent."""
    clock = _locked_clock(case_id)
    if clock.stopped_at is None:
        kind = kind if kind in SuspensionKind.values else SuspensionKind.OTHER
        on = _local_date(_parse_at(at))
        if _suspend(clock, kind=kind, reason=reason or str(_("补正")), on=on, user=None):
            _refresh_and_mark(clock, today=timezone.localdate(), levels=False)


@transaction.atomic
def clock_resume_for_case(*, case_id: int, kind: str, at: str) -> None:
    """The case resumed its clock; resuming one that is not paused changes nothing."""
    clock = _locked_clock(case_id)
    if clock.stopped_at is None:
        wanted = kind if kind in SuspensionKind.values else None
        if _resume(clock, on=_local_date(_parse_at(at)), user=None, kind=wanted):
            _refresh_and_mark(clock, today=timezone.localdate(), levels=False)


@transaction.atomic
def clock_stop(*, case_id: int, reason: str, at: str, result: str = "") -> Clock:
    """Stop the clock at 办结 or 撤回: record the used working days and whether the case
    was completed on time; a clock already stopped is left alone."""
    clock = _locked_clock(case_id)
    if clock.stopped_at is not None:
        return clock
    stopped_at = _parse_at(at)
    on = _local_date(stopped_at)
    if clock.suspended:
        _resume(clock, on=on, user=None)
    state = selectors.clock_state_today(clock, today=max(on, clock.clock_start))
    clock.stopped_at = stopped_at
    clock.stop_reason = reason
    clock.result = result
    clock.deadline, clock.statutory_deadline = state.deadline, state.statutory_deadline
    if reason == StopReason.COMPLETED:
        clock.used_days = state.used_days
        clock.on_time = on <= state.deadline
        clock.level = Level.NORMAL if clock.on_time else Level.OVERDUE
    clock.save()
    case_supervision_mark(case_id=case_id, deadline=clock.deadline, level=clock.level)
    return clock


# --- Staff actions on a clock ----------------------------------------------------------


def _require_clock_staff(user: Any, clock: Clock, roles: frozenset[str], message: str) -> None:
    if not selectors.is_department_staff(
        user,
        division_code=clock.division_code,
        department_code=clock.department_code,
        roles=roles,
    ):
        raise PermissionDenied(message)


def _require_running(clock: Clock) -> None:
    if clock.stopped_at is not None:
        raise Conflict(_("该办件已停止计时（已办结或撤回）"))


@transaction.atomic
def clock_suspend(
    *, case_id: int, user: Any, kind: str, reason: str, today: date | None = None
) -> Suspension:
    """Pause the clock for a special procedure (特别程序: 专家评审, 听证, 检验检测 …);
    the handling department's window clerk, reviewer or head may do it."""
    clock = _locked_clock(case_id)
    _require_clock_staff(
        user, clock, selectors.CLOCK_STAFF_ROLES, _("只有办理部门的工作人员可以中止计时")
    )
    _require_running(clock)
    if kind not in SuspensionKind.values:
        raise ValidationFailed(_("中止种类不正确"), field="kind")
    reason = _clean_text(
        reason, field="reason", required_message=_("请填写中止计时的理由"), limit=REASON_MAX
    )
    if clock.suspended:
        raise Conflict(_("该办件已在中止计时中"))
    on = today or timezone.localdate()
    suspension = _suspend(clock, kind=kind, reason=reason, on=on, user=user)
    assert suspension is not None
    label = str(SuspensionKind(kind).label)
    audit_record(
        action="supervision.clock_suspend",
        actor=user,
        object_type="case",
        object_id=case_id,
        detail={"kind": kind, "suspension_id": suspension.pk},
    )
    case_timeline_add(
        case_id=case_id,
        actor=user,
        action="clock_suspended",
        title=_("中止计时（%(kind)s）") % {"kind": label},
        comment=reason,
    )
    _refresh_and_mark(clock, today=on)
    return suspension


@transaction.atomic
def clock_resume(*, case_id: int, user: Any, today: date | None = None) -> Suspension:
    """Resume a clock paused for a special procedure (补正 resumes with the case itself)."""
    clock = _locked_clock(case_id)
    _require_clock_staff(
        user, clock, selectors.CLOCK_STAFF_ROLES, _("只有办理部门的工作人员可以恢复计时")
    )
    _require_running(clock)
    open_one = selectors.clock_open_suspension(clock)
    if open_one is None:
        raise Conflict(_("该办件没有中止中的计时"))
    if open_one.kind == SuspensionKind.CORRECTION:
        raise Conflict(_("补正中止的计时在申请人补正后自动恢复"))
    on = today or timezone.localdate()
    suspension = _resume(clock, on=on, user=user)
    assert suspension is not None
    audit_record(
        action="supervision.clock_resume",
        actor=user,
        object_type="case",
        object_id=case_id,
        detail={"suspension_id": suspension.pk, "working_days": suspension.working_days},
    )
    case_timeline_add(
        case_id=case_id,
        actor=user,
        action="clock_resumed",
        title=_("恢复计时（中止%(n)d个工作日）") % {"n": suspension.working_days},
    )
    _refresh_and_mark(clock, today=on)
    return suspension


@transaction.atomic
def clock_extend(
    *, case_id: int, user: Any, days: int, reason: str, today: date | None = None
) -> Extension:
    """Extend the time limit (延期) with the approval of the handling department's head,
    at most the rule's number of working days in all (ten by default, 行政许可法 Art. 42)."""
    clock = _locked_clock(case_id)
    _require_clock_staff(
        user, clock, frozenset({Role.HEAD}), _("延长办理期限须由办理部门负责人批准")
    )
    _require_running(clock)
    if not isinstance(days, int) or days < 1:
        raise ValidationFailed(_("延长的工作日数应为正整数"), field="days")
    reason = _clean_text(
        reason, field="reason", required_message=_("请填写延长办理期限的理由"), limit=REASON_MAX
    )
    rule = _rule_of(clock)
    if clock.extension_days + days > rule.max_extension_days:
        raise ValidationFailed(
            _("延长期限合计不能超过%(max)d个工作日（已延长%(done)d个工作日）")
            % {"max": rule.max_extension_days, "done": clock.extension_days},
            field="days",
        )
    now = timezone.now()
    extension = Extension.objects.create(
        clock=clock, days=days, reason=reason, approver=user, approved_at=now
    )
    clock.extension_days += days
    clock.save(update_fields=["extension_days"])
    audit_record(
        action="supervision.clock_extend",
        actor=user,
        object_type="case",
        object_id=case_id,
        detail={"days": days, "total": clock.extension_days},
    )
    case_timeline_add(
        case_id=case_id,
        actor=user,
        action="clock_extended",
        title=_("延长办理期限%(n)d个工作日") % {"n": days},
        comment=reason,
    )
    _refresh_and_mark(clock, today=today or timezone.localdate())
    return extension


# --- Levels and the sweep ----------------------------------------------------------------


def _rule_of(clock: Clock, rules: list[Any] | None = None) -> RuleValues:
    return selectors.rule_match(
        selectors.rules_all() if rules is None else rules,
        division_path=clock.division_path,
        department_code=clock.department_code,
        item_code=clock.item_code,
    )


def _refresh(
    clock: Clock,
    *,
    today: date,
    now: datetime,
    calendar: Calendar,
    open_since: date | None = None,
    rules: list[Any] | None = None,
    levels: bool = True,
) -> bool:
    """Recompute the deadlines and (unless ``levels`` is false) the level of a running
    clock; on a level change record an alert and emit ``LevelChanged``. Returns whether
    anything shown on the case changed."""
    if clock.suspended and open_since is None:
        suspension = selectors.clock_open_suspension(clock)
        open_since = suspension.started_on if suspension else None
    state = selectors.clock_state(clock, today=today, calendar=calendar, open_since=open_since)
    rule = _rule_of(clock, rules)
    level = selectors.level_for(state, rule, today=today) if levels else clock.level
    changed_fields = []
    if (clock.deadline, clock.statutory_deadline) != (state.deadline, state.statutory_deadline):
        clock.deadline, clock.statutory_deadline = state.deadline, state.statutory_deadline
        changed_fields += ["deadline", "statutory_deadline"]
    previous = clock.level
    if level != previous:
        clock.level, clock.level_changed_at = level, now
        changed_fields += ["level", "level_changed_at"]
    if not changed_fields:
        return False
    if clock.pk:
        clock.save(update_fields=changed_fields)
    if level != previous:
        alert = Alert.objects.create(
            clock=clock,
            case_id=clock.case_id,
            number=clock.number,
            level=level,
            previous_level=previous,
            division_code=clock.division_code,
            department_code=clock.department_code,
            issued_at=now,
            rule_id=rule.rule_id,
            deadline=clock.deadline,
        )
        event_emit(
            LevelChanged(
                alert_id=alert.pk,
                case_id=clock.case_id,
                number=clock.number,
                level=level,
                previous_level=previous,
                division_code=clock.division_code,
                department_code=clock.department_code,
                deadline=clock.deadline.isoformat(),
            )
        )
    return True


def _refresh_and_mark(clock: Clock, *, today: date, levels: bool = True) -> None:
    calendar = selectors.calendar_since(min(clock.clock_start, today))
    _refresh(clock, today=today, now=timezone.now(), calendar=calendar, levels=levels)
    case_supervision_mark(case_id=clock.case_id, deadline=clock.deadline, level=clock.level)


@dataclass
class SweepResult:
    checked: int = 0
    changed: int = 0
    rectifications_overdue: int = 0


def supervision_sweep(
    *, today: date | None = None, now: datetime | None = None, batch: int = SWEEP_BATCH
) -> SweepResult:
    """The periodic sweep (电子监察巡检): recompute every running clock in batches, record
    level changes once, push deadline and level to the case, and flag rectifications past
    their due date. Running it again on the same day changes nothing."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    result = SweepResult()
    rules = selectors.rules_all()
    after_id = 0
    while True:
        with transaction.atomic():
            clocks = selectors.running_clocks_batch(after_id=after_id, size=batch)
            if not clocks:
                break
            after_id = clocks[-1].pk
            open_since = selectors.open_suspensions_of([c.pk for c in clocks])
            earliest = min(min(c.clock_start for c in clocks), today)
            calendar = selectors.calendar_since(earliest)
            for clock in clocks:
                result.checked += 1
                if _refresh(
                    clock,
                    today=today,
                    now=now,
                    calendar=calendar,
                    open_since=open_since.get(clock.pk),
                    rules=rules,
                ):
                    result.changed += 1
                    case_supervision_mark(
                        case_id=clock.case_id, deadline=clock.deadline, level=clock.level
                    )
    with transaction.atomic():
        result.rectifications_overdue = (
            Rectification.objects.exclude(status=RectificationStatus.CLOSED)
            .filter(overdue=False, due__lt=today)
            .update(overdue=True)
        )
    return result


def sweep_every_seconds() -> int:
    return int(getattr(settings, "TONGBAN_SUPERVISION_SWEEP_SECONDS", 300))


# --- Ratings (好差评) and rectifications (差评整改) ------------------------------------


@transaction.atomic
def rating_submit(
    *,
    user: Any,
    case_id: int,
    score: int,
    comment: str = "",
    channel: str = RatingChannel.PC,
    today: date | None = None,
) -> Rating:
    """The applicant rates a completed case once (一事一评); 1 or 2 stars (差评) open a
    rectification for the handling department due in the rule's working days."""
    case = case_for_applicant(user=user, case_id=case_id)
    if case.status != "completed":
        raise Conflict(_("办件办结后才能评价"))
    if isinstance(score, bool) or not isinstance(score, int) or score not in Score.values:
        raise ValidationFailed(_("满意度应为1到5之间的整数"), field="score")
    if channel not in RatingChannel.values:
        raise ValidationFailed(_("评价渠道不正确"), field="channel")
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX:
        raise ValidationFailed(_("文字评价不能超过%(n)d字") % {"n": NOTE_MAX}, field="comment")
    if Rating.objects.filter(case_id=case_id).exists():
        raise Conflict(_("该办件已评价，每件办件只能评价一次"))
    division = division_get(case.division_code)
    department = department_by_code(division_code=case.division_code, code=case.department_code)
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case_id=case_id,
                number=case.number,
                score=score,
                comment=comment,
                channel=channel,
                rated_by=user,
                rated_at=now,
                division_code=case.division_code,
                division_path=division.path,
                division_name=division.name,
                department_code=case.department_code,
                department_name=str(department.name) if department else case.department_code,
            )
    except IntegrityError:
        raise Conflict(_("该办件已评价，每件办件只能评价一次")) from None
    audit_record(
        action="supervision.rating_submit",
        actor=user,
        object_type="case",
        object_id=case_id,
        detail={"score": score, "channel": channel},
    )
    case_timeline_add(
        case_id=case_id,
        actor=user,
        action="rated",
        title=_("申请人评价：%(label)s") % {"label": str(Score(score).label)},
    )
    event_emit(RatingSubmitted(rating_id=rating.pk, case_id=case_id, score=score))
    if score <= Score.DISSATISFIED:
        _rectification_open(rating, today=today or timezone.localdate(now), now=now)
    return rating


def _rectification_open(rating: Rating, *, today: date, now: datetime) -> Rectification:
    rule = selectors.rule_for(
        division_path=rating.division_path,
        department_code=rating.department_code,
        item_code=_item_code_of(rating.case_id),
    )
    rectification = Rectification.objects.create(
        rating=rating,
        case_id=rating.case_id,
        number=rating.number,
        division_code=rating.division_code,
        division_path=rating.division_path,
        department_code=rating.department_code,
        department_name=rating.department_name,
        opened_at=now,
        due=add_working_days(today, rule.rectification_days),
    )
    event_emit(
        RectificationOpened(
            rectification_id=rectification.pk,
            case_id=rating.case_id,
            number=rating.number,
            division_code=rating.division_code,
            department_code=rating.department_code,
            due=rectification.due.isoformat(),
        )
    )
    return rectification


def _item_code_of(case_id: int) -> str:
    clock = Clock.objects.filter(case_id=case_id).only("item_code").first()
    return clock.item_code if clock else ""


def _locked_rectification(rectification_id: int) -> Rectification:
    selectors.rectification_get(rectification_id)  # NotFound first
    return (
        Rectification.objects.select_for_update().select_related("rating").get(pk=rectification_id)
    )


def _require_department_staff(user: Any, item: Rectification, message: str) -> None:
    if not selectors.is_department_staff(
        user,
        division_code=item.division_code,
        department_code=item.department_code,
        roles=selectors.DEPARTMENT_STAFF_ROLES,
    ):
        raise PermissionDenied(message)


def _require_open(item: Rectification) -> None:
    if item.status == RectificationStatus.CLOSED:
        raise Conflict(_("该整改已办结"))


@transaction.atomic
def rectification_callback(*, user: Any, rectification_id: int, note: str) -> Rectification:
    """Record the call back to the applicant (回访) by the handling department."""
    item = _locked_rectification(rectification_id)
    _require_department_staff(user, item, _("只有责任部门的工作人员可以回访"))
    _require_open(item)
    note = _clean_text(note, field="note", required_message=_("请填写回访情况"), limit=NOTE_MAX)
    item.callback_note, item.callback_at, item.callback_by = note, timezone.now(), user
    item.status = RectificationStatus.CALLED_BACK
    item.save()
    audit_record(
        action="supervision.rectification_callback",
        actor=user,
        object_type="rectification",
        object_id=item.pk,
    )
    return item


@transaction.atomic
def rectification_close(
    *, user: Any, rectification_id: int, outcome: str, note: str
) -> Rectification:
    """Close a rectification after the call back: fixed (立行立改 / 限期整改) or explained
    (解释说明, when the request had no legal basis)."""
    item = _locked_rectification(rectification_id)
    _require_department_staff(user, item, _("只有责任部门的工作人员可以办结整改"))
    _require_open(item)
    if outcome not in (Outcome.FIXED, Outcome.EXPLAINED):
        raise ValidationFailed(_("整改结果只能是已整改或已解释说明"), field="outcome")
    if item.status != RectificationStatus.CALLED_BACK:
        raise Conflict(_("请先回访申请人，再办结整改"))
    note = _clean_text(note, field="note", required_message=_("请填写整改情况"), limit=NOTE_MAX)
    item.outcome, item.close_note = outcome, note
    item.closed_at, item.closed_by = timezone.now(), user
    item.status = RectificationStatus.CLOSED
    item.save()
    audit_record(
        action="supervision.rectification_close",
        actor=user,
        object_type="rectification",
        object_id=item.pk,
        detail={"outcome": outcome},
    )
    return item


@transaction.atomic
def rating_appeal(*, user: Any, rectification_id: int, reason: str) -> Rectification:
    """Appeal (申诉) against a mistaken or malicious rating, by the applicant who rated or
    the handling department; a supervisor decides."""
    item = _locked_rectification(rectification_id)
    is_rater = getattr(user, "pk", None) == item.rating.rated_by_id
    if not is_rater:
        _require_department_staff(user, item, _("只有评价人或责任部门可以申诉"))
    _require_open(item)
    if item.appeal_status:
        raise Conflict(_("该差评已经申诉过"))
    reason = _clean_text(
        reason, field="reason", required_message=_("请填写申诉理由"), limit=NOTE_MAX
    )
    item.appeal_status, item.appeal_reason = AppealStatus.PENDING, reason
    item.appeal_by, item.appeal_at = user, timezone.now()
    item.save()
    audit_record(
        action="supervision.rating_appeal",
        actor=user,
        object_type="rectification",
        object_id=item.pk,
    )
    return item


@transaction.atomic
def appeal_decide(*, user: Any, rectification_id: int, upheld: bool, note: str) -> Rectification:
    """A supervisor decides an appeal (申诉复核); upheld leaves the rating out of every
    score and closes the rectification."""
    item = _locked_rectification(rectification_id)
    if not selectors.is_supervisor_of(user, division_code=item.division_code):
        raise PermissionDenied(_("只有电子监察员可以复核申诉"))
    if item.appeal_status != AppealStatus.PENDING:
        raise Conflict(_("该整改没有待复核的申诉"))
    note = _clean_text(note, field="note", required_message=_("请填写复核意见"), limit=NOTE_MAX)
    now = timezone.now()
    item.appeal_status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    item.appeal_note, item.appeal_decided_by, item.appeal_decided_at = note, user, now
    if upheld:
        item.rating.excluded = True
        item.rating.save(update_fields=["excluded"])
        item.status, item.outcome = RectificationStatus.CLOSED, Outcome.APPEAL_UPHELD
        item.closed_at, item.closed_by, item.close_note = now, user, note
    item.save()
    audit_record(
        action="supervision.appeal_decide",
        actor=user,
        object_type="rectification",
        object_id=item.pk,
        detail={"upheld": bool(upheld)},
    )
    return item
