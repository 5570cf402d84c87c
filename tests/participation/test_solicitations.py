"""Drafts for comment over the API and pages: who may create and moderate, commenting
only while open, pseudonyms on the public page, and the feedback summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.participation.conftest import DRAFT, department_id, post, user
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.participation import selectors, services
from tongban.participation.models import Comment, CommentStatus, Solicitation

pytestmark = pytest.mark.django_db


def _body(start: int = 0, end: int = 15, **changes: object) -> dict[str, object]:
    today = selectors.today()
    return {
        "department_id": department_id("sthjj"),
        "starts_on": str(today + timedelta(days=start)),
        "ends_on": str(today + timedelta(days=end)),
        **DRAFT,
        **changes,
    }


def test_reviewer_creates_a_draft_and_the_public_reads_it(api_token, client):
    response = post(client, "/solicitations", _body(), api_token("huanbao"))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "open"
    assert AuditEntry.objects.filter(action="participation.solicitation_created").count() == 1
    listed = Client().get("/api/v1/solicitations").json()["items"]
    assert [x["id"] for x in listed] == [created["id"]]
    detail = Client().get(f"/api/v1/solicitations/{created['id']}").json()
    assert "第一条" in detail["body"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": str(selectors.today() + timedelta(days=2))}, "ends_on"),
        ({"contact_phone": "13800001234"}, "contact_phone"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_drafts_are_refused_with_the_field(api_token, client, changes, field):
    response = post(client, "/solicitations", _body(**changes), api_token("huanbao"))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not AuditEntry.objects.filter(action="participation.solicitation_created").exists()


@pytest.mark.parametrize(("username", "status"), [("xiaofang", 403), ("zhangsan", 403)])
def test_only_the_department_creates_drafts(api_token, client, username, status):
    response = post(client, "/solicitations", _body(), api_token(username))
    assert response.status_code == status
    assert post(Client(), "/solicitations", _body()).status_code == 401


def test_comments_only_while_open(draft, api_token, client):
    closed = draft(start=-30, end=-10)
    future = draft(start=3, end=20)
    current = draft()
    headers = api_token("zhangsan")
    body = {"body": "建议分级管理", "section": "第四条"}
    assert post(client, f"/solicitations/{closed.pk}/comments", body, headers).status_code == 409
    assert post(client, f"/solicitations/{future.pk}/comments", body, headers).status_code == 404
    response = post(client, f"/solicitations/{current.pk}/comments", body, headers)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert OutboxEvent.objects.filter(topic="participation.comment_submitted").count() == 1
    staff = post(client, f"/solicitations/{current.pk}/comments", body, api_token("huanbao"))
    assert staff.status_code == 403
    too_long = post(client, f"/solicitations/{current.pk}/comments", {"body": "长" * 2001}, headers)
    assert too_long.status_code == 422


def test_comments_are_rate_limited(draft):
    item = draft()
    for n in range(3):
        services.comment_submit(actor=user("lisi"), solicitation_id=item.pk, body=f"意见{n}")
    with pytest.raises(services.RateLimited):
        services.comment_submit(actor=user("lisi"), solicitation_id=item.pk, body="第四条意见")


@pytest.mark.parametrize(("username", "status"), [("xiaofang", 403), ("zhangsan", 403)])
def test_moderation_by_the_department_only(draft, api_token, client, username, status):
    item = draft()
    comment = services.comment_submit(actor=user("zhangsan"), solicitation_id=item.pk, body="好")
    path = f"/comments/{comment.pk}/moderate"
    assert post(client, path, {"approve": True}, api_token(username)).status_code == status
    assert (
        client.get(f"/api/v1/solicitations/{item.pk}/moderation", **api_token(username)).status_code
        == status
    )
    no_reason = post(client, path, {"approve": False}, api_token("huanbao"))
    assert no_reason.status_code == 422
    assert post(client, path, {"approve": True}, api_token("huanbao")).status_code == 200
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED


def test_public_page_shows_only_approved_comments_under_a_pseudonym(draft):
    item = draft()
    approved = services.comment_submit(
        actor=user("zhangsan"),
        solicitation_id=item.pk,
        body="建议明确投诉处理时限",
        section="第二条",
    )
    services.comment_submit(actor=user("lisi"), solicitation_id=item.pk, body="尚未审核的意见")
    services.comment_moderate(actor=user("huanbao"), comment_id=approved.pk, approve=True)
    page = Client().get(f"/participation/{item.pk}/").content.decode()
    assert "建议明确投诉处理时限" in page
    assert selectors.pseudonym(approved) in page and selectors.pseudonym(approved).startswith(
        "网友"
    )
    assert "尚未审核的意见" not in page
    for secret in ("张三", "zhangsan", "420102199003071232"):
        assert secret not in page
    api = Client().get(f"/api/v1/solicitations/{item.pk}/comments").json()["items"]
    assert [c["author"] for c in api] == [selectors.pseudonym(approved)]


def test_comment_form_on_the_page(draft, login_as):
    item = draft()
    client = login_as("lisi")
    empty = client.post(f"/participation/{item.pk}/", {"body": " ", "section": ""})
    assert empty.status_code == 422
    assert "请填写意见内容" in empty.content.decode()
    sent = client.post(f"/participation/{item.pk}/", {"body": "支持", "section": "第一条"})
    assert sent.status_code == 302
    assert Comment.objects.get(solicitation=item).section == "第一条"


def test_feedback_summary(draft, api_token, client):
    item = draft(start=-20, end=10)
    comments = [
        services.comment_submit(actor=user(u), solicitation_id=item.pk, body=f"意见{u}")
        for u in ("zhangsan", "lisi", "hbcanyin")
    ]
    for c in comments[:2]:
        services.comment_moderate(actor=user("huanbao"), comment_id=c.pk, approve=True)
    services.comment_moderate(
        actor=user("huanbao"), comment_id=comments[2].pk, approve=False, reason="与本稿无关"
    )
    body = {
        "summary": "共收到意见 3 条，采纳 1 条，部分采纳 1 条。",
        "decisions": [
            {"comment_id": comments[0].pk, "adoption": "adopted", "reason": "已修改第四条"},
            {"comment_id": comments[1].pk, "adoption": "partly", "reason": "部分采纳"},
        ],
    }
    path = f"/solicitations/{item.pk}/feedback"
    assert post(client, path, body, api_token("huanbao")).status_code == 409  # still open
    item.ends_on = selectors.today() - timedelta(days=1)
    item.save()
    assert post(client, path, body, api_token("xiaofang")).status_code == 403
    missing = dict(body, decisions=body["decisions"][:1])
    assert post(client, path, missing, api_token("huanbao")).status_code == 422
    response = post(client, path, body, api_token("huanbao"))
    assert response.status_code == 200, response.content
    feedback = response.json()["feedback"]
    assert (feedback["received"], feedback["adopted"], feedback["partly"]) == (3, 1, 1)
    assert response.json()["status"] == "feedback"
    assert OutboxEvent.objects.filter(topic="participation.feedback_published").count() == 1
    page = Client().get(f"/participation/{item.pk}/").content.decode()
    assert "意见采纳情况" in page and "已修改第四条" in page
    assert post(client, path, body, api_token("huanbao")).status_code == 409


def test_workbench_moderation_page(draft, login_as):
    item = draft()
    comment = services.comment_submit(actor=user("lisi"), solicitation_id=item.pk, body="待审意见")
    staff = login_as("huanbao")
    page = staff.get(f"/workbench/participation/{item.pk}/")
    assert page.status_code == 200 and "待审意见" in page.content.decode()
    assert "李四" not in page.content.decode()
    url = f"/workbench/participation/{item.pk}/comments/{comment.pk}/moderate/"
    assert login_as("xiaofang").post(url, {"decision": "approve"}).status_code == 403
    assert staff.post(url, {"decision": "reject", "reason": ""}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING  # a rejection needs a reason
    assert staff.post(url, {"decision": "reject", "reason": "与本稿无关"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.reject_reason) == (CommentStatus.REJECTED, "与本稿无关")


def test_workbench_feedback_form(draft, login_as):
    item = draft(start=-20, end=10)
    comment = services.comment_submit(actor=user("lisi"), solicitation_id=item.pk, body="建议")
    services.comment_moderate(actor=user("huanbao"), comment_id=comment.pk, approve=True)
    item.ends_on = selectors.today() - timedelta(days=1)
    item.save()
    staff = login_as("huanbao")
    assert "公布意见采纳情况" in staff.get(f"/workbench/participation/{item.pk}/").content.decode()
    url = f"/workbench/participation/{item.pk}/feedback/"
    staff.post(url, {"summary": "共 1 条"})  # no decision: refused, nothing published
    item.refresh_from_db()
    assert item.feedback_published_at is None
    form = {
        "summary": "共 1 条，采纳 1 条。",
        f"adoption-{comment.pk}": "adopted",
        f"reason-{comment.pk}": "已修改",
    }
    assert staff.post(url, form).status_code == 302
    item.refresh_from_db()
    assert item.feedback_published_at is not None
    assert selectors.feedback_counts(item)["adopted"] == 1


def test_workbench_new_draft_page(demo, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = login_as("huanbao")
    today = selectors.today()
    form = {
        "department_id": str(department_id("sthjj")),
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=30)),
        **DRAFT,
    }
    fake = SimpleUploadedFile("draft.pdf", b"not a pdf", content_type="application/pdf")
    bad = staff.post("/workbench/participation/new/", {**form, "attachment": fake})
    assert bad.status_code == 422
    assert 'id="f-attachment-error"' in bad.content.decode()
    pdf = SimpleUploadedFile("draft.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert (
        staff.post("/workbench/participation/new/", {**form, "attachment": pdf}).status_code == 302
    )
    created = Solicitation.objects.get()
    assert created.attachment.name.endswith(".pdf")
    assert login_as("zhangsan").get("/workbench/participation/new/").status_code == 403
