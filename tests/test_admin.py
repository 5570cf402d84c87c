import pytest

from tongban.core.models import AuditEntry
from tongban.org.models import Department


@pytest.mark.django_db
def test_admin_edits_are_validated_and_audited(demo, login_as):
    admin = login_as("admin")
    department = Department.objects.get(division_id="420100", code="scjg")
    url = f"/admin/org/department/{department.pk}/change/"
    form = {
        "division": "420100",
        "code": "scjg",
        "name": "市场监督管理局",
        "credit_code": "11420100MA4KXL7P00",
    }
    refused = admin.post(url, form)
    assert refused.status_code == 200 and "校验位错误" in refused.content.decode()
    department.refresh_from_db()
    assert department.credit_code == ""
    form["name"] = "市场监督管理局（食品药品）"
    form["credit_code"] = ""
    assert admin.post(url, form).status_code == 302
    entry = AuditEntry.objects.get(action="admin.org.department.change")
    assert entry.actor_label == "admin" and entry.object_id == str(department.pk)


@pytest.mark.django_db
def test_personal_data_is_not_editable_in_the_admin(demo, login_as):
    admin = login_as("admin")
    assert admin.get("/admin/accounts/citizenprofile/").status_code == 404
