import pytest

from tongban.workflow.models import HumanTask
from tongban.workflow.services import process_start


def start_bundle() -> None:
    process_start(
        key="restaurant_bundle", business_type="case", business_id="WH-001", division_code="420100"
    )


@pytest.mark.django_db
def test_clerk_claims_and_completes_from_the_inbox_page(demo, login_as):
    start_bundle()
    clerk = login_as("chuangkou")
    page = clerk.get("/workbench/tasks/").content.decode()
    assert "综合窗口受理" in page and "WH-001" in page
    task = HumanTask.objects.get(step="accept")
    assert clerk.post(f"/workbench/tasks/{task.pk}/claim/").status_code == 302
    refused = clerk.post(
        f"/workbench/tasks/{task.pk}/complete/", {"decision": "reject"}, follow=True
    )
    assert "请填写理由" in refused.content.decode()
    task.refresh_from_db()
    assert task.status == "claimed"
    done = clerk.post(f"/workbench/tasks/{task.pk}/complete/", {"decision": "approve"}, follow=True)
    assert "已办理完毕" in done.content.decode()
    assert "综合窗口受理" in clerk.get("/workbench/tasks/done/").content.decode()
    assert (
        "营业执照与食品经营许可审查" in login_as("scjg").get("/workbench/tasks/").content.decode()
    )


@pytest.mark.django_db
def test_other_staff_cannot_act_on_a_task(demo, login_as):
    start_bundle()
    task = HumanTask.objects.get(step="accept")
    response = login_as("xg-scjg").post(
        f"/workbench/tasks/{task.pk}/complete/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert "综合窗口受理" not in login_as("xg-scjg").get("/workbench/tasks/").content.decode()
    assert login_as("zhangsan").get("/workbench/tasks/").status_code == 403
