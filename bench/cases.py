"""Throughput of the flagship case, 开办餐饮店一件事 (bundle ``kaiban-canyindian``), through
the service layer: submissions (create + attach materials + submit, which starts the BPMN
process) and task completions (intake, three parallel reviews, final decision)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bench.writes import count_writes
from tongban.accounts.models import User
from tongban.cases.models import Case
from tongban.cases.services import (
    case_create,
    case_material_add,
    case_submit,
    case_withdraw,
    required_material_names,
)
from tongban.workflow.models import HumanTask, HumanTaskStatus
from tongban.workflow.services import task_complete

BUNDLE = "kaiban-canyindian"
APPLICANT = "hbcanyin"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "entity_name": "湖北楚味餐饮有限公司",
    "credit_code": "91420100MA4KXL7P09",
    "legal_representative": "张三",
    "phone": "13800001234",
    "address": "武汉市江汉区解放大道 100 号",
    "registered_capital": 50,
    "business_scope": "餐饮服务",
    "business_area": 120,
    "pollutants": "油烟、餐厨废水",
}
# (phase, staff user, department code of the task): the order a case goes through.
PHASES = (
    ("intake", "chuangkou", "zsj"),
    ("review_market", "scjg", "scjg"),
    ("review_fire", "xiaofang", "xfzd"),
    ("review_environment", "huanbao", "sthjj"),
    ("final", "chuangkou", "zsj"),
)

Progress = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


def _stats(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    total = sum(durations)
    return {
        "ops": len(durations),
        "seconds": total,
        "per_s": len(durations) / total,
        "ms_mean": total / len(durations) * 1000,
        "ms_median": statistics.median(ordered) * 1000,
        "ms_p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    }


def _every(n: int) -> int:
    return max(1, n // 4)


def stored_material(applicant: Any) -> tuple[list[str], int]:
    """Upload the PDF once (in a draft that is then withdrawn); every benchmark case reuses
    that stored file (复用), so disk writes of uploads are not part of the measurement."""
    draft, _created = case_create(user=applicant, bundle=BUNDLE, form=FORM)
    names = [name for name, required in required_material_names(draft) if required]
    upload = SimpleUploadedFile("material.pdf", PDF, content_type="application/pdf")
    material = case_material_add(user=applicant, case_id=draft.pk, name=names[0], upload=upload)
    case_withdraw(user=applicant, case_id=draft.pk)
    return names, material.file_id


def measure_submissions(n: int, *, progress: Progress = _quiet) -> tuple[dict[str, Any], list[int]]:
    """Create, fill and submit ``n`` restaurant cases; returns the figures and the case ids."""
    applicant = User.objects.get(username=APPLICANT)
    names, file_id = stored_material(applicant)
    durations: list[float] = []
    parts = {"create": [0.0, 0], "materials": [0.0, 0], "submit": [0.0, 0]}
    ids: list[int] = []

    def part(name: str, since: float, statements: int) -> float:
        now = time.perf_counter()
        parts[name][0] += now - since
        parts[name][1] += log.statements - statements
        return now

    with count_writes() as log:
        for index in range(1, n + 1):
            started = mark = time.perf_counter()
            before = log.statements
            case, _created = case_create(user=applicant, bundle=BUNDLE, form=FORM)
            mark, before = part("create", mark, before), log.statements
            for name in names:
                case_material_add(user=applicant, case_id=case.pk, name=name, reuse_file_id=file_id)
            mark, before = part("materials", mark, before), log.statements
            case_submit(user=applicant, case_id=case.pk)
            part("submit", mark, before)
            durations.append(time.perf_counter() - started)
            ids.append(case.pk)
            if index % _every(n) == 0:
                progress(f"    submitted {index}/{n}")
    submitted = Case.objects.filter(pk__in=ids, status="submitted").count()
    if submitted != n:
        raise RuntimeError(f"{n - submitted} of {n} cases were not submitted")
    result = {
        **_stats(durations),
        "materials_per_case": len(names),
        "transactions_per_case": 2 + len(names),
        "statements_per_op": log.statements / n,
        "write_rows_per_op": log.write_rows / n,
        "write_bytes_per_op": log.write_bytes / n,
        "parts": {
            name: {"ms_mean": seconds / n * 1000, "statements_per_op": count / n}
            for name, (seconds, count) in parts.items()
        },
    }
    progress(
        f"  submissions: {n} in {result['seconds']:.1f} s = {result['per_s']:.1f}/s "
        f"(median {result['ms_median']:.1f} ms, {result['statements_per_op']:.0f} statements)"
    )
    return result, ids


def measure_completions(case_ids: list[int], *, progress: Progress = _quiet) -> dict[str, Any]:
    """Complete every task of the submitted cases, phase by phase (all intakes, then all
    market reviews, ...); only the ``task_complete`` calls are timed."""
    instances = dict(Case.objects.filter(pk__in=case_ids).values_list("process_instance_id", "pk"))
    phases: dict[str, Any] = {}
    all_durations: list[float] = []
    statements = rows = size = 0
    for phase, username, department in PHASES:
        staff = User.objects.get(username=username)
        tasks = list(
            HumanTask.objects.filter(
                instance_id__in=list(instances),
                department_code=department,
                status=HumanTaskStatus.OPEN,
            )
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if len(tasks) != len(case_ids):
            raise RuntimeError(f"{phase}: {len(tasks)} open tasks for {len(case_ids)} cases")
        durations: list[float] = []
        with count_writes() as log:
            for task_id in tasks:
                started = time.perf_counter()
                task_complete(task_id=task_id, user=staff, decision="approve", comment="同意")
                durations.append(time.perf_counter() - started)
        statements += log.statements
        rows += log.write_rows
        size += log.write_bytes
        phases[phase] = {
            **_stats(durations),
            "statements_per_op": log.statements / len(tasks),
            "write_bytes_per_op": log.write_bytes / len(tasks),
        }
        all_durations += durations
        progress(f"    {phase} ({username}): {len(tasks)} tasks, {phases[phase]['per_s']:.1f}/s")
    done = Case.objects.filter(pk__in=case_ids, status="completed", result="approved").count()
    if done != len(case_ids):
        raise RuntimeError(f"{len(case_ids) - done} of {len(case_ids)} cases did not complete")
    total = len(all_durations)
    result = {
        **_stats(all_durations),
        "statements_per_op": statements / total,
        "write_rows_per_op": rows / total,
        "write_bytes_per_op": size / total,
        "phases": phases,
    }
    progress(
        f"  completions: {total} in {result['seconds']:.1f} s = {result['per_s']:.1f}/s "
        f"(median {result['ms_median']:.1f} ms); {done} cases completed and approved"
    )
    return result
