"""The dashboard, its exports and drill-down, monthly reports, the public statistics and
the summary API, through HTTP with each kind of user."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from bench.datagen import generate
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tongban.analytics import figures, selectors, services
from tongban.analytics.models import MonthlyReport
from tongban.core.models import AuditEntry
from tongban.supervision.models import Clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(demo):
    today = timezone.localdate()
    generate(cases=300, end=today, days=60, appeals=60, logs=40, seed=3)
    services.refresh(since=today - timedelta(days=65))
    return today


def test_dashboard_for_a_leader(data, login_as):
    client = login_as("lingdao")
    response = client.get("/workbench/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "湖北省政务服务运行分析" in html
    for figure_id in figures.FIGURES:
        assert f'id="{figure_id}"' in html
    empty = {"materials"}  # the generated cases carry no materials
    for figure_id in set(figures.FIGURES) - empty:
        assert f"/workbench/analytics/export/{figure_id}.csv?" in html
    assert html.count("<svg") >= 10
    assert "<script" not in html.split("<main", 1)[1]
    received = Clock.objects.count()
    assert f"<dd>{received}</dd>" in html


def test_exports_carry_the_figure_table(data, login_as):
    client = login_as("lingdao")
    lens = selectors.lens_for(selectors_user("lingdao"))
    figure = figures.figure(lens, selectors.period_from(), "league")
    response = client.get("/workbench/analytics/export/league.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == figure.columns
    assert [row[1] for row in rows[1:]] == [row[1].value for row in figure.rows]
    response = client.get("/workbench/analytics/export/monthly.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == figures.figure(lens, selectors.period_from(), "monthly").columns
    assert sum(row[1] for row in values[1:]) == Clock.objects.count()
    assert client.get("/workbench/analytics/export/league.pdf").status_code == 404
    assert client.get("/workbench/analytics/export/nothing.csv").status_code == 422


def selectors_user(name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def test_who_may_see_the_dashboard(data, login_as):
    assert login_as("zhangsan").get("/workbench/analytics/").status_code == 403
    anonymous = Client().get("/workbench/analytics/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    city = login_as("wh-lingdao")
    assert city.get("/workbench/analytics/?division=420900").status_code == 403
    assert city.get("/workbench/analytics/?division=420102").status_code == 200
    head = login_as("scjg-head").get("/workbench/analytics/")
    assert head.status_code == 200
    assert "只显示本部门的数据" in head.content.decode()
    assert login_as("scjg").get("/workbench/analytics/").status_code == 403
    bad = login_as("lingdao").get("/workbench/analytics/?from=2026-13")
    assert bad.status_code == 422
    assert "月份格式" in bad.content.decode()
    denied = AuditEntry.objects.filter(action="permission.denied", object_id__contains="analytics")
    assert denied.count() >= 2


def test_drilldown_lists_the_cases_behind_a_figure(data, login_as):
    client = login_as("lingdao")
    clock = Clock.objects.order_by("id").first()
    url = (
        f"/workbench/analytics/cases/?division={clock.division_code}&metric=received"
        f"&department={clock.department_code}"
    )
    html = client.get(url).content.decode()
    expected = Clock.objects.filter(
        division_code=clock.division_code,
        department_code=clock.department_code,
        accepted_on__gte=selectors.period_from().first,
    ).count()
    assert html.count("<tr>") - 1 == min(expected, 50)
    assert clock.number in html or expected > 50
    assert client.get(url.replace("received", "nonsense")).status_code == 422
    head = login_as("scjg-head")
    assert head.get("/workbench/analytics/cases/?metric=received&department=gaj").status_code == 403


def test_public_statistics_need_no_login_and_show_no_person(data):
    response = Client().get("/statistics/?division=420100")
    assert response.status_code == 200
    html = response.content.decode()
    assert "武汉市办件公示" in html
    assert "市场监督管理局" in html
    number = Clock.objects.filter(division_code="420100").first().number
    assert number not in html
    assert Client().get("/statistics/?division=999999").status_code == 404
    assert "/statistics/export.csv?division=420100" in html
    download = Client().get("/statistics/export.csv?division=420100")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["部门", "受理", "办结", "网上办理率", "按时办结率"]
    received = Clock.objects.filter(division_code__in=["420100", "420102", "420106"]).count()
    assert sum(int(row[1]) for row in rows[1:]) == received
    assert Client().get("/statistics/export.pdf").status_code == 404


def test_summary_api(data, api_token):
    headers = api_token("lingdao")
    response = Client().get("/api/v1/analytics/summary?division=420000", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cases_received"] == Clock.objects.count()
    lens = selectors.lens_for(selectors_user("lingdao"))
    s = selectors.summary(lens, selectors.period_from())
    assert body["on_time_rate"] == s.on_time_rate
    assert body["appeals_received"] == s.appeals_received == 60
    assert body["overdue"] == Clock.objects.filter(stopped_at__isnull=True, level="overdue").count()
    citizen = Client().get("/api/v1/analytics/summary", **api_token("zhangsan"))
    assert citizen.status_code == 403
    assert Client().get("/api/v1/analytics/summary").status_code == 401
    city = api_token("wh-lingdao")
    assert Client().get("/api/v1/analytics/summary?division=420900", **city).status_code == 403
    bad = Client().get("/api/v1/analytics/summary?from=26-01", **headers)
    assert bad.status_code == 422


def test_monthly_reports(data, login_as):
    made = services.monthly_reports_job()
    assert sorted(r.division_code for r in made) == ["420000", "420100", "420900", "429005"]
    assert services.monthly_reports_job() == []  # archived once per month
    report = MonthlyReport.objects.get(division_code="420000")
    client = login_as("lingdao")
    html = client.get("/workbench/analytics/reports/").content.decode()
    assert f"/workbench/analytics/reports/{report.pk}.pdf" in html
    response = client.get(f"/workbench/analytics/reports/{report.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "湖北省政务服务月度报告" in text
    assert (
        login_as("scjg-head").get(f"/workbench/analytics/reports/{report.pk}.pdf").status_code
        == 403
    )

    month = f"{timezone.localdate():%Y-%m}"
    response = client.post(
        "/workbench/analytics/reports/generate/", {"division": "420100", "month": month}
    )
    assert response.status_code == 302
    assert MonthlyReport.objects.filter(
        division_code="420100", month__month=timezone.localdate().month
    ).exists()
    assert AuditEntry.objects.filter(action="analytics.report_generate").count() == 1
    bad = client.post(
        "/workbench/analytics/reports/generate/", {"division": "420100", "month": "2099-01"}
    )
    assert bad.status_code == 422
    head = login_as("scjg-head").post(
        "/workbench/analytics/reports/generate/", {"division": "420100", "month": month}
    )
    assert head.status_code == 403
