"""Per-step cost of running a process, as the process grows.

Generated BPMN processes with K user tasks (in sequence, or in parallel between a split and
a join) are started and completed task by task through ``workflow.services.task_complete``.
For every step we record the wall time, the ``InstanceTask`` rows and bytes written (delta
persistence, ADR 0013), every other write of the step, and — as the baseline measured in
the same run — the cost of serialising the whole workflow with SpiffWorkflow's serializer,
which is what a store-the-whole-workflow design would write at every step.
"""

from __future__ import annotations

import copy
import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection

from bench.stats import GROWTH_METRICS, growth, statistic
from bench.writes import count_writes
from tongban.accounts.models import User
from tongban.workflow import engine
from tongban.workflow.models import HumanTask, HumanTaskStatus, InstanceTask, ProcessInstance
from tongban.workflow.selectors import instance_load_tasks
from tongban.workflow.services import process_register, process_start, task_complete

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACE = "https://tongban.example/bench"
LANE = "zsj:window_clerk"  # the window clerk of 420100 (demo user chuangkou)
WORKER = "chuangkou"
DIVISION = "420100"
INSTANCE_TABLE = ProcessInstance._meta.db_table
TASK_TABLE = InstanceTask._meta.db_table

Progress = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


def process_bpmn(k: int, shape: str = "sequential") -> tuple[str, str]:
    """(process key, BPMN XML) of a process with ``k`` user tasks."""
    if shape not in ("sequential", "parallel"):
        raise ValueError(f"unknown shape {shape!r}")
    key = f"bench_{shape}_{k}"
    tasks = [f"t{i}" for i in range(1, k + 1)]
    nodes = [f'<bpmn:userTask id="{t}" name="步骤 {t}"/>' for t in tasks]
    if shape == "sequential":
        flows = list(itertools.pairwise(["start", *tasks, "end"]))
    else:
        nodes += ['<bpmn:parallelGateway id="split"/>', '<bpmn:parallelGateway id="join"/>']
        flows = [("start", "split"), ("join", "end")]
        flows += [pair for t in tasks for pair in (("split", t), (t, "join"))]
    nodes += [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(flows)
    ]
    refs = "".join(f"<bpmn:flowNodeRef>{t}</bpmn:flowNodeRef>" for t in tasks)
    body = "\n    ".join(['<bpmn:startEvent id="start"/>', *nodes, '<bpmn:endEvent id="end"/>'])
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="{key}_defs" targetNamespace="{NAMESPACE}">
  <bpmn:collaboration id="{key}_collab">
    <bpmn:participant id="{key}_pool" processRef="{key}"/>
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="bench {shape} {k}" isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="{key}_lane" name="{LANE}">{refs}</bpmn:lane>
    </bpmn:laneSet>
    {body}
  </bpmn:process>
