import pytest

from tongban.core.models import AuditEntry
from tongban.org.models import Department


@pytest.mark.django_db
def test_admin_edits_are_validated_and_audited(demo, login_as):
    admin = login_as("admin")
    department = Department.objects.get(division_id="420100", code="scjg")
    original = department.credit_code
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
    assert department.credit_code == original
    form["name"] = "市场监督管理局（食品药品）"
    form["credit_code"] = original
    assert admin.post(url, form).status_code == 302
    entry = AuditEntry.objects.get(action="admin.org.department.change")
    assert entry.actor_label == "admin" and entry.object_id == str(department.pk)


@pytest.mark.django_db
def test_personal_data_is_not_editable_in_the_admin(demo, login_as):
    admin = login_as("admin")
    assert admin.get("/admin/accounts/citizenprofile/").status_code == 404


@pytest.mark.django_db
def test_third_party_admin_changes_and_password_changes_are_audited(demo, login_as):
    from oauth2_provider.models import Application

    from tongban.accounts.models import User

    admin = login_as("admin")
    application = Application.objects.get(client_id="demo-legacy")
    assert (
        admin.post(
            f"/admin/oauth2_provider/application/{application.pk}/delete/", {"post": "yes"}
        ).status_code
        == 302
    )
    assert AuditEntry.objects.filter(action="admin.oauth2_provider.application.delete").exists()
    lisi = User.objects.get(username="lisi")
    response = admin.post(
        f"/admin/accounts/user/{lisi.pk}/password/",
        {
            "password1": "Another-Pass-2026",
            "password2": "Another-Pass-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="admin.accounts.user.change", object_id=str(lisi.pk)
    ).exists()


@pytest.mark.django_db
def test_bulk_delete_is_not_offered(demo, login_as):
    html = login_as("admin").get("/admin/disclosure/article/").content.decode()
    assert "delete_selected" not in html


@pytest.mark.django_db
def test_role_grants_in_the_admin_go_through_the_services(demo, login_as):
    from tongban.accounts.models import StaffRole, User

    admin = login_as("admin")
    chuangkou = User.objects.get(username="chuangkou")
    zhangsan = User.objects.get(username="zhangsan")
    department = Department.objects.get(division_id="420100", code="zsj")
    refused = admin.post(
        "/admin/accounts/staffrole/add/",
        {"user": zhangsan.pk, "department": department.pk, "role": "data_steward"},
    )
    assert refused.status_code == 200 and "只有工作人员可以被授予角色" in refused.content.decode()
    assert not chuangkou.is_staff
    added = admin.post(
        "/admin/accounts/staffrole/add/",
        {"user": chuangkou.pk, "department": department.pk, "role": "data_steward"},
    )
    assert added.status_code == 302
    chuangkou.refresh_from_db()
    assert chuangkou.is_staff  # data stewards maintain configuration in the admin
    grant = StaffRole.objects.get(user=chuangkou, role="data_steward")
    assert (
        admin.post(f"/admin/accounts/staffrole/{grant.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    chuangkou.refresh_from_db()
    assert not chuangkou.is_staff
    assert AuditEntry.objects.filter(action="staff_role.revoke").exists()
