"""Official document pages (公文, 收文) through Django's test client: drafting with field
errors, versions and their diff, attachments, the route (核稿 -> 会签 in parallel -> 签发 ->
编号用印分发) completed from the document page, the rendered HTML and PDF, the incoming
queue of the recipient and its steps (登记 -> 拟办 -> 批示 -> 承办 -> 归档) with circulation
(传阅, 已阅), search; and the 403 for a user outside the route."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from tongban.core.models import AuditEntry
from tongban.office.models import Document, Receipt
from tongban.org.selectors import department_by_code

pytestmark = pytest.mark.django_db

TITLE = "关于开展食品安全专项检查的通知"
BODY = "为加强食品安全监管，决定开展专项检查。\n请各单位认真组织实施。"


def text(response: Any) -> str:
    return response.content.decode()


def dept(division: str, code: str) -> int:
    department = department_by_code(division_code=division, code=code)
    assert department is not None
    return department.pk


def task_ids(page: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="task_id" value="(\d+)"', page)]


def complete(client: Client, url: str, page_url: str, **data: Any) -> None:
    page = text(client.get(page_url))
    ids = task_ids(page)
    assert ids, f"no open task on {page_url}"
    response = client.post(url, {"task_id": ids[0], "decision": "approve", **data})
    assert response.status_code == 302, text(response)[:2000]


def draft_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": TITLE,
        "body": BODY,
        "main_recipients": [dept("420900", "scjg")],
        "copy_recipients": [],
        "countersign_departments": [dept("420100", "xfzd"), dept("420100", "sthjj")],
        "classification": "0",
        "urgency": "urgent",
        "secrecy_period": "",
    }
    form.update(overrides)
    return form


def test_pages_need_staff(client: Client, demo: Any) -> None:
    response = client.get("/workbench/office/documents/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_and_draft_form(login_as: Any) -> None:
    scjg = login_as("scjg")
    listing = scjg.get("/workbench/office/documents/")
    assert listing.status_code == 200
    page = text(listing)
    assert "起草公文" in page and "/workbench/office/documents/new/" in page
    for box in ("拟稿", "流转中", "已分发"):
        assert box in page
    form = text(scjg.get("/workbench/office/documents/new/"))
    assert '<optgroup label="孝感市">' in form and "孝感市市场监督管理局" in form
    for field in ("title", "body", "main_recipients", "countersign_departments"):
        assert f'for="f-{field}"' in form and f'id="f-{field}"' in form
    refused = scjg.post("/workbench/office/documents/new/", draft_form(title=""))
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in text(refused) and 'class="error-text"' in text(refused)
    assert not Document.objects.exists()


def test_the_draft_form_sets_and_keeps_the_direction(login_as: Any) -> None:
    scjg = login_as("scjg")
    form = text(scjg.get("/workbench/office/documents/new/"))
    assert '<label for="f-direction">行文方向</label>' in form
    assert '<option value="down" selected>下行文</option>' in form
    assert '<option value="parallel">平行文</option><option value="up">上行文</option>' in form
    created = scjg.post("/workbench/office/documents/new/", draft_form(direction="up"))
    assert created.status_code == 302
    document = Document.objects.get()
    assert document.direction == "up"
    url = f"/workbench/office/documents/{document.pk}/"
    assert "<dt>行文方向</dt><dd>上行文</dd>" in text(scjg.get(url))
    edit = text(scjg.get(f"{url}edit/"))
    assert '<option value="up" selected>上行文</option>' in edit
    scjg.post(f"{url}edit/", draft_form(direction="parallel"))
    document.refresh_from_db()
    assert document.direction == "parallel"
    refused = scjg.post(f"{url}edit/", draft_form(direction="sideways"))
    assert refused.status_code == 422
    assert 'id="f-direction-error"' in text(refused) and "行文方向应为" in text(refused)
    # A form without the field (loaded before it existed) drafts 下行文.
    scjg.post("/workbench/office/documents/new/", draft_form())
    assert Document.objects.latest("pk").direction == "down"


def test_outside_the_route_gets_403(login_as: Any) -> None:
    scjg = login_as("scjg")
    created = scjg.post("/workbench/office/documents/new/", draft_form())
    assert created.status_code == 302
    document = Document.objects.get()
    outsider = login_as("chuangkou")
    for suffix in ("", "view/", "pdf/", "diff/?a=1&b=1"):
        response = outsider.get(f"/workbench/office/documents/{document.pk}/{suffix}")
        assert response.status_code == 403, suffix
    assert outsider.get("/workbench/office/documents/999999/").status_code == 404
    from django.contrib.auth import get_user_model

    outsider_id = get_user_model().objects.get(username="chuangkou").pk
    denied = AuditEntry.objects.filter(action="office.document.denied", actor_id=outsider_id)
    assert denied.count() >= 3  # recorded although the request failed


def test_the_whole_route_through_the_pages(login_as: Any) -> None:
    scjg = login_as("scjg")
    created = scjg.post("/workbench/office/documents/new/", draft_form())
    assert created.status_code == 302
    document = Document.objects.get()
    url = f"/workbench/office/documents/{document.pk}/"
    assert created["Location"] == url

    detail = text(scjg.get(url))
    assert TITLE in detail and "提交核稿" in detail and "武汉市消防救援支队" in detail

    # A second version and its diff.
    edited = scjg.post(
        f"{url}edit/",
        {**draft_form(body=BODY + "\n检查结果于月底前报送。"), "note": "补充报送要求"},
    )
    assert edited.status_code == 302
    detail = text(scjg.get(url))
    assert f"{url}diff/?a=1&amp;b=2" in detail
    diff = scjg.get(f"{url}diff/?a=1&b=2")
    assert (
        diff.status_code == 200 and "<ins>" in text(diff) and "检查结果于月底前报送。" in text(diff)
    )

    upload = SimpleUploadedFile(
        "检查方案.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    assert scjg.post(f"{url}attachments/", {"file": upload}).status_code == 302
    assert "检查方案.pdf" in text(scjg.get(url))

    draft_pdf = scjg.get(f"{url}pdf/")
    assert draft_pdf.status_code == 200 and draft_pdf["Content-Type"] == "application/pdf"
    assert draft_pdf.content.startswith(b"%PDF")

    assert scjg.post(f"{url}submit/").status_code == 302
    assert f"{url}submit/" not in text(scjg.get(url))

    # 核稿 by a colleague, 会签 by both heads (in parallel), 签发, 编号用印分发.
    complete(login_as("scjg-hegao"), f"{url}tasks/", url, comment="核稿无误")
    complete(login_as("xfzd-head"), f"{url}tasks/", url, comment="同意")
    complete(login_as("sthjj-head"), f"{url}tasks/", url, comment="同意")
    complete(login_as("scjg-head"), f"{url}tasks/", url, comment="同意签发")
    complete(login_as("scjg-hegao"), f"{url}tasks/", url)
    document.refresh_from_db()
    assert document.status == "dispatched" and document.number

    detail = text(scjg.get(url))
    for who in ("马核稿", "高支队长", "林局长", "黄局长"):
        assert who in detail  # every step in the trail with who
    assert "核稿无误" in detail and "同意签发" in detail
    html = scjg.get(f"{url}view/")
    assert html.status_code == 200
    assert document.number in text(html) and 'class="gw-mark gw-mark-' in text(html)
    assert "office/document.css" in text(html)
    pdf = PdfReader(io.BytesIO(scjg.get(f"{url}pdf/").content))
    printed = "".join(page.extract_text() for page in pdf.pages)
    assert document.number in printed and "孝感市市场监督管理局：" in printed
    assert "（草稿）" not in printed and "印发" in printed
    dispatched = text(scjg.get("/workbench/office/documents/?box=dispatched"))
    assert TITLE in dispatched and document.number in dispatched

    # 收文 at 孝感市市场监督管理局.
    xg = login_as("xg-scjg")
    incoming = text(xg.get("/workbench/office/incoming/"))
    receipt = Receipt.objects.get(document=document, department_id=dept("420900", "scjg"))
    receipt_url = f"/workbench/office/incoming/{receipt.pk}/"
    assert TITLE in incoming and receipt_url in incoming and "武汉市市场监督管理局" in incoming
    assert xg.get(f"{url}pdf/").status_code == 200  # a recipient may read it

    tasks_url = f"{receipt_url}tasks/"
    complete(xg, tasks_url, receipt_url)  # 登记
    receipt.refresh_from_db()
    assert receipt.number

    # 传阅 to the head, who marks it read.
    head = login_as("xg-scjg-head")
    page = text(xg.get(receipt_url))
    head_id = re.search(r'name="readers" value="(\d+)"', page)
    assert head_id is not None and "邓局长" in page
    circulated = xg.post(f"{receipt_url}circulate/", {"readers": [head_id.group(1)]})
    assert circulated.status_code == 302
    head_page = text(head.get(receipt_url))
    assert "已阅" in head_page and f"{receipt_url}read/" in head_page
    assert head.post(f"{receipt_url}read/", {"comment": "阅"}).status_code == 302
    assert f"{receipt_url}read/" not in text(head.get(receipt_url))

    complete(xg, tasks_url, receipt_url, comment="拟请邓局长阅示")  # 拟办
    instruct_page = text(head.get(receipt_url))
    assert 'name="handling_departments"' in instruct_page
    complete(
        head,
        tasks_url,
        receipt_url,
        comment="请认真落实",
        instruct_form="1",
        handling_departments=[dept("420900", "scjg")],
    )  # 批示
    complete(xg, tasks_url, receipt_url, comment="已落实")  # 承办
    complete(xg, tasks_url, receipt_url)  # 归档
    receipt.refresh_from_db()
    assert receipt.status == "filed"
    final = text(xg.get(receipt_url))
    assert "拟请邓局长阅示" in final and "请认真落实" in final

    found = scjg.get("/workbench/office/documents/search/?q=食品安全")
    assert found.status_code == 200 and url in text(found)
    assert "<mark>" in text(found)  # highlighted snippet
    assert url not in text(
        login_as("chuangkou").get("/workbench/office/documents/search/?q=食品安全")
    )


def test_reject_needs_a_comment_shown_beside_the_form(login_as: Any) -> None:
    scjg = login_as("scjg")
    scjg.post("/workbench/office/documents/new/", draft_form(countersign_departments=[]))
    document = Document.objects.get()
    url = f"/workbench/office/documents/{document.pk}/"
    scjg.post(f"{url}submit/")
    hegao = login_as("scjg-hegao")
    ids = task_ids(text(hegao.get(url)))
    refused = hegao.post(f"{url}tasks/", {"task_id": ids[0], "decision": "reject", "comment": ""})
    assert refused.status_code == 422 and 'aria-invalid="true"' in text(refused)
    returned = hegao.post(
        f"{url}tasks/", {"task_id": ids[0], "decision": "reject", "comment": "请补充依据"}
    )
    assert returned.status_code == 302
    document.refresh_from_db()
    assert document.status == "returned"
    assert f"{url}edit/" in text(scjg.get(url)) and "请补充依据" in text(scjg.get(url))


def test_html_view_escapes_input(login_as: Any) -> None:
    scjg = login_as("scjg")
    scjg.post(
        "/workbench/office/documents/new/",
        draft_form(title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>"),
    )
    document = Document.objects.get()
    for suffix in ("", "view/"):
        page = text(scjg.get(f"/workbench/office/documents/{document.pk}/{suffix}"))
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
