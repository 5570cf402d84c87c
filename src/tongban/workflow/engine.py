"""The SpiffWorkflow adapter: parsing, a sandboxed expression engine, service tasks, DMN
decision tables, timers and delta persistence.

Processes are data uploaded by data stewards, so nothing in a BPMN or DMN file may run
arbitrary Python: gateway conditions, service-task parameters, timer expressions and the
input/output entries of DMN decision tables are evaluated by a small expression language
(comparisons, boolean logic, arithmetic, literals, task-data variables, a few pure
functions); script tasks and pre/post scripts are refused when a process is registered.

Timers (boundary and intermediate catch events) keep SpiffWorkflow's own due times; the
instance's earliest one is stored so that a periodic job finds due instances by index, and
:func:`timers_fire_due` marks the due ones fired at a time the caller chooses.

State is stored as one row per task plus the workflow's own small fields; the parsed spec is
stored once per process version. After each step only the tasks whose serialized form changed
are written, so the cost of a step does not grow with the size of the process history.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

# Mixins, not bpmn.specs.defaults: the Spiff parser builds its own subclasses of these.
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.dmn.specs.model import DecisionTable
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from tongban.core.errors import ValidationFailed
from tongban.org.selectors import Role

ServiceHandler = Callable[[dict[str, Any]], Any]
_service_handlers: dict[str, ServiceHandler] = {}


def register_service(name: str) -> Callable[[ServiceHandler], ServiceHandler]:
    """Register ``handler(params) -> JSON-able result`` for service tasks named ``name``."""

    def decorate(handler: ServiceHandler) -> ServiceHandler:
        _service_handlers[name] = handler
        return handler

    return decorate


class ExpressionError(Exception):
    pass


class ExpressionSyntaxError(ExpressionError, SyntaxError):
    """Also a SyntaxError: the DMN engine tries ``v <entry>`` when an entry such as ``> 5``
    does not parse on its own."""


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "any": any,
    "all": all,
    "sum": sum,
}


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> ast.Expression:
    """Parse ``source`` and check that it uses only the allowed constructs."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionSyntaxError(f"syntax error: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression,
            ast.BoolOp,
            ast.And,
            ast.Or,
            ast.UnaryOp,
            ast.Not,
            ast.USub,
            ast.Compare,
            ast.BinOp,
            ast.Name,
            ast.Load,
            ast.Constant,
            ast.List,
            ast.Tuple,
            ast.Set,
            ast.Subscript,
            ast.Call,
            *_COMPARE,
            *_BINARY,
        )
        if not isinstance(node, allowed):
            raise ExpressionError(f"not allowed: {type(node).__name__}")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords
        ):
            raise ExpressionError("only len, min, max, any, all and sum may be called")
    return tree


def evaluate_expression(source: str, data: dict[str, Any]) -> Any:
    return _eval(compile_expression(source).body, data)


def _eval(node: ast.AST, data: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in data:
            return data[node.id]
        raise ExpressionError(f"unknown variable {node.id}")
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, data) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, data)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, data)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, data), _eval(node.right, data))
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_eval(e, data) for e in node.elts]
        return set(items) if isinstance(node, ast.Set) else items
    if isinstance(node, ast.Subscript):
        return _eval(node.value, data)[_eval(node.slice, data)]
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return _FUNCTIONS[node.func.id](*(_eval(a, data) for a in node.args))
    raise ExpressionError(f"not allowed: {type(node).__name__}")


class SandboxedScriptEngine(PythonScriptEngine):
    """Evaluates expressions with :func:`evaluate_expression`; runs no scripts."""

    def validate(self, expression: str) -> None:
        compile_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return evaluate_expression(expression, {**task.data, **(external_context or {})})
        except (ExpressionError, LookupError, TypeError, ZeroDivisionError) as exc:
            raise WorkflowException(f"expression {expression!r}: {exc}") from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise WorkflowException("script tasks are not supported")

    def call_service(self, task: Any, **kwargs: Any) -> str:
        name = kwargs["operation_name"]
        handler = _service_handlers.get(name)
        if handler is None:
            raise WorkflowException(f"no service handler named {name!r}")
        params = {k: v["value"] for k, v in kwargs.get("operation_params", {}).items()}
        return json.dumps(handler({**params, "task_data": dict(task.data)}))


SCRIPT_ENGINE = SandboxedScriptEngine()
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


