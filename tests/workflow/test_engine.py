from pathlib import Path

import pytest

import tongban.demo
from tongban.core.errors import ValidationFailed
from tongban.workflow.engine import ExpressionError, evaluate_expression, process_parse

PROCESSES = Path(tongban.demo.__file__).parent / "processes"


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ('decision == "approve"', {"decision": "approve"}, True),
        ("fee > 100 and not exempt", {"fee": 150, "exempt": False}, True),
        ("len(items) in [1, 2]", {"items": ["a"]}, True),
        ('scores["a"] + 1 >= 3', {"scores": {"a": 2}}, True),
        ("1 < x < 3", {"x": 5}, False),
    ],
)
def test_expressions(expression, data, expected):
    assert evaluate_expression(expression, data) is expected


@pytest.mark.parametrize(
    "expression",
    [
        '__import__("os").system("id")',
        "decision.__class__",
        "open('/etc/passwd')",
        "(lambda: 1)()",
        "[x for x in y]",
        "unknown_variable == 1",
    ],
)
def test_expressions_cannot_escape_the_sandbox(expression):
    with pytest.raises(ExpressionError):
        evaluate_expression(expression, {"decision": "approve", "y": [1]})


def test_demo_processes_parse():
    keys = {
        process_parse(
            path.read_text(), [dmn.read_text() for dmn in PROCESSES.glob(f"{path.stem}.*.dmn")]
        ).key
        for path in PROCESSES.glob("*.bpmn")
    }
    assert keys == {"single_window", "two_step_review", "restaurant_bundle", "fee_review"}


BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def bpmn(body: str, lane: str = "zsj:window_clerk") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="x"/></bpmn:collaboration>
  <bpmn:process id="x" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l" name="{lane}"><bpmn:flowNodeRef>t</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    {body}
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<not xml", "不是有效的 XML"),
        (
            bpmn(
                '<bpmn:scriptTask id="t" name="s"><bpmn:script>x=1</bpmn:script></bpmn:scriptTask>'
            ),
            "不能包含脚本任务",
        ),
        (
            bpmn(
                '<bpmn:userTask id="t" name="审查"><bpmn:extensionElements>'
                '<spiffworkflow:preScript xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/'
                'schema/1.0/core">import os</spiffworkflow:preScript>'
                "</bpmn:extensionElements></bpmn:userTask>"
            ),
            "不能包含脚本任务",
        ),
        (bpmn('<bpmn:userTask id="t" name="审查"/>', lane="nobody"), "泳道名称"),
        (bpmn('<bpmn:userTask id="t" name="审查"/>', lane="scjg:emperor"), "泳道名称"),
        (
            bpmn('<bpmn:userTask id="t"/>').replace(
                'sourceRef="t" targetRef="e"', 'sourceRef="t" targetRef="missing"'
            ),
            "无法解析",
        ),
    ],
    ids=["xml", "script", "pre-script", "lane-format", "lane-role", "dangling-flow"],
)
def test_bad_processes_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValidationFailed) as info:
        process_parse(text)
    assert reason in info.value.message and info.value.field == "bpmn_xml"
