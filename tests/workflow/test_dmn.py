"""DMN decision tables in processes: the demo fee table, refusals, the sandbox."""

from pathlib import Path

import pytest

import tongban.demo
from tongban.accounts.models import User
from tongban.core.errors import ValidationFailed
from tongban.workflow import engine
from tongban.workflow.models import HumanTask, ProcessDefinition, ProcessInstance
from tongban.workflow.selectors import task_inbox
from tongban.workflow.services import process_register, process_start

PROCESSES = Path(tongban.demo.__file__).parent / "processes"
FEE_BPMN = (PROCESSES / "fee_review.bpmn").read_text()
FEE_DMN = (PROCESSES / "fee_review.fee_decision.dmn").read_text()
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def start_fee_review(applicant_type: str, floor_area: float) -> ProcessInstance:
    return process_start(
        key="fee_review",
        business_type="test",
        business_id="FEE-1",
        division_code="420100",
        department_code="scjg",
        data={"applicant_type": applicant_type, "floor_area": floor_area},
    )


def decided(instance: ProcessInstance) -> dict:
    """The task data after the fee table ran, read back from the stored instance."""
    instance.refresh_from_db()
    tasks = {str(uuid): body for uuid, body in instance.tasks.values_list("uuid", "body")}
    workflow = engine.restore(instance.definition.spec, instance.state, tasks)
    return workflow.get_tasks(spec_name="assess_fee")[0].data


def inbox_titles(username: str) -> list[str]:
    return [t.title for t in task_inbox(user=User.objects.get(username=username)).items]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("applicant_type", "floor_area", "fee", "route", "inbox"),
    [
        ("individual", 30, 0, "window", ("chuangkou", "窗口即办")),
        ("individual", 50, 100, "review", ("scjg", "审查")),
        ("enterprise", 120, 300, "review", ("scjg", "审查")),
        ("enterprise", 400, 800, "review", ("scjg", "审查")),
        ("enterprise", 200, 500, "review", ("scjg", "审查")),
    ],
)
def test_the_fee_table_sets_the_fee_and_the_route(
    demo, applicant_type, floor_area, fee, route, inbox
):
    instance = start_fee_review(applicant_type, floor_area)
    data = decided(instance)
    assert (data["fee"], data["route"]) == (fee, route)
    username, title = inbox
    assert inbox_titles(username) == [title]
    assert HumanTask.objects.filter(instance=instance).count() == 1


@pytest.mark.django_db
def test_decision_tables_are_stored_with_the_version(demo):
    definition = ProcessDefinition.objects.get(key="fee_review")
    assert definition.dmn_xmls == [FEE_DMN]
    same = process_register(bpmn_xml=FEE_BPMN, dmn_xmls=[FEE_DMN])
    assert same.pk == definition.pk
    cheaper = FEE_DMN.replace("<text>300</text>", "<text>250</text>")
    changed = process_register(bpmn_xml=FEE_BPMN, dmn_xmls=[cheaper])
    assert changed.version == 2 and changed.dmn_xmls == [cheaper]
    assert decided(start_fee_review("enterprise", 120))["fee"] == 250


@pytest.mark.django_db
def test_running_instances_keep_their_version_of_the_table(demo):
    running = start_fee_review("enterprise", 120)
    process_register(
        bpmn_xml=FEE_BPMN, dmn_xmls=[FEE_DMN.replace("<text>300</text>", "<text>250</text>")]
    )
    assert decided(running)["fee"] == 300


def dmn(rule: str, input_expression: str = "applicant_type") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN_NS}" id="defs" name="收费标准" namespace="t">
  <decision id="fee_decision" name="收费标准">
    <decisionTable id="table">
      <input id="in_type" label="申请人类型">
        <inputExpression id="e1"><text>{input_expression}</text></inputExpression>
      </input>
      <input id="in_area" label="面积">
        <inputExpression id="e2"><text>floor_area</text></inputExpression>
      </input>
      <output id="out_fee" name="fee"/>
      <output id="out_route" name="route"/>
      {rule}
    </decisionTable>
  </decision>
</definitions>"""


def rule(type_entry: str = '"individual"', fee: str = "0") -> str:
    return f"""<rule id="r1">
        <inputEntry id="i1"><text>{type_entry}</text></inputEntry>
        <inputEntry id="i2"><text>-</text></inputEntry>
        <outputEntry id="o1"><text>{fee}</text></outputEntry>
        <outputEntry id="o2"><text>"window"</text></outputEntry>
      </rule>"""


def test_a_valid_table_is_accepted():
    assert engine.process_parse(FEE_BPMN, [dmn(rule())]).key == "fee_review"


@pytest.mark.parametrize(
    ("dmn_xmls", "reason"),
    [
        ([], "没有对应的 DMN 文件"),
        (["<definitions"], "不是有效的 XML"),
        ([f'<definitions xmlns="{DMN_NS}" id="d" name="n" namespace="t"/>'], "只包含一个决策"),
        ([dmn("<unexpected/>")], "无法解析"),
        ([dmn(rule(), input_expression="")], "缺少输入表达式"),
        ([dmn(rule(fee="1 +"))], "无法解析"),
        ([dmn(rule()), dmn(rule())], "重复"),
    ],
    ids=["missing", "xml", "no-decision", "unknown-element", "no-input", "output", "twice"],
)
def test_broken_tables_are_refused_with_the_reason(dmn_xmls, reason):
    with pytest.raises(ValidationFailed) as info:
        engine.process_parse(FEE_BPMN, dmn_xmls)
    assert reason in info.value.message and info.value.field == "dmn_xmls"


@pytest.mark.parametrize(
    "table",
    [
        dmn(rule(fee="__import__('os').system('id')")),
        dmn(rule(type_entry="__import__('os')")),
        dmn(rule(type_entry="? .__class__")),
        dmn(rule(fee="(lambda: 1)()")),
        dmn(rule(), input_expression="applicant_type.__class__"),
        dmn(rule(type_entry="[c for c in ?]")),
    ],
    ids=[
        "output-import",
        "entry-import",
        "entry-dunder",
        "output-lambda",
        "input",
        "comprehension",
    ],
)
def test_table_expressions_cannot_escape_the_sandbox(table):
    with pytest.raises(ValidationFailed) as info:
        engine.process_parse(FEE_BPMN, [table])
    assert "不受支持" in info.value.message and info.value.field == "dmn_xmls"


@pytest.mark.django_db
def test_a_refused_table_registers_nothing(demo):
    before = ProcessDefinition.objects.count()
    with pytest.raises(ValidationFailed):
        process_register(bpmn_xml=FEE_BPMN, dmn_xmls=[dmn(rule(fee="__import__('os')"))])
    assert ProcessDefinition.objects.count() == before