</bpmn:definitions>"""
    return key, xml


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def whole_serialisation(instance: ProcessInstance) -> dict[str, float]:
    """The baseline: serialise the whole workflow (spec, subprocess specs, tasks, state) as
    SpiffWorkflow's ``BpmnWorkflowSerializer`` does, timed, and measure its JSON size.

    Also times the in-memory work every step does whatever it writes (the engine calls of
    ``task_complete``): rebuilding the spec objects, restoring the workflow from its rows,
    snapshotting it and digesting every task row."""
    spec = instance.definition.spec
    state, tasks = instance_load_tasks(instance)
    started = time.perf_counter()
    engine.SERIALIZER.registry.restore(copy.deepcopy(spec["spec"]))
    spec_restore_ms = _ms(started)
    started = time.perf_counter()
    workflow = engine.restore(spec, state, tasks)
    restore_ms = _ms(started)
    started = time.perf_counter()
    _state, rows = engine.snapshot(workflow)
    snapshot_ms = _ms(started)
    started = time.perf_counter()
    for body in rows.values():
        engine.task_digest(body)
    digest_ms = _ms(started)
    started = time.perf_counter()
    whole = engine.SERIALIZER.to_dict(workflow)
    text = json.dumps(whole, ensure_ascii=False, default=str)
    seconds = time.perf_counter() - started
    without_spec = {k: v for k, v in whole.items() if k not in ("spec", "subprocess_specs")}
    return {
        "bytes": len(text.encode()),
        "bytes_without_spec": len(
            json.dumps(without_spec, ensure_ascii=False, default=str).encode()
        ),
        "ms": seconds * 1000,
        "spec_restore_ms": spec_restore_ms,
        "restore_ms": restore_ms,
        "snapshot_ms": snapshot_ms,
        "digest_ms": digest_ms,
    }


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "first": values[0],
        "last": values[-1],
    }


def measure_process(
    k: int, shape: str = "sequential", *, progress: Progress = _quiet, run: int = 1
) -> dict[str, Any]:
    """Start a generated process with ``k`` user tasks, complete them one by one, and
    return per-step measurements and their summary."""
    key, xml = process_bpmn(k, shape)
    process_register(bpmn_xml=xml)
    worker = User.objects.get(username=WORKER)
    with count_writes() as start_log:
        instance = process_start(
            key=key,
            business_type="bench",
            business_id=f"{key}-{run}",
            division_code=DIVISION,
            department_code="zsj",
        )
    steps: list[dict[str, float]] = []
    while True:
        task = (
            HumanTask.objects.filter(instance=instance, status=HumanTaskStatus.OPEN)
            .order_by("id")
            .first()
        )
        if task is None:
            break
        with count_writes() as log:
            started = time.perf_counter()
            task_complete(task_id=task.pk, user=worker, decision="approve")
            seconds = time.perf_counter() - started
        instance.refresh_from_db()
        rows = log.table(TASK_TABLE)
        state = log.table(INSTANCE_TABLE)
        whole = whole_serialisation(instance)
        steps.append(
            {
                "ms": seconds * 1000,
                "task_rows_written": rows.rows,
                "task_rows_inserted": rows.inserted,
                "task_rows_updated": rows.updated,
                "task_rows_deleted": rows.deleted,
                "task_bytes": rows.bytes,
                # What the step wrote of the workflow's state: task rows + instance fields.
                "state_bytes": rows.bytes + state.bytes,
                "all_write_rows": log.write_rows,
                "all_write_bytes": log.write_bytes,
                "statements": log.statements,
                "task_rows_total": InstanceTask.objects.filter(instance=instance).count(),
                "whole_bytes": whole["bytes"],
                "whole_bytes_without_spec": whole["bytes_without_spec"],
                "whole_ms": whole["ms"],
                "engine_spec_restore_ms": whole["spec_restore_ms"],
                "engine_restore_ms": whole["restore_ms"],
                "engine_snapshot_ms": whole["snapshot_ms"],
                "engine_digest_ms": whole["digest_ms"],
            }
        )
        if len(steps) > 4 * k + 10:
            raise RuntimeError(f"{key}: process did not end after {len(steps)} steps")
        if progress is not _quiet and len(steps) % 40 == 0:
            progress(f"    {key}: {len(steps)}/{k} steps")
    if instance.status != "completed":
        raise RuntimeError(f"{key}: instance ended in status {instance.status}")
    summary = {name: _summary([s[name] for s in steps]) for name in steps[0]}
    mean = {name: values[statistic(name)] for name, values in summary.items()}
    result = {
        "k": k,
        "shape": shape,
        "steps": len(steps),
        "start": {
            "task_rows_inserted": start_log.table(TASK_TABLE).inserted,
            "task_bytes": start_log.table(TASK_TABLE).bytes,
        },
        "per_step": summary,
        "ratios": {
            # Per step, what we write of the workflow state vs serialising all of it.
            "state_bytes_vs_whole": mean["state_bytes"] / mean["whole_bytes"],
            "state_bytes_vs_whole_without_spec": mean["state_bytes"]
            / mean["whole_bytes_without_spec"],
            "task_rows_written_vs_total": mean["task_rows_written"] / mean["task_rows_total"],
        },
        "samples": steps,
    }
    progress(
        f"  {shape} K={k}: {len(steps)} steps, {mean['ms']:.1f} ms/step (median), "
        f"{mean['task_rows_written']:.1f} task rows / {mean['state_bytes']:.0f} B written per "
        f"step; whole serialisation {mean['whole_bytes']:.0f} B "
        f"(ours/whole {result['ratios']['state_bytes_vs_whole']:.3f})"
    )
    return result


def measure_sizes(
    sizes: Iterable[int],
    shapes: Iterable[str] = ("sequential",),
    *,
    progress: Progress = _quiet,
    keep_samples: bool = True,
) -> dict[str, Any]:
    """Run :func:`measure_process` for every shape and size; summarise the growth."""
    sizes = list(sizes)
    out: dict[str, Any] = {"sizes": sizes, "vendor": connection.vendor, "shapes": {}}
    for shape in shapes:
        runs = [measure_process(k, shape, progress=progress) for k in sizes]
        if not keep_samples:
            for run in runs:
                run.pop("samples")
        out["shapes"][shape] = {
            "runs": runs,
            "growth": {metric: growth(runs, metric) for metric in GROWTH_METRICS},
        }
    return out