@dataclass(frozen=True)
class ParsedProcess:
    key: str
    name: str
    spec: dict[str, Any]


HANDLING_DEPARTMENT = "handler"
DYNAMIC_PREFIX = "="
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")


@dataclass(frozen=True)
class Assignment:
    """Who works on a user task: the lane names ``<department code>:<role>``, where the
    department code ``handler`` stands for the department handling the instance, or
    ``=<variable>:<role>``: the department whose id is in the task's data ``variable``
    (e.g. the item of a parallel multi-instance task, one task per department)."""

    department_code: str
    role: str
    variable: str = ""


def parse_assignment(lane: str | None) -> Assignment:
    department, _sep, role = (lane or "").partition(":")
    variable = ""
    if department.startswith(DYNAMIC_PREFIX):
        variable = department[len(DYNAMIC_PREFIX) :]
        if not _VARIABLE.match(variable):
            department = ""
    if not department or role not in Role.values:
        raise ValidationFailed(
            _(
                "用户任务的泳道名称应为“部门简码:角色”（如 scjg:reviewer）"
                "或“=变量名:角色”（如 =department:head），当前为：%(lane)s"
            )
            % {"lane": lane or "—"},
            field="bpmn_xml",
        )
    return Assignment("" if variable else department, role, variable)


def task_step(task_spec: Any) -> str:
    """The step name of a user task: its BPMN id, also for the children of a
    multi-instance task (which SpiffWorkflow names ``<id> [child]``)."""
    return str(getattr(task_spec, "bpmn_id", None) or task_spec.name)


def process_parse(bpmn_xml: str, dmn_xmls: Iterable[str] = ()) -> ParsedProcess:
    """Parse and check a BPMN file with one executable process and the DMN files its
    business rule tasks use; refuse them with the reason."""
    parser = SpiffBpmnParser()
    for index, dmn_xml in enumerate(dmn_xmls, start=1):
        _add_dmn(parser, dmn_xml, index)
    try:
        parser.add_bpmn_xml(etree.fromstring(bpmn_xml.encode()), filename="process.bpmn")
        keys = parser.get_process_ids()
        if len(keys) != 1:
            raise ValidationFailed(_("BPMN 文件应只包含一个可执行流程"), field="bpmn_xml")
        _check_decisions_present(parser)
        key = keys[0]
        spec = parser.get_spec(key)
        subprocesses = parser.get_subprocess_specs(key)
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(
            _("BPMN 文件不是有效的 XML：%(reason)s") % {"reason": exc}, field="bpmn_xml"
        ) from None
    except (ValidationException, SpiffWorkflowException) as exc:
        raise ValidationFailed(
            _("BPMN 文件无法解析：%(reason)s") % {"reason": exc}, field="bpmn_xml"
        ) from None
    _check_tasks(spec, subprocesses)
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=SCRIPT_ENGINE)
    full = SERIALIZER.to_dict(workflow)
    stored = {"spec": full["spec"], "subprocess_specs": full["subprocess_specs"]}
    return ParsedProcess(key=key, name=spec.description or key, spec=stored)


def _add_dmn(parser: SpiffBpmnParser, dmn_xml: str, index: int) -> None:
    """Parse one DMN file now (Spiff parses decisions lazily) and check its expressions."""
    try:
        root = etree.fromstring(dmn_xml.encode())
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(
            _("第 %(index)s 个 DMN 文件不是有效的 XML：%(reason)s")
            % {"index": index, "reason": exc},
            field="dmn_xmls",
        ) from None
    decisions = root.findall("{*}decision")
    if etree.QName(root).localname != "definitions" or len(decisions) != 1:
        raise ValidationFailed(
            _("第 %(index)s 个 DMN 文件应只包含一个决策（decision）") % {"index": index},
            field="dmn_xmls",
        )
    decision_id = decisions[0].get("id")
    if decision_id in parser.dmn_parsers:
        raise ValidationFailed(
            _("决策 %(id)s 在多个 DMN 文件中重复出现") % {"id": decision_id}, field="dmn_xmls"
        )
    try:
        parser.add_dmn_xml(root, filename=f"decision-{index}.dmn")
        dmn_parser = parser.dmn_parsers[decision_id]
        dmn_parser.parse()
        tables = dmn_parser.decision.decisionTables
    except (ValidationException, SpiffWorkflowException, LookupError, AttributeError) as exc:
        raise ValidationFailed(
            _("第 %(index)s 个 DMN 文件无法解析：%(reason)s") % {"index": index, "reason": exc},
            field="dmn_xmls",
        ) from None
    if len(tables) != 1:
        raise ValidationFailed(
            _("决策 %(id)s 应只包含一个决策表（decisionTable）") % {"id": decision_id},
            field="dmn_xmls",
        )
    _check_decision_table(decision_id, tables[0])


