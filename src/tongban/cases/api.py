"""Applications (办件) over HTTP: create, materials, submit, follow, withdraw, status query,
appointments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.accounts.auth import API_AUTH, caller
from tongban.cases import selectors, services
from tongban.cases.models import Appointment, Case, CaseEvent, CaseMaterial, StoredFile
from tongban.core.pagination import next_url
from tongban.core.schemas import errors
from tongban.core.throttling import ClientRateThrottle

router = Router(tags=["网上办事"], auth=API_AUTH)


class CaseIn(Schema):
    service: str = ""
    bundle: str = ""
    division: str | None = None
    form: dict[str, Any]


class FormIn(Schema):
    form: dict[str, Any]


class WithdrawIn(Schema):
    reason: str = ""


class TimelineOut(Schema):
    at: datetime
    action: str
    title: str
    actor: str
    status_from: str
    status_to: str
    comment: str


class MaterialOut(Schema):
    id: int
    name: str
    file_name: str
    content_type: str
    size: int
    reused: bool


class RequiredMaterialOut(Schema):
    name: str
    required: bool
    provided: bool


class FetchedOut(Schema):
    name: str
    ok: bool
    source: str
    reason: str
    message_id: str
    fetched_at: datetime
    data: dict[str, Any]


class CorrectionOut(Schema):
    issued_at: datetime
    items: list[str]
    during_review: bool
    resolved: bool


class CaseSummaryOut(Schema):
    id: int
    number: str
    service: str
    service_name: str
    status: str
    status_label: str
    result: str
    result_label: str
    created_at: datetime


class CaseOut(CaseSummaryOut):
    applicant: str
    division: str
    department: str
    channel: str
    form: dict[str, Any]
    submitted_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    clock_start: date | None
    deemed_accepted: bool
    statutory_limit: int
    promised_limit: int
    deadline: date | None
    level: str
    level_label: str
    result_reason: str
    materials: list[MaterialOut]
    required_materials: list[RequiredMaterialOut]
    fetched_materials: list[FetchedOut]
    corrections: list[CorrectionOut]
    timeline: list[TimelineOut]


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    next: str | None


class StatusOut(Schema):
    number: str
    service_name: str
    status: str
    status_label: str
    result: str
    result_label: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    deadline: date | None


class FileOut(Schema):
    id: int
    label: str
    file_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class SlotOut(Schema):
    id: int
    window: str
    address: str
    starts_at: datetime
    ends_at: datetime
    free: int


class AppointmentIn(Schema):
    slot: int
    case: int | None = None


class AppointmentOut(Schema):
    id: int
    window: str
    address: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    case_number: str | None


def summary_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "service": case.item_code,
        "service_name": case.item_name,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "result": case.result,
        "result_label": str(case.get_result_display()) if case.result else "",
        "created_at": case.created_at,
    }


def _event_out(event: CaseEvent) -> TimelineOut:
    return TimelineOut(
        at=event.at,
        action=event.action,
        title=event.title,
        actor=event.actor_name,
        status_from=event.status_from,
        status_to=event.status_to,
        comment=event.comment,
    )


def _material_out(material: CaseMaterial) -> MaterialOut:
    return MaterialOut(
        id=material.pk,
        name=material.name,
        file_name=material.file.original_name,
        content_type=material.file.content_type,
        size=material.file.size,
        reused=material.reused,
    )


def case_out(case: Case, *, internal: bool = False) -> CaseOut:
    """The case as its applicant sees it; ``internal`` adds the staff-only timeline entries."""
    materials = selectors.case_materials(case)
    provided = {m.name for m in materials}
    return CaseOut(
        **summary_out(case),
        applicant=case.applicant_name,
        division=case.division_code,
        department=case.department_code,
        channel=case.channel,
        form=case.form,
        submitted_at=case.first_submitted_at,
        accepted_at=case.accepted_at,
        completed_at=case.completed_at,
        clock_start=case.clock_start,
        deemed_accepted=case.deemed_accepted,
        statutory_limit=case.statutory_limit,
        promised_limit=case.promised_limit,
        deadline=case.deadline,
        level=case.level,
        level_label=str(case.get_level_display()),
        result_reason=case.result_reason,
        materials=[_material_out(m) for m in materials],
        required_materials=[
            RequiredMaterialOut(name=n, required=r, provided=n in provided)
            for n, r in services.required_material_names(case)
        ],
        fetched_materials=[
            FetchedOut(
                name=f.name,
                ok=f.ok,
                source=f.source_label,
                reason=f.reason,
                message_id=f.message_id,
                fetched_at=f.fetched_at,
                data=f.data or {},
            )
            for f in selectors.case_fetched(case)
        ],
        corrections=[
            CorrectionOut(
                issued_at=c.issued_at,
                items=list(c.items),
                during_review=c.during_review,
                resolved=c.resolved_at is not None,
            )
            for c in selectors.case_corrections(case)
        ],
        timeline=[_event_out(e) for e in selectors.case_timeline(case, internal=internal)],
    )


@router.post(
    "/applications",
    response={200: CaseOut, 201: CaseOut, **errors(401, 403, 404, 409, 422)},
    summary="创建申请（草稿）；相同 Idempotency-Key 不会重复创建",
)
def application_create(request: HttpRequest, body: CaseIn) -> Status:
    case, created = services.case_create(
        user=caller(request),
        service=body.service,
        bundle=body.bundle,
        division_code=body.division,
        form=body.form,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201 if created else 200, case_out(case))


@router.get(
    "/applications",
    response={200: CasePageOut, **errors(401, 422)},
    summary="我的办件",
)
def application_list(
    request: HttpRequest, status: str = "", cursor: str | None = None, size: int = 20
) -> CasePageOut:
    page = selectors.case_list_for_applicant(
        user=caller(request), status=status, cursor=cursor, size=size
    )
    return CasePageOut(
        items=[CaseSummaryOut(**summary_out(c)) for c in page.items],
        next=next_url(request, page.next_cursor),
    )


@router.get(
    "/applications/status",
    response={200: StatusOut, **errors(404, 422, 429)},
    auth=None,
    throttle=[ClientRateThrottle("status", settings.TONGBAN_RATE_STATUS)],
    summary="办件状态查询（办件编号 + 申请人身份证号或统一社会信用代码，无需登录）",
)
def application_status(request: HttpRequest, number: str = "", id_number: str = "") -> StatusOut:
    found = selectors.status_query(number=number, id_number=id_number)
    return StatusOut(
        number=found.number,
        service_name=found.item_name,
        status=found.status,
        status_label=found.status_label,
        result=found.result,
        result_label=found.result_label,
        submitted_at=found.submitted_at,
        accepted_at=found.accepted_at,
        completed_at=found.completed_at,
        deadline=found.deadline,
    )


@router.get(
    "/applications/files",
    response={200: list[FileOut], **errors(401)},
    summary="我以前上传过的材料（可复用）",
)
def file_library(request: HttpRequest) -> list[FileOut]:
    return [_file_out(f) for f in selectors.reusable_files(user=caller(request))]


def _file_out(stored: StoredFile) -> FileOut:
    return FileOut(
        id=stored.pk,
        label=stored.label,
        file_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_at=stored.created_at,
    )


@router.get(
    "/applications/{case_id}",
    response={200: CaseOut, **errors(401, 404)},
    summary="办件详情（状态、结果、时间线、办结期限、监察状态）",
)
def application_get(request: HttpRequest, case_id: int) -> CaseOut:
    user = caller(request)
    case = selectors.case_for_viewer(user=user, case_id=case_id)
    return case_out(case, internal=selectors.staff_can_view(user, case))


@router.put(
    "/applications/{case_id}/form",
    response={200: CaseOut, **errors(401, 404, 409, 422)},
    summary="修改申请表（草稿或待补正）",
)
def application_form(request: HttpRequest, case_id: int, body: FormIn) -> CaseOut:
    return case_out(
        services.case_form_update(user=caller(request), case_id=case_id, form=body.form)
    )


@router.post(
    "/applications/{case_id}/materials",
    response={201: MaterialOut, **errors(401, 404, 409, 422)},
    summary="上传材料（multipart：name 与 file），或以 reuse 复用以前上传的材料",
)
def application_material(
    request: HttpRequest,
    case_id: int,
    name: Form[str],
    reuse: Form[int | None] = None,
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Status:
    material = services.case_material_add(
        user=caller(request), case_id=case_id, name=name, upload=file, reuse_file_id=reuse
    )
    return Status(201, _material_out(material))


@router.get(
    "/applications/{case_id}/materials/{material_id}/file",
    response={200: None, **errors(401, 404)},
    summary="下载材料文件（申请人或有权办理的工作人员）",
)
def application_material_file(request: HttpRequest, case_id: int, material_id: int) -> FileResponse:
    stored = selectors.material_file_for_viewer(
        user=caller(request), case_id=case_id, material_id=material_id
    )
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=True,
        filename=stored.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/applications/{case_id}/submit",
    response={200: CaseOut, **errors(401, 404, 409, 422)},
    summary="提交申请（或补正后重新提交）",
)
def application_submit(request: HttpRequest, case_id: int) -> CaseOut:
    return case_out(services.case_submit(user=caller(request), case_id=case_id))


@router.post(
    "/applications/{case_id}/withdraw",
    response={200: CaseOut, **errors(401, 404, 409)},
    summary="撤回申请",
)
def application_withdraw(request: HttpRequest, case_id: int, body: WithdrawIn) -> CaseOut:
    return case_out(
        services.case_withdraw(user=caller(request), case_id=case_id, reason=body.reason)
    )


@router.get(
    "/appointments/slots",
    response={200: list[SlotOut], **errors(401, 422)},
    summary="可预约时段",
)
def appointment_slots(request: HttpRequest, window: int, day: date | None = None) -> list[SlotOut]:
    caller(request)
    return [
        SlotOut(
            id=v.slot.pk,
            window=v.slot.window.name,
            address=v.slot.window.address,
            starts_at=v.slot.starts_at,
            ends_at=v.slot.ends_at,
            free=v.free,
        )
        for v in selectors.slots_open(window_id=window, day=day)
    ]


def _appointment_out(appointment: Appointment) -> AppointmentOut:
    slot = appointment.slot
    return AppointmentOut(
        id=appointment.pk,
        window=slot.window.name,
        address=slot.window.address,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=appointment.status,
        status_label=str(appointment.get_status_display()),
        case_number=appointment.case.number if appointment.case else None,
    )


@router.get(
    "/appointments",
    response={200: list[AppointmentOut], **errors(401)},
    summary="我的预约",
)
def appointment_list(request: HttpRequest) -> list[AppointmentOut]:
    return [_appointment_out(a) for a in selectors.appointments_of(user=caller(request))]


@router.post(
    "/appointments",
    response={201: AppointmentOut, **errors(401, 403, 404, 409, 422)},
    summary="预约到窗口办理（同一时段不会重复预约）",
)
def appointment_book(request: HttpRequest, body: AppointmentIn) -> Status:
    appointment = services.appointment_book(
        user=caller(request), slot_id=body.slot, case_id=body.case
    )
    return Status(201, _appointment_out(appointment))


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **errors(401, 404, 409)},
    summary="取消预约",
)
def appointment_cancel(request: HttpRequest, appointment_id: int) -> AppointmentOut:
    appointment = services.appointment_cancel(user=caller(request), appointment_id=appointment_id)
    return _appointment_out(appointment)
