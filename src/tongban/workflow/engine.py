"""The SpiffWorkflow adapter: parsing, a sandboxed expression engine, service tasks and
delta persistence.

Processes are data uploaded by data stewards, so nothing in a BPMN file may run arbitrary
Python: gateway conditions and service-task parameters are evaluated by a small expression
language (comparisons, boolean logic, arithmetic, literals, task-data variables, a few pure
functions); script tasks are refused when a process is registered.

State is stored as one row per task plus the workflow's own small fields; the parsed spec is
stored once per process version. After each step only the tasks whose serialized form changed
are written, so the cost of a step does not grow with the size of the process history.
"""

from __future__ import annotations

import ast
import hashlib
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

# Mixins, not bpmn.specs.defaults: the Spiff parser builds its own subclasses of these.
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

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
        raise ExpressionError(f"syntax error: {exc.msg}") from None
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


@dataclass(frozen=True)
class Assignment:
    """Who works on a user task: the lane names ``<department code>:<role>``, where the
    department code ``handler`` stands for the department handling the instance."""

    department_code: str
    role: str


def parse_assignment(lane: str | None) -> Assignment:
    department, _sep, role = (lane or "").partition(":")
    if not department or role not in Role.values:
        raise ValidationFailed(
            _("用户任务的泳道名称应为“部门简码:角色”，如 scjg:reviewer，当前为：%(lane)s")
            % {"lane": lane or "—"},
            field="bpmn_xml",
        )
    return Assignment(department, role)


def process_parse(bpmn_xml: str) -> ParsedProcess:
    """Parse and check a BPMN file with one executable process; refuse it with the reason."""
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(etree.fromstring(bpmn_xml.encode()), filename="process.bpmn")
        keys = parser.get_process_ids()
        if len(keys) != 1:
            raise ValidationFailed(_("BPMN 文件应只包含一个可执行流程"), field="bpmn_xml")
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


def _check_tasks(spec: Any, subprocesses: dict[str, Any]) -> None:
    for process in (spec, *subprocesses.values()):
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, ScriptTask):
                raise ValidationFailed(
                    _("流程不能包含脚本任务（%(name)s）") % {"name": task_spec.bpmn_name},
                    field="bpmn_xml",
                )
            if isinstance(task_spec, UserTask):
                parse_assignment(task_spec.lane)
            for condition, _target in getattr(task_spec, "cond_task_specs", []):
                if condition is None:
                    continue
                source = condition.args[0] if getattr(condition, "args", None) else condition
                try:
                    compile_expression(str(source))
                except ExpressionError as exc:
                    raise ValidationFailed(
                        _("条件表达式“%(expr)s”不受支持：%(reason)s")
                        % {"expr": source, "reason": exc},
                        field="bpmn_xml",
                    ) from None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_workflow(spec: dict[str, Any], data: dict[str, Any]) -> BpmnWorkflow:
    """A fresh workflow of a stored spec, with ``data`` as its initial workflow data."""
    registry = SERIALIZER.registry
    process_spec = registry.restore(spec["spec"])
    subprocess_specs = {k: registry.restore(v) for k, v in spec["subprocess_specs"].items()}
    workflow = BpmnWorkflow(process_spec, subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.data.update(data)
    return workflow


def restore(spec: dict[str, Any], state: dict[str, Any], tasks: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from its stored spec, its own fields and its task rows."""
    workflow = SERIALIZER.from_dict({**state, **spec, "tasks": tasks})
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