# The DMN engine's "?" placeholder for the input value, outside quoted strings.
_DMN_PLACEHOLDER = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def _check_decision_table(decision_id: str, table: DecisionTable) -> None:
    """Every expression of the table must compile in the sandbox, as the DMN engine will
    build it: input expressions, input entries (``"a"``, ``> 5``, ``1 < ? < 3``), outputs."""
    sources: list[str] = []
    for table_input in table.inputs:
        if not table_input.expression:
            raise ValidationFailed(
                _("决策 %(id)s 的输入“%(label)s”缺少输入表达式")
                % {"id": decision_id, "label": table_input.label or table_input.id},
                field="dmn_xmls",
            )
        sources.append(table_input.expression)
    for rule in table.rules:
        entries = [lhs for entry in rule.inputEntries for lhs in entry.lhs if lhs is not None]
        sources.extend(_DMN_PLACEHOLDER.sub("v", lhs) for lhs in entries)
        sources.extend(entry.text for entry in rule.outputEntries if entry.text)
    for source in sources:
        try:
            _compile_dmn_entry(source)
        except ExpressionError as exc:
            raise ValidationFailed(
                _("决策 %(id)s 的表达式“%(expr)s”不受支持：%(reason)s")
                % {"id": decision_id, "expr": source, "reason": exc},
                field="dmn_xmls",
            ) from None


def _compile_dmn_entry(source: str) -> None:
    """An entry is an expression, or a comparison missing its left side (``>= 50``)."""
    try:
        compile_expression(source)
    except ExpressionSyntaxError:
        compile_expression(f"v {source}")


def _check_decisions_present(parser: SpiffBpmnParser) -> None:
    missing = sorted(str(ref) for ref in parser.get_dmn_dependencies() - set(parser.dmn_parsers))
    if missing:
        raise ValidationFailed(
            _("业务规则任务引用的决策 %(ids)s 没有对应的 DMN 文件") % {"ids": "、".join(missing)},
            field="dmn_xmls",
        )


def _check_tasks(spec: Any, subprocesses: dict[str, Any]) -> None:
    for process in (spec, *subprocesses.values()):
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, ScriptTask) or _has_scripts(task_spec):
                raise ValidationFailed(
                    _("流程不能包含脚本任务（%(name)s）") % {"name": task_spec.bpmn_name},
                    field="bpmn_xml",
                )
            if isinstance(task_spec, UserTask):
                parse_assignment(task_spec.lane)
            event_definition = getattr(task_spec, "event_definition", None)
            if isinstance(event_definition, TimerEventDefinition):
                _check_timer(event_definition)
            for condition, _target in getattr(task_spec, "cond_task_specs", []):
                if condition is None:
                    continue
                source = condition.args[0] if getattr(condition, "args", None) else condition
                _check_condition(str(source))


def _has_scripts(task_spec: Any) -> bool:
    return bool(getattr(task_spec, "prescript", None) or getattr(task_spec, "postscript", None))


def _check_condition(source: str) -> None:
    try:
        compile_expression(source)
    except ExpressionError as exc:
        raise ValidationFailed(
            _("条件表达式“%(expr)s”不受支持：%(reason)s") % {"expr": source, "reason": exc},
            field="bpmn_xml",
        ) from None


# A bare ISO 8601 duration (P3D, PT48H) or date-time (2026-01-31T17:00:00+08:00).
_ISO_LITERAL = re.compile(r"^(PT?\d\S*|\d{4}-\d{2}-\d{2}\S*)$")


