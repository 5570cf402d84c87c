"""Sample cases (办件) so that every inbox and list of the demo has something in it.

They are made through the same services a citizen and the staff use: applying, uploading,
submitting, deciding tasks and rating. Loading twice adds nothing (the first applicant's
cases are the marker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.selectors import user_by_username
from tongban.cases import selectors as cases
from tongban.cases import services as case_services
from tongban.catalog import selectors as catalog
from tongban.supervision.services import rating_submit
from tongban.workflow import selectors as workflow
from tongban.workflow.services import task_complete

Progress = Callable[[str], None]

SAMPLE_PDF = b"%PDF-1.4\n% Tongban demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KNOWN_VALUES = {
    "applicant_name": "张三",
    "id_number": "420102199003071232",
    "phone": "13800001234",
    "entity_name": "湖北楚味餐饮有限公司",
    "credit_code": "91420100MA4KXL7P09",
    "legal_representative": "张三",
    "address": "武汉市江汉区解放大道 100 号",
    "business_scope": "餐饮服务",
    "pollutants": "油烟、餐厨废水",
}


def sample_form(schema: dict[str, Any]) -> dict[str, Any]:
    """A valid answer to a demo form: known values, first choices, smallest numbers."""
    form: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        if key in KNOWN_VALUES:
            form[key] = KNOWN_VALUES[key]
        elif "enum" in prop:
            form[key] = prop["enum"][0]
        elif prop.get("type") in ("number", "integer"):
            form[key] = max(int(prop.get("minimum", 1)), 1) * 50
        elif prop.get("type") == "boolean":
            form[key] = True
        else:
            form[key] = "演示填写"
    return form


def _apply(username: str, *, service: str = "", bundle: str = "") -> Any:
    user = user_by_username(username)
    if bundle:
        schema = catalog.bundle_get(bundle).form_schema
    else:
        schema = catalog.implementation_for(service, division_code="420100").form_schema
    case, _created = case_services.case_create(
        user=user,
        service=service,
        bundle=bundle,
        division_code="420100",
        form=sample_form(schema),
    )
    for name, required in case_services.required_material_names(case):
        if required:
            upload = SimpleUploadedFile("material.pdf", SAMPLE_PDF, "application/pdf")
            case_services.case_material_add(user=user, case_id=case.pk, name=name, upload=upload)
    return case_services.case_submit(user=user, case_id=case.pk)


def _decide(username: str, case: Any, decision: str = "approve", comment: str = "") -> None:
    user = user_by_username(username)
    page = workflow.task_inbox(user=user, size=100)
    task = next(t for t in page.items if t.instance_id == case.process_instance_id)
    task_complete(task_id=task.pk, user=user, decision=decision, comment=comment)


def load_cases(progress: Progress) -> int:
    """Create the sample cases unless they exist; returns how many were created."""
    applicant = user_by_username("hbcanyin")
    if applicant is None or cases.case_list_for_applicant(user=applicant, size=1).items:
        progress("  sample cases: already there")
        return 0
    restaurant = _apply("hbcanyin", bundle="kaiban-canyindian")
    _decide("chuangkou", restaurant, comment="材料齐全，予以受理")
    for reviewer in ("scjg", "xiaofang", "huanbao"):
        _decide(reviewer, restaurant)
    _decide("chuangkou", restaurant, comment="准予，证照已生成")
    rating_submit(user=applicant, case_id=restaurant.pk, score=5, comment="一次就办好了，很方便")

    licence = _apply("hbcanyin", service="0101001000")
    _decide("scjg", licence, comment="材料齐全，审查通过")

    _apply("zhangsan", service="0101004000")
    progress("  sample cases: 3 (one completed and rated, one in review, one awaiting intake)")
    return 3
