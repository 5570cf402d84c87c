"""The acceptance path of official documents through the HTTP API with bearer tokens:
武汉市市场监督管理局 drafts, 消防救援支队 and 生态环境局 countersign in parallel, the head
signs, the document is numbered, sealed and dispatched, and arrives in 孝感市市场监督管理局's
incoming queue, where it is registered, proposed, instructed, handled, circulated and
filed. Plus refusals (403 audited), hidden classified documents, search, diff, attachments
and query counts of the lists."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from tongban.core.models import AuditEntry
from tongban.office.models import Document, Receipt
from tongban.office.rendering import AREA_CENTRE
from tongban.office.services.documents import seal_verify

from .test_rendering import find, page_runs, width_of

pytestmark = pytest.mark.django_db

TITLE = "关于开展食品安全专项检查的通知"
BODY = "为加强食品安全监管，决定开展专项检查。\n请各单位认真组织实施。"


class Api:
    def __init__(self, api_token: Any) -> None:
        self.client = Client()
        self.api_token = api_token
        self.tokens: dict[str, dict[str, str]] = {}

    def auth(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.tokens[username] = self.api_token(username)
        return self.tokens[username]

    def get(self, username: str, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, **self.auth(username))

    def post(self, username: str, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.auth(username)
        )

    def patch(self, username: str, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", **self.auth(username)
        )

    def tasks(self, username: str, business_type: str, business_id: int) -> list[dict[str, Any]]:
        response = self.get(username, "/tasks", size=100)
        assert response.status_code == 200
        return [
            t
            for t in response.json()["items"]
            if (t["business_type"], t["business_id"]) == (business_type, str(business_id))
        ]

    def complete(
        self,
        username: str,
        business: tuple[str, int],
        decision: str = "approve",
        comment: str = "同意",
    ) -> dict[str, Any]:
        tasks = self.tasks(username, *business)
        assert len(tasks) == 1, (username, tasks)
        response = self.post(
            username,
            f"/tasks/{tasks[0]['id']}/complete",
            {"decision": decision, "comment": comment},
        )
        assert response.status_code == 200, response.json()
        return tasks[0]


@pytest.fixture
def api(api_token: Any) -> Api:
    return Api(api_token)


def new_document(api: Api, org: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": TITLE,
        "body": BODY,
        "main_recipients": [org.xg_scjg.pk],
        "countersign_departments": [org.wh_xfzd.pk, org.wh_sthjj.pk],
        "urgency": "urgent",
    }
    body.update(overrides)
    response = api.post("scjg", "/documents", body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_acceptance_route_through_the_api(api: Api, office_org: Any) -> None:
    org = office_org
    created = new_document(api, org)
    doc_id = created["id"]
    assert created["status"] == "draft" and created["number"] == ""
    assert created["issuer"]["name"] == "武汉市市场监督管理局"
    assert [d["name"] for d in created["main_recipients"]] == ["孝感市市场监督管理局"]
    assert [c["department"]["name"] for c in created["countersigns"]] == [
        "武汉市消防救援支队",
        "武汉市生态环境局",
    ]

    submitted = api.post("scjg", f"/documents/{doc_id}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "reviewing"
    business = ("office.document", doc_id)
    # The drafter may not review their own draft: refused, audited, the task stays open.
    own = api.tasks("scjg", *business)[0]
    refused = api.post("scjg", f"/tasks/{own['id']}/complete", {"decision": "approve"})
    assert refused.status_code == 403 and "核稿人不能是拟稿人" in refused.json()["message"]
    assert api.tasks("scjg-hegao", *business)[0]["id"] == own["id"]

    api.complete("scjg-hegao", business, comment="核稿无误")
    assert api.get("scjg", f"/documents/{doc_id}").json()["status"] == "countersigning"
    fire = api.tasks("xfzd-head", *business)
    env = api.tasks("sthjj-head", *business)
    assert fire[0]["step"] == env[0]["step"] == "countersign"
    assert fire[0]["department_code"] == "xfzd" and env[0]["department_code"] == "sthjj"
    api.complete("xfzd-head", business, comment="消防同意")
    api.complete("sthjj-head", business, comment="环保同意")
    detail = api.get("scjg", f"/documents/{doc_id}").json()
    assert detail["status"] == "signing"
    assert {c["status"] for c in detail["countersigns"]} == {"agreed"}
    assert {c["signed_by"] for c in detail["countersigns"]} == {"xfzd-head", "sthjj-head"}
    # A countersigning department sees the document while it is on the route.
    assert api.get("xfzd-head", f"/documents/{doc_id}").status_code == 200

    api.complete("scjg-head", business, comment="同意印发")
    assert api.get("scjg", f"/documents/{doc_id}").json()["status"] == "issuing"
    api.complete("scjg-hegao", business, comment="编号用印分发")
    detail = api.get("scjg", f"/documents/{doc_id}").json()
    assert detail["status"] == "dispatched"
    assert detail["number"].startswith("武市监发〔") and detail["number"].endswith("〕1号")
    assert detail["signer"] == "scjg-head" and detail["issued_on"] and detail["sealed_at"]
    assert len(detail["content_digest"]) == 64
    assert detail["trail_intact"] is True
    trail = [(t["step"], t["actor"], t["decision"]) for t in detail["trail"]]
    for expected in [
        ("create", "scjg", "done"),
        ("submit", "scjg", "submit"),
        ("review", "scjg-hegao", "approve"),
        ("countersign", "xfzd-head", "approve"),
        ("countersign", "sthjj-head", "approve"),
        ("sign", "scjg-head", "approve"),
        ("issue", "scjg-hegao", "approve"),
        ("dispatch", "scjg-hegao", "done"),
    ]:
        assert expected in trail
    assert all(t["at"] and t["actor_name"] for t in detail["trail"])
    review = next(t for t in detail["trail"] if t["step"] == "review")
    assert (
        review["comment"] == "核稿无误" and review["department"]["name"] == "武汉市市场监督管理局"
    )

    # It arrives in 孝感市市场监督管理局's incoming queue, nothing re-typed.
    incoming = api.get("xg-scjg", "/documents/incoming").json()["items"]
    assert len(incoming) == 1
    receipt_id = incoming[0]["id"]
    assert incoming[0]["title"] == TITLE and incoming[0]["document_number"] == detail["number"]
    assert incoming[0]["issuer"]["name"] == "武汉市市场监督管理局"
    assert api.get("xg-scjg", f"/documents/{doc_id}").json()["body"] == BODY
    assert api.get("scjg", "/documents/incoming").json()["items"] == []

    receipt = ("office.receipt", receipt_id)
    api.complete("xg-scjg", receipt, comment="")
    registered = api.get("xg-scjg", f"/receipts/{receipt_id}").json()
    assert registered["status"] == "registered"
    assert registered["number"].startswith("孝市监收〔") and registered["number"].endswith("〕1号")
    api.complete("xg-scjg", receipt, comment="拟请局领导阅示，交办公室承办")
    assert api.get("xg-scjg", f"/receipts/{receipt_id}").json()["proposal"].startswith("拟请")
    # 批示 names the handling departments: through its own endpoint.
    instruct = api.tasks("xg-scjg-head", *receipt)[0]
    assert instruct["step"] == "instruct"
    wrong = api.post(
        "xg-scjg-head",
        f"/receipts/{receipt_id}/instruct",
        {"task": instruct["id"], "instruction": "请办理", "handling_departments": [org.wh_xfzd.pk]},
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "handling_departments"
    instructed = api.post(
        "xg-scjg-head",
        f"/receipts/{receipt_id}/instruct",
        {
            "task": instruct["id"],
            "instruction": "请认真组织落实",
            "handling_departments": [org.xg_scjg.pk],
        },
    )
    assert instructed.status_code == 200, instructed.json()
    body = instructed.json()
    assert body["status"] == "handling" and body["instruction"] == "请认真组织落实"
    assert [h["department"]["name"] for h in body["handlers"]] == ["孝感市市场监督管理局"]

    circulated = api.post(
        "xg-scjg", f"/receipts/{receipt_id}/circulate", {"readers": [org.user("xg-scjg-head").pk]}
    )
    assert circulated.status_code == 200 and circulated.json() == {"circulated": 1}
    read = api.post("xg-scjg-head", f"/receipts/{receipt_id}/read", {"comment": "已阅"})
    assert read.status_code == 200 and read.json()["circulations"][0]["read_at"]
    assert api.post("xg-scjg-head", f"/receipts/{receipt_id}/read", {}).status_code == 409

    api.complete("xg-scjg", receipt, comment="已组织专项检查")
    assert api.get("xg-scjg", f"/receipts/{receipt_id}").json()["status"] == "circulating"
    api.complete("xg-scjg", receipt, comment="归档")
    final = api.get("xg-scjg", f"/receipts/{receipt_id}").json()
    assert final["status"] == "filed" and final["filed_at"]
    assert [t["step"] for t in final["trail"]] == [
        "register",
        "propose",
        "instruct",
        "circulate",
        "read",
        "handle",
        "file",
    ]
    assert api.get("scjg", f"/documents/{doc_id}").json()["trail_intact"] is True
    opens = AuditEntry.objects.filter(action="office.document.open", object_id=str(doc_id))
    assert opens.filter(actor_id=org.user("xg-scjg").pk).exists()


def test_outsiders_get_403_and_the_denial_is_audited(api: Api, office_org: Any) -> None:
    doc_id = new_document(api, office_org)["id"]
    for path in (
        f"/documents/{doc_id}",
        f"/documents/{doc_id}/document",
        f"/documents/{doc_id}/versions/diff?a=1&b=1",
    ):
        response = api.get("chuangkou", path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied" and response.json()["message"]
    denied = AuditEntry.objects.filter(
        action="office.document.denied",
        object_id=str(doc_id),
        actor_id=office_org.user("chuangkou").pk,
    )
    assert denied.count() == 3
    # Recipients see nothing before dispatch; a countersigning department nothing before submission.
    assert api.get("xg-scjg", f"/documents/{doc_id}").status_code == 403
    assert api.get("xfzd-head", f"/documents/{doc_id}").status_code == 403
    assert api.get("chuangkou", "/documents/999999").status_code == 404
    assert api.get("chuangkou", "/documents").json()["items"] == []
    assert Client().get(f"/api/v1/documents/{doc_id}").status_code == 401


def test_classified_documents_are_hidden_below_clearance(api: Api, office_org: Any) -> None:
    secret = new_document(api, office_org, title="关于专项检查的秘密通知", classification=2)
    plain = new_document(api, office_org, title="关于专项检查的通知")
    # The drafter (reviewer, clearance 1) cannot even see the secret document after creating it.
    listing = [d["id"] for d in api.get("scjg", "/documents").json()["items"]]
    assert plain["id"] in listing and secret["id"] not in listing
    refused = api.get("scjg", f"/documents/{secret['id']}")
    assert refused.status_code == 403 and "密级" in refused.json()["message"]
    # The head (clearance 2) of the same department sees it.
    assert api.get("scjg-head", f"/documents/{secret['id']}").status_code == 200
    heads = [d["id"] for d in api.get("scjg-head", "/documents").json()["items"]]
    assert secret["id"] in heads
    hits = api.get("scjg", "/documents/search", q="专项检查").json()["items"]
    assert [h["document"]["id"] for h in hits] == [plain["id"]]
    head_hits = {
        h["document"]["id"]
        for h in api.get("scjg-head", "/documents/search", q="专项检查").json()["items"]
    }
    assert head_hits == {plain["id"], secret["id"]}


def test_search_highlights_and_only_shows_visible(api: Api, office_org: Any) -> None:
    mine = new_document(
        api, office_org, title="关于餐饮油烟治理的通知", body="各区加强餐饮油烟治理。"
    )
    new_document(api, office_org, title="关于消防通道清理的通知", body="清理消防通道。")
    response = api.get("scjg", "/documents/search", q="油烟")
    hits = response.json()["items"]
    assert [h["document"]["id"] for h in hits] == [mine["id"]]
    assert (
        "<mark>油烟</mark>" in hits[0]["snippet"] and "<mark>油烟</mark>" in hits[0]["title_html"]
    )
    assert api.get("xg-scjg", "/documents/search", q="油烟").json()["items"] == []
    empty = api.get("scjg", "/documents/search", q=" ")
    assert empty.status_code == 422 and empty.json()["field"] == "q"
    # Editing the body re-indexes it.
    api.patch("scjg", f"/documents/{mine['id']}", {"body": "各区加强扬尘治理。"})
    assert (
        api.get("scjg", "/documents/search", q="油烟").json()["items"][0]["document"]["id"]
        == mine["id"]
    )  # title still matches
    assert (
        api.get("scjg", "/documents/search", q="扬尘").json()["items"][0]["document"]["id"]
        == mine["id"]
    )


def test_versions_diff_and_validation_errors(api: Api, office_org: Any) -> None:
    doc = new_document(api, office_org)
    patched = api.patch(
        "scjg",
        f"/documents/{doc['id']}",
        {"body": BODY + "\n检查结果于月底前报送。", "note": "补充报送要求"},
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert [v["number"] for v in patched.json()["versions"]] == [1, 2]
    assert patched.json()["versions"][1]["note"] == "补充报送要求"
    diff = api.get("scjg", f"/documents/{doc['id']}/versions/diff", a=1, b=2).json()
    assert {"kind": "+", "text": "检查结果于月底前报送。"} in diff["lines"]
    assert api.get("scjg", f"/documents/{doc['id']}/versions/diff", a=1, b=9).status_code == 422
    # Only the drafter edits.
    assert api.patch("scjg-hegao", f"/documents/{doc['id']}", {"title": "x"}).status_code == 403
    bad = api.post("scjg", "/documents", {"title": "t", "body": "b", "main_recipients": []})
    assert bad.status_code == 422 and bad.json()["field"] == "main_recipients"
    assert "主送" in bad.json()["message"]
    bad = api.post(
        "scjg",
        "/documents",
        {
            "title": "t",
            "body": "b",
            "main_recipients": [office_org.xg_scjg.pk],
            "countersign_departments": [999999],
        },
    )
    assert bad.status_code == 422 and bad.json()["field"] == "countersign_departments"
    assert (
        api.post(
            "chuangkou",
            "/documents",
            {"title": "t", "body": "b", "main_recipients": [office_org.xg_scjg.pk]},
        ).status_code
        == 403
    )


def test_direction_is_drafted_shown_changed_and_validated(api: Api, office_org: Any) -> None:
    up = new_document(api, office_org, title="关于开展小餐饮备案管理改革试点的请示", direction="up")
    assert (up["direction"], up["direction_label"]) == ("up", "上行文")
    assert api.get("scjg", f"/documents/{up['id']}").json()["direction"] == "up"
    assert new_document(api, office_org)["direction"] == "down"  # the default
    changed = api.patch("scjg", f"/documents/{up['id']}", {"direction": "parallel"})
    assert changed.status_code == 200 and changed.json()["direction"] == "parallel"
    kept = api.patch("scjg", f"/documents/{up['id']}", {"title": "关于试点的函"})
    assert kept.json()["direction"] == "parallel"
    bad = api.post(
        "scjg",
        "/documents",
        {
            "title": "t",
            "body": "b",
            "main_recipients": [office_org.xg_scjg.pk],
            "direction": "sideways",
        },
    )
    assert bad.status_code == 422 and bad.json()["field"] == "direction"
    assert "行文方向" in bad.json()["message"]
    bad = api.patch("scjg", f"/documents/{up['id']}", {"direction": "UP"})
    assert bad.status_code == 422 and bad.json()["field"] == "direction"


def dispatched(api: Api, org: Any, direction: str) -> dict[str, Any]:
    """A document of ``direction`` taken through 核稿, 签发 (黄局长) and 编号用印分发."""
    doc = new_document(
        api,
        org,
        title="关于报送一季度市场主体登记情况的报告",
        direction=direction,
        countersign_departments=[],
    )
    assert api.post("scjg", f"/documents/{doc['id']}/submit").status_code == 200
    business = ("office.document", doc["id"])
    for username in ("scjg-hegao", "scjg-head", "scjg-hegao"):
        api.complete(username, business)
    detail = api.get("scjg", f"/documents/{doc['id']}").json()
    assert detail["status"] == "dispatched" and detail["signer"] == "scjg-head"
    return detail


def test_a_signed_upward_document_prints_number_and_signer_on_one_line(
    api: Api, office_org: Any, login_as: Any
) -> None:
    scjg = login_as("scjg")
    for direction in ("up", "down"):
        detail = dispatched(api, office_org, direction)
        pdf = api.get("scjg", f"/documents/{detail['id']}/document")
        runs = page_runs(PdfReader(io.BytesIO(pdf.content)).pages[0])
        number = find(runs, detail["number"])
        html = scjg.get(f"/workbench/office/documents/{detail['id']}/view/").content.decode()
        if direction == "down":
            assert not any("签发人" in r.text for r in runs) and "签发人" not in html
            assert number.x < AREA_CENTRE < number.x + width_of(number)  # centred
            continue
        label, name = find(runs, "签发人："), find(runs, "黄局长")
        assert number.y == pytest.approx(label.y) == pytest.approx(name.y)  # one text line
        assert number.x + width_of(number) < AREA_CENTRE  # the number in the left half
        assert AREA_CENTRE < label.x <= name.x  # 签发人 and the name in the right half
        assert (
            f'<p class="gw-number">{detail["number"]}</p><p class="gw-signer">签发人：'
            '<span class="gw-signer-name">黄局长</span></p>'
        ) in html
        # The seal covers the direction: the printed 签发人 line cannot be dropped unseen.
        sealed = Document.objects.get(pk=detail["id"])
        assert seal_verify(sealed)
        sealed.direction = "down"
        assert not seal_verify(sealed)


def test_attachments_upload_and_audited_download(api: Api, office_org: Any) -> None:
    doc = new_document(api, office_org)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("检查表.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = api.client.post(
        f"/api/v1/documents/{doc['id']}/attachments", {"file": upload}, **api.auth("scjg")
    )
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert attachment["name"] == "检查表.pdf" and attachment["size"] == 15
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")
    refused = api.client.post(
        f"/api/v1/documents/{doc['id']}/attachments", {"file": fake}, **api.auth("scjg")
    )
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    download = api.get("scjg", f"/documents/{doc['id']}/attachments/{attachment['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action="office.document.open", detail__purpose="attachment"
    ).exists()
    assert (
        api.get("chuangkou", f"/documents/{doc['id']}/attachments/{attachment['id']}").status_code
        == 403
    )
    assert api.get("scjg", f"/documents/{doc['id']}/attachments/999999").status_code == 404


def test_pdf_of_the_document(api: Api, office_org: Any) -> None:
    doc = new_document(api, office_org)
    response = api.get("scjg", f"/documents/{doc['id']}/document")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="office.document.open", detail__purpose="pdf").exists()


def test_list_endpoints_query_counts_do_not_grow(api: Api, office_org: Any) -> None:
    for i in range(3):
        new_document(api, office_org, title=f"关于第{i}次检查的通知")
    api.get("scjg", "/documents")  # warm the token and caches

    def count(path: str, username: str = "scjg") -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(username, path).status_code == 200
        return len(queries)

    few = count("/documents?box=all")
    few_search = count("/documents/search?q=检查")
    for i in range(3, 9):
        new_document(api, office_org, title=f"关于第{i}次检查的通知")
    assert count("/documents?box=all") == few
    assert count("/documents/search?q=检查") == few_search
    assert count("/documents?box=drafts") == few
    assert Document.objects.count() == 9
    assert not Receipt.objects.exists()


def test_incoming_list_query_count(api: Api, office_org: Any) -> None:
    from tongban.office.services import documents as services

    org = office_org
    for i in range(3):
        doc = new_document(api, org, title=f"关于第{i}次检查的通知", countersign_departments=[])
        services.document_submit(user=org.user("scjg"), document_id=doc["id"])
        business = ("office.document", doc["id"])
        api.complete("scjg-hegao", business)
        api.complete("scjg-head", business)
        api.complete("scjg-hegao", business)
    api.get("xg-scjg", "/documents/incoming", size=1)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("xg-scjg", "/documents/incoming", size=1).json()["items"]) == 1
    with CaptureQueriesContext(connection) as three:
        assert len(api.get("xg-scjg", "/documents/incoming").json()["items"]) == 3
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]