def _check_timer(timer: TimerEventDefinition) -> None:
    """Timers take an ISO 8601 duration or date-time, written bare (``PT48H``) or as an
    expression (``"PT48H"``, ``escalate_after``); bare values are quoted for the engine."""
    if isinstance(timer, CycleTimerEventDefinition):
        raise ValidationFailed(
            _("定时器“%(name)s”：不支持循环定时（timeCycle），请使用时长或时间点")
            % {"name": timer.name},
            field="bpmn_xml",
        )
    source = (timer.expression or "").strip()
    if _ISO_LITERAL.match(source):
        source = json.dumps(source)
    timer.expression = source
    try:
        tree = compile_expression(source)
        if isinstance(tree.body, ast.Constant):
            _timer_value(timer, tree.body.value)
    except Exception as exc:  # Spiff's ISO parser raises a bare Exception
        raise ValidationFailed(
            _("定时器“%(name)s”的时间“%(expr)s”不是有效的 ISO 8601 时长或时间点：%(reason)s")
            % {"name": timer.name, "expr": source, "reason": exc},
            field="bpmn_xml",
        ) from None


def _timer_value(timer: TimerEventDefinition, value: Any) -> None:
    if isinstance(timer, TimeDateEventDefinition):
        TimerEventDefinition.get_datetime(str(value))
    else:
        TimerEventDefinition.parse_iso_duration(str(value))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def definition_digest(bpmn_xml: str, dmn_xmls: Iterable[str]) -> str:
    """Identifies a version's files; a BPMN file alone keeps its plain SHA-256."""
    dmn = sorted(dmn_xmls)
    return sha256(json.dumps([bpmn_xml, *dmn]) if dmn else bpmn_xml)


def new_workflow(spec: dict[str, Any], data: dict[str, Any]) -> BpmnWorkflow:
    """A fresh workflow of a stored spec, with ``data`` as its initial workflow data."""
    registry = SERIALIZER.registry
    spec = copy.deepcopy(spec)  # Spiff's DMN converter pops keys from what it restores
    process_spec = registry.restore(spec["spec"])
    subprocess_specs = {k: registry.restore(v) for k, v in spec["subprocess_specs"].items()}
    workflow = BpmnWorkflow(process_spec, subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.data.update(data)
    # Task data, not only workflow data: gateways and decision tables read task data.
    workflow.task_tree.data.update(data)
    return workflow


def restore(spec: dict[str, Any], state: dict[str, Any], tasks: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from its stored spec, its own fields and its task rows."""
    # Spiff's DMN converter pops keys from what it restores: give it a copy.
    workflow = SERIALIZER.from_dict(copy.deepcopy({**state, **spec, "tasks": tasks}))
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def snapshot(workflow: BpmnWorkflow) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The workflow's own fields and its tasks, in their stored (JSON) form."""
    full = SERIALIZER.to_dict(workflow)
    tasks = full.pop("tasks")
    full.pop("spec")
    full.pop("subprocess_specs")
    return full, tasks


def task_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def open_timers(workflow: BpmnWorkflow) -> list[Task]:
    """Timer catch events that wait (or have fired and wait to run)."""
    return [
        task
        for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.READY)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    ]


def timer_due(task: Task) -> datetime | None:
    """When a waiting timer fires, as SpiffWorkflow computed it when the timer was reached."""
    value = task.internal_data.get("event_value")
    if not isinstance(value, str):
        return None
    due = TimerEventDefinition.parse_time_or_duration(value)
    return due if isinstance(due, datetime) else None


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    dues = [due for task in open_timers(workflow) if (due := timer_due(task)) is not None]
    return min(dues, default=None)


def timers_fire_due(workflow: BpmnWorkflow, now: datetime) -> list[Task]:
    """Mark the timers due at ``now`` fired and make them ready; the next engine step runs
    them (an interrupting boundary timer then cancels the task it is attached to)."""
    fired = []
    for task in open_timers(workflow):
        due = timer_due(task)
        if task.state == TaskState.WAITING and due is not None and due <= now:
            task.internal_data["event_fired"] = True
            fired.append(task)
    workflow.refresh_timers()
    return fired


@dataclass(frozen=True)
class Escalation:
    """A boundary timer on a user task that fired: the task it escalates."""

    timer: str
    task_uuid: str
    interrupting: bool


def escalations(timers: Iterable[Task]) -> list[Escalation]:
    """Of timers that were open before an engine step, the boundary timers on user tasks
    that have now run."""
    found = []
    for timer in timers:
        spec = timer.task_spec
        if timer.state != TaskState.COMPLETED or not isinstance(spec, BoundaryEvent):
            continue
        for sibling in timer.parent.children:
            if isinstance(sibling.task_spec, UserTask):
                found.append(Escalation(spec.name, str(sibling.id), bool(spec.cancel_activity)))
    return found
