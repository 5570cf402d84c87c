import pytest

from tongban.accounts.models import User
from tongban.accounts.selectors import staff_has_role
from tongban.core.errors import ValidationFailed
from tongban.org.models import Department, Division
from tongban.org.services import department_upsert, division_upsert


@pytest.mark.django_db
def test_demo_divisions_form_a_tree(demo):
    assert Division.objects.get(code="420102").path == "420000/420100/420102"
    assert Division.objects.get(code="429005").parent_id == "420000"
    assert Division.objects.get(code="429005").level == "city"
    for city in ("420100", "420900", "429005"):
        names = set(Department.objects.filter(division_id=city).values_list("name", flat=True))
        assert {
            "政务服务和大数据管理局",
            "市场监督管理局",
            "消防救援支队",
            "卫生健康委员会",
        } <= names
        assert len(names) >= 12


@pytest.mark.parametrize(
    ("code", "parent", "field", "message"),
    [
        ("4201", "420000", "code", "6位数字"),
        ("130122", "420000", "code", "不是现行"),
        ("420102", "999999", "parent_code", "上级行政区划不存在"),
        ("420102", "420900", "parent_code", None),  # wrong city is accepted structurally
        ("430102", "420100", "parent_code", "不符"),
        ("420000", "420100", "parent_code", "没有上级"),
    ],
)
@pytest.mark.django_db
def test_division_validation(demo, code, parent, field, message):
    if message is None:
        division_upsert(code=code, name="江岸区", parent_code=parent)
        return
    with pytest.raises(ValidationFailed) as info:
        division_upsert(code=code, name="某地", parent_code=parent)
    assert info.value.field == field and message in info.value.message


@pytest.mark.django_db
def test_department_validation(demo):
    with pytest.raises(ValidationFailed, match="校验位错误"):
        department_upsert(
            division_code="420100", code="x", name="某局", credit_code="11420100MA4KXL7P00"
        )
    with pytest.raises(ValidationFailed, match="行政区划不存在"):
        department_upsert(division_code="999999", code="x", name="某局")
    with pytest.raises(ValidationFailed, match="部门名称"):
        department_upsert(division_code="420100", code="x", name=" ")
    assert not Department.objects.filter(code="x").exists()


@pytest.mark.django_db
def test_role_scopes(demo):
    def dept(division: str, code: str) -> int:
        return Department.objects.get(division_id=division, code=code).pk

    clerk = User.objects.get(username="chuangkou")
    reviewer = User.objects.get(username="scjg")
    supervisor = User.objects.get(username="jiancha")
    admin = User.objects.get(username="admin")
    # A department role applies to its own department only.
    assert staff_has_role(reviewer, "reviewer", department_id=dept("420100", "scjg"))
    assert not staff_has_role(reviewer, "reviewer", department_id=dept("420900", "scjg"))
    assert not staff_has_role(reviewer, "reviewer", department_id=dept("420100", "gaj"))
    assert not staff_has_role(clerk, "reviewer", department_id=dept("420100", "zsj"))
    # A supervisor acts for the city and its districts, not for another city.
    assert staff_has_role(supervisor, "supervisor", department_id=dept("420100", "scjg"))
    assert staff_has_role(supervisor, "supervisor", division_code="420102")
    assert not staff_has_role(supervisor, "supervisor", division_code="420900")
    assert not staff_has_role(supervisor, "supervisor", division_code="420000")
    # The provincial administrator acts everywhere in the province.
    assert staff_has_role(admin, "sysadmin", division_code="429005")
    assert staff_has_role(admin, "sysadmin", department_id=dept("420902", "mzj"))
    # Citizens hold no roles.
    assert not staff_has_role(User.objects.get(username="zhangsan"))


@pytest.mark.django_db
def test_division_api_pages(demo, client):
    first = client.get("/api/v1/divisions?size=3").json()
    assert [d["code"] for d in first["items"]] == ["420000", "420100", "420102"]
    assert first["next"].startswith("http://testserver/api/v1/divisions?")
    second = client.get(first["next"]).json()
    assert [d["code"] for d in second["items"]] == ["420106", "420900", "420902"]
    children = client.get("/api/v1/divisions?parent=420100").json()["items"]
    assert {d["code"] for d in children} == {"420102", "420106"}
    assert client.get("/api/v1/divisions/420106").json()["name"] == "武昌区"
    assert client.get("/api/v1/divisions/999999").status_code == 404
    bad = client.get("/api/v1/divisions?cursor=%%%")
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"
    departments = client.get("/api/v1/divisions/420100/departments?size=5").json()
    assert len(departments["items"]) == 5 and departments["next"]
