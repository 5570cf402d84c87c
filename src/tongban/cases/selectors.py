"""Case reads: bounded, paginated, scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.selectors import staff_has_role
from tongban.cases.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    CaseEvent,
    CaseMaterial,
    CorrectionNotice,
    FetchedMaterial,
    ServiceWindow,
    StoredFile,
)

# Pages above this app show cases and their status labels; they get them from here.
from tongban.cases.models import Case as Case
from tongban.cases.models import CaseStatus as CaseStatus
from tongban.cases.models import Level as Level
from tongban.core.crypto import lookup_hash
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.pagination import Page, keyset_page
from tongban.org.selectors import DIVISION_WIDE_ROLES, department_by_code
from tongban.workflow import selectors as workflow

MAX_TIMELINE = 500


def case_get(case_id: int) -> Case:
    """A case by id, for other apps' services (they check permission themselves)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("办件不存在"))
    return case


def case_for_applicant(*, user: Any, case_id: int) -> Case:
    """The caller's own case; anyone else's is 'not found' (never 'forbidden')."""
    case = Case.objects.filter(pk=case_id, applicant_id=getattr(user, "pk", None)).first()
    if case is None:
        raise NotFound(_("办件不存在或不属于您"))
    return case


def case_list_for_applicant(
    *, user: Any, status: str = "", cursor: str | None = None, size: int = 20
) -> Page[Case]:
    qs: QuerySet[Case] = Case.objects.filter(applicant_id=getattr(user, "pk", None))
    if status:
        if status not in CaseStatus.values:
            raise ValidationFailed(_("状态代码不正确"), field="status")
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def _departments_involved(case: Case) -> set[str]:
    codes = {case.department_code}
    if case.process_instance_id is not None:
        codes |= {t.department_code for t in workflow.tasks_of_instance(case.process_instance_id)}
    return codes


def staff_can_view(user: Any, case: Case) -> bool:
    """Staff of the handling department, of a department with a task on the case, and
    division-wide roles (supervisors) of its division see a case."""
    if getattr(user, "kind", "") != "staff":
        return False
    if staff_has_role(user, division_code=case.division_code, roles=DIVISION_WIDE_ROLES):
        return True
    for code in _departments_involved(case):
        department = department_by_code(division_code=case.division_code, code=code)
        if department is not None and staff_has_role(user, department_id=department.pk):
            return True
    return False


