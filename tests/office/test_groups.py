"""Work groups: who may create them and their default members, membership checks,
messages with shared files and their checks, audited downloads for members only,
keyset pages of messages and the polling of new ones."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.office.models import GroupMember
from tongban.office.selectors import collab as selectors
from tongban.office.services import files, groups

from ._collab import Office, build_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db) -> Office:
    return build_office()


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _members(group):
    return set(GroupMember.objects.filter(group=group).values_list("user_id", flat=True))


def test_department_group_defaults_to_the_department_staff(office):
    group = groups.group_create(user=office.head, name="市场监管局工作群", kind="department")
    assert group.department_id == office.wh_scjg.pk
    assert _members(group) == {office.head.pk, office.clerk.pk, office.leader.pk}


def test_department_group_needs_a_head(office):
    with pytest.raises(PermissionDenied):
        groups.group_create(user=office.clerk, name="群", kind="department")
    with pytest.raises(PermissionDenied):
        groups.group_create(
            user=office.head, name="群", kind="department", department_id=office.wh_xfzd.pk
        )


def test_project_group_across_departments_and_validation(office):
    group = groups.group_create(
        user=office.clerk,
        name="食品安全联合检查",
        kind="project",
        member_ids=[office.fire.pk, office.xg.pk],
    )
    assert group.department_id is None
    assert _members(group) == {office.clerk.pk, office.fire.pk, office.xg.pk}
    with pytest.raises(ValidationFailed) as exc:
        groups.group_create(user=office.clerk, name="", kind="project")
    assert exc.value.field == "name"
    with pytest.raises(ValidationFailed) as exc:
        groups.group_create(user=office.clerk, name="群", kind="chat")
    assert exc.value.field == "kind"
    with pytest.raises(ValidationFailed) as exc:
        groups.group_create(user=office.clerk, name="群", kind="project", member_ids=[999999])
    assert exc.value.field == "member_ids"


def test_add_members_by_the_creator_only(office):
    group = groups.group_create(user=office.clerk, name="项目", kind="project")
    with pytest.raises(NotFound):  # not a member: the group does not exist for them
        groups.group_add_members(user=office.fire, group_id=group.pk, member_ids=[office.fire.pk])
    assert groups.group_add_members(
        user=office.clerk, group_id=group.pk, member_ids=[office.fire.pk]
    ) == [office.fire.pk]
    with pytest.raises(PermissionDenied):
        groups.group_add_members(user=office.fire, group_id=group.pk, member_ids=[office.xg.pk])
    assert (
        groups.group_add_members(user=office.clerk, group_id=group.pk, member_ids=[office.fire.pk])
        == []
    )


def test_members_only_post_and_read(office):
    group = groups.group_create(
        user=office.clerk, name="项目", kind="project", member_ids=[office.fire.pk]
    )
    groups.message_post(user=office.fire, group_id=group.pk, body="收到")
    with pytest.raises(NotFound):
        groups.message_post(user=office.xg, group_id=group.pk, body="我也来")
    with pytest.raises(NotFound):
        selectors.messages_page(office.xg, group.pk)
    with pytest.raises(ValidationFailed) as exc:
        groups.message_post(user=office.fire, group_id=group.pk, body="  ")
    assert exc.value.field == "body"


def test_file_sharing_checks_and_audited_download(office):
    group = groups.group_create(
        user=office.clerk, name="项目", kind="project", member_ids=[office.fire.pk]
    )
    upload = SimpleUploadedFile("检查方案.pdf", PDF, content_type="application/pdf")
    message = groups.message_post(user=office.clerk, group_id=group.pk, upload=upload)
    assert message.file_name == "检查方案.pdf" and message.file_size == len(PDF)

    opened = groups.message_file_open(user=office.fire, group_id=group.pk, message_id=message.pk)
    assert opened.file.read() == PDF
    assert AuditEntry.objects.filter(
        action="office.group.file_download", actor_id=office.fire.pk
    ).exists()
    with pytest.raises(NotFound):
        groups.message_file_open(user=office.xg, group_id=group.pk, message_id=message.pk)

    with pytest.raises(ValidationFailed, match="扩展名"):
        groups.message_post(
            user=office.clerk,
            group_id=group.pk,
            upload=SimpleUploadedFile("a.docx", PDF),
        )
    with pytest.raises(ValidationFailed, match="不支持"):
        groups.message_post(
            user=office.clerk,
            group_id=group.pk,
            upload=SimpleUploadedFile("a.exe", b"MZ\x90\x00binary"),
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (files.FILE_MAX_BYTES + 1))
    with pytest.raises(ValidationFailed, match="20 MB"):
        groups.message_post(user=office.clerk, group_id=group.pk, upload=big)


def test_message_pages_newest_last_and_polling(office):
    group = groups.group_create(
        user=office.clerk, name="项目", kind="project", member_ids=[office.fire.pk]
    )
    posted = [
        groups.message_post(user=office.clerk, group_id=group.pk, body=f"消息{i}") for i in range(5)
    ]
    page = selectors.messages_page(office.fire, group.pk, size=2)
    assert [m.body for m in page.items] == ["消息3", "消息4"]
    assert page.last_id == posted[-1].pk and page.older
    older = selectors.messages_page(office.fire, group.pk, cursor=page.older, size=2)
    assert [m.body for m in older.items] == ["消息1", "消息2"]
    assert older.last_id == posted[-1].pk

    assert selectors.messages_after(office.fire, group.pk, posted[-1].pk) == []
    new = groups.message_post(user=office.fire, group_id=group.pk, body="新消息")
    assert [m.pk for m in selectors.messages_after(office.fire, group.pk, posted[-1].pk)] == [
        new.pk
    ]


def test_api_groups_messages_files(office):
    clerk = office.client(office.clerk)
    created = clerk.post(
        "/api/v1/groups",
        {"name": "联合检查", "kind": "project", "member_ids": [office.fire.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert set(created.json()["members"]) == {"李科员", "赵消防"}

    posted = clerk.post(
        f"/api/v1/groups/{group_id}/messages",
        {"body": "方案见附件", "file": SimpleUploadedFile("方案.pdf", PDF)},
    )
    assert posted.status_code == 201, posted.content
    message = posted.json()
    assert message["file_url"] == f"/api/v1/groups/{group_id}/files/{message['id']}"

    fire = office.client(office.fire)
    listed = fire.get(f"/api/v1/groups/{group_id}/messages").json()
    assert [m["body"] for m in listed["items"]] == ["方案见附件"]
    assert listed["last_id"] == message["id"]
    polled = fire.get(f"/api/v1/groups/{group_id}/messages?after={message['id']}").json()
    assert polled["items"] == [] and polled["last_id"] == message["id"]

    download = fire.get(message["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"

    outsider = office.client(office.xg)
    assert outsider.get(message["file_url"]).status_code == 404
    assert outsider.get(f"/api/v1/groups/{group_id}/messages").status_code == 404
    empty = clerk.post(f"/api/v1/groups/{group_id}/messages", {"body": ""})
    assert empty.status_code == 422
    assert empty.json()["message"] == "请填写消息内容或选择要共享的文件"
    assert [g["id"] for g in fire.get("/api/v1/groups").json()["items"]] == [group_id]
    assert outsider.get("/api/v1/groups").json()["items"] == []