def case_for_viewer(*, user: Any, case_id: int) -> Case:
    """The case if the caller is its applicant or staff allowed to see it; else not found."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not (
        case.applicant_id == getattr(user, "pk", None) or staff_can_view(user, case)
    ):
        raise NotFound(_("办件不存在或不属于您"))
    return case


def case_handling_department_id(case: Case) -> int | None:
    """The department that handles the case: the implementation's for a single item, the
    lead department (the case's department code) for a bundle."""
    implementation = case.implementation if case.implementation_id is not None else None
    if implementation is not None:
        return int(implementation.department_id)
    department = department_by_code(division_code=case.division_code, code=case.department_code)
    return department.pk if department is not None else None


def case_timeline(case: Case, *, internal: bool = False) -> list[CaseEvent]:
    """The case's timeline; with ``internal`` also the staff-only entries."""
    events = case.timeline.order_by("id")
    if not internal:
        events = events.filter(internal=False)
    return list(events[:MAX_TIMELINE])


def case_materials(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("file").order_by("id")[:200])


def case_corrections(case: Case) -> list[CorrectionNotice]:
    return list(case.corrections.order_by("id")[:50])


def case_open_correction(case: Case) -> CorrectionNotice | None:
    return case.corrections.filter(resolved_at__isnull=True).order_by("-id").first()


def material_file_for_viewer(*, user: Any, case_id: int, material_id: int) -> StoredFile:
    case = case_for_viewer(user=user, case_id=case_id)
    material = case.materials.select_related("file").filter(pk=material_id).first()
    if material is None:
        raise NotFound(_("材料不存在"))
    return material.file


def reusable_files(*, user: Any, limit: int = 100) -> list[StoredFile]:
    """The applicant's earlier uploads, newest first, for reuse (材料复用)."""
    return list(
        StoredFile.objects.filter(owner_id=getattr(user, "pk", None)).order_by("-id")[:limit]
    )


@dataclass(frozen=True)
class PublicStatus:
    """What anyone holding the case number and the applicant's ID may learn (状态查询)."""

    number: str
    item_name: str
    status: str
    status_label: str
    result: str
    result_label: str
    submitted_at: Any
    accepted_at: Any
    completed_at: Any
    deadline: date | None


def status_query(*, number: str, id_number: str) -> PublicStatus:
    """Look a case up by its number and the applicant's ID number or credit code.

    A wrong number and a wrong ID give the same answer, so the query reveals nothing
    about cases the caller cannot identify."""
    number, id_number = (number or "").strip(), (id_number or "").strip().upper()
    if not number or not id_number:
        raise ValidationFailed(_("请填写办件编号和申请人证件号码"), field="number")
    case = (
        Case.objects.filter(number=number, applicant_id_hash=lookup_hash(id_number))
        .exclude(status=CaseStatus.DRAFT)
        .first()
    )
    if case is None:
        raise NotFound(_("未找到办件，请核对办件编号和证件号码"))
    return PublicStatus(
        number=case.number,
        item_name=case.item_name,
        status=case.status,
        status_label=str(case.get_status_display()),
        result=case.result,
        result_label=str(case.get_result_display()) if case.result else "",
        submitted_at=case.first_submitted_at,
        accepted_at=case.accepted_at,
        completed_at=case.completed_at,
        deadline=case.deadline,
    )


def windows_of(*, division_code: str = "") -> list[ServiceWindow]:
    qs = ServiceWindow.objects.all()
    if division_code:
        qs = qs.filter(division_code=division_code)
    return list(qs.order_by("division_code", "id")[:100])


@dataclass(frozen=True)
class SlotView:
    slot: AppointmentSlot
    free: int


def slots_open(*, window_id: int, day: date | None = None, limit: int = 60) -> list[SlotView]:
    """Future slots of a window with their free seats (from ``day`` on)."""
    qs = AppointmentSlot.objects.filter(window_id=window_id, starts_at__gt=timezone.now())
    if day is not None:
        qs = qs.filter(starts_at__date__gte=day)
    slots = list(qs.order_by("starts_at", "id")[:limit])
    booked: dict[int, int] = {}
    for slot_id in Appointment.objects.filter(
        slot__in=slots, status=AppointmentStatus.BOOKED
    ).values_list("slot_id", flat=True):
        booked[slot_id] = booked.get(slot_id, 0) + 1
    return [SlotView(s, max(s.capacity - booked.get(s.pk, 0), 0)) for s in slots]


def appointments_of(*, user: Any, limit: int = 50) -> list[Appointment]:
    return list(
        Appointment.objects.filter(user_id=user.pk)
        .select_related("slot__window", "case")
        .order_by("-id")[:limit]
    )


def case_numbers(case_ids: list[int]) -> dict[int, str]:
    """Case numbers by id, for lists that know only ids (e.g. the staff inbox)."""
    rows = Case.objects.filter(pk__in=case_ids[:200]).values_list("pk", "number")
    return {pk: number for pk, number in rows}


def case_fetched(case: Case) -> list[FetchedMaterial]:
    return list(case.fetched.order_by("id")[:100])


@dataclass(frozen=True)
class MaterialCounts:
    """How submitted cases got their materials: uploaded, reused or fetched by the platform."""

    uploaded: int
    reused: int
    fetched: int
    fetch_failed: int

    @property
    def fetched_share(self) -> float | None:
        total = self.uploaded + self.reused + self.fetched
        return round(self.fetched / total, 4) if total else None


def material_counts(*, division_codes: list[str]) -> MaterialCounts:
    """Material counts of the submitted cases of the given divisions (自动获取率)."""
    cases = Case.objects.filter(division_code__in=division_codes).exclude(status=CaseStatus.DRAFT)
    attached = CaseMaterial.objects.filter(case__in=cases)
    fetched = FetchedMaterial.objects.filter(case__in=cases)
    return MaterialCounts(
        uploaded=attached.filter(reused=False).count(),
        reused=attached.filter(reused=True).count(),
        fetched=fetched.filter(ok=True).count(),
        fetch_failed=fetched.filter(ok=False).count(),
    )


def material_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Materials of the cases first submitted in [start, end), per division and department:
    uploaded, reused and fetched by the platform (自动获取)."""
    cases = Case.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)
    keys = ("case__division_code", "case__department_code")
    attached = (
        CaseMaterial.objects.filter(case__in=cases)
        .values(*keys)
        .annotate(
            uploaded=Count("id", filter=Q(reused=False)), reused=Count("id", filter=Q(reused=True))
        )
        .order_by()
    )
    fetched = (
        FetchedMaterial.objects.filter(case__in=cases, ok=True)
        .values(*keys)
        .annotate(fetched=Count("id"))
        .order_by()
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for row in [*attached, *fetched]:
        key = (row["case__division_code"], row["case__department_code"])
        entry = rows.setdefault(
            key,
            {
                "division_code": key[0],
                "department_code": key[1],
                "uploaded": 0,
                "reused": 0,
                "fetched": 0,
            },
        )
        for name in ("uploaded", "reused", "fetched"):
            entry[name] += row.get(name, 0)
    return list(rows.values())
