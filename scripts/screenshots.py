"""Take the screenshots used by the user guides (docs/guides/img/*.png).

Start a demo first, then point this script at it:

    .venv/bin/tongban demo --port 8012          # in another terminal
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8012

It drives headless Chromium (Debian's /usr/bin/chromium, or the one named by
TONGBAN_CHROMIUM; no browser is downloaded), signs in with the demo accounts where a page
needs it and overwrites the PNG files. Running it again is harmless: it registers nobody; it
only records one audited reveal of 张三's ID number and starts (never confirms) an MFA
enrolment for the demo account ``shuju``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tongban.demo.data import DEMO_PASSWORD  # every demo account has it

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "guides" / "img"
CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 800}


def login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        sys.exit(f"screenshots: could not sign in as {username} at {page.url}")


def portal_home(page: Any) -> None:
    page.goto("/")


def portal_english(page: Any) -> None:
    page.goto("/")
    page.get_by_role("button", name="English").click()


def portal_elderly(page: Any) -> None:
    page.goto("/")
    page.get_by_role("button", name="长者模式", exact=True).click()


def portal_city(page: Any) -> None:
    page.goto("/d/420100/")


def portal_skip_link(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")  # the first Tab shows the skip link


def identity_register_error(page: Any) -> None:
    page.goto("/accounts/register/")
    page.locator("#f-username").fill("wangwu")
    page.locator("#f-real_name").fill("王五")
    page.locator("#f-id_number").fill("420102199003071231")  # wrong check digit
    page.locator("#f-phone").fill("13912345678")
    page.locator("#f-password").fill("Wuhan-Spring-88")
    page.get_by_role("button", name="注册", exact=True).click()
    page.locator("#f-id_number-error").wait_for()


def identity_login(page: Any) -> None:
    page.goto("/accounts/login/")


def identity_me(page: Any) -> None:
    login(page, "zhangsan")
    page.goto("/me/")


def identity_citizens(page: Any) -> None:
    login(page, "chuangkou")
    page.goto("/workbench/citizens/")


def identity_reveal(page: Any) -> None:
    login(page, "chuangkou")
    page.goto("/workbench/citizens/")
    row = page.locator("main tbody tr").filter(has_text="张三")
    row.get_by_label("理由").fill("办理营业执照，核验申请人身份")
    row.get_by_role("button", name="查看").click()
    page.get_by_role("status").wait_for()


def identity_mfa_setup(page: Any) -> None:
    login(page, "shuju")
    page.goto("/accounts/mfa/setup/")
    if "/accounts/mfa/setup/" not in page.url:
        sys.exit(f"screenshots: shuju already uses MFA; the setup page redirected to {page.url}")


def supervision_stats(page: Any) -> None:
    login(page, "jiancha")
    page.goto("/supervision/stats/")


def supervision_ratings(page: Any) -> None:
    page.goto("/ratings/")


def notifications_list(page: Any) -> None:
    login(page, "hbcanyin")
    page.goto("/messages/")


def exchange_resource(page: Any) -> None:
    login(page, "gaj-shuju")
    page.goto("/exchange/catalog/resources/10100100001/")


def exchange_log(page: Any) -> None:
    login(page, "gaj-shuju")
    page.goto("/exchange/catalog/log/")


def registries_summary(page: Any) -> None:
    login(page, "shuju")
    page.goto("/registries/")


def registries_conflicts(page: Any) -> None:
    login(page, "shuju")
    page.goto("/registries/conflicts/")


def licences_wallet(page: Any) -> None:
    """The wallet of 湖北楚味 (the flagship case's licences once it is approved)."""
    login(page, "hbcanyin")
    page.goto("/my/licences/")


def _first_licence(page: Any) -> None:
    licences_wallet(page)
    link = page.locator("main table tbody a").first
    if link.count() == 0:
        sys.exit("screenshots: hbcanyin has no licence yet; run the flagship case first")
    link.click()
    page.wait_for_load_state()


def licences_licence(page: Any) -> None:
    _first_licence(page)


def licences_verify(page: Any) -> None:
    """The public check of the signed file downloaded from the licence page."""
    _first_licence(page)
    signed = page.request.get(page.get_by_role("link", name="下载签名文件").get_attribute("href"))
    page.goto("/licences/verify/")
    page.locator("#f-document").fill(signed.text())
    page.get_by_role("button", name="查验", exact=True).click()
    page.wait_for_load_state()
    page.locator("#result-title").scroll_into_view_if_needed()


def _follow_first(page: Any, selector: str, what: str) -> None:
    link = page.locator(selector).first
    if link.count() == 0:
        sys.exit(f"screenshots: no {what} at {page.url}")
    link.click()
    page.wait_for_load_state()


def appeals_new(page: Any) -> None:
    login(page, "zhangsan")
    page.goto("/interaction/appeals/new/")
    page.locator("#f-appeal_type").select_option("complaint")
    page.locator("#f-division_code").select_option("420100")
    page.locator("#f-title").fill("小区门口夜间施工噪声扰民")
    page.locator("#f-content").fill(
        "江岸区某小区门口道路每晚十一点后仍在施工，噪声很大，影响休息，请尽快处理。"
    )


def appeals_inbox(page: Any) -> None:
    login(page, "scjg")
    page.goto("/workbench/appeals/?box=handle")


def appeals_staff_detail(page: Any) -> None:
    appeals_inbox(page)
    _follow_first(page, "main table tbody a", "appeal being handled")


def appeals_overdue(page: Any) -> None:
    login(page, "jiancha")
    page.goto("/workbench/appeals/overdue/")


def appeals_mailbox(page: Any) -> None:
    page.goto("/interaction/mailbox/")


def appeal_routing_dispatch(page: Any) -> None:
    login(page, "paidan")
    page.goto("/workbench/appeals/?box=dispatch")


def interaction_hub(page: Any) -> None:
    page.goto("/interact/")


def knowledge_ask(page: Any) -> None:
    page.goto("/knowledge/ask/?q=开饭店需要什么许可证")


def knowledge_entry(page: Any) -> None:
    knowledge_ask(page)
    _follow_first(page, "main ol a", "answer")


def participation_detail(page: Any) -> None:
    page.goto("/participation/")
    _follow_first(
        page, "main a[href^='/participation/'][href$='/']:not([href*='surveys'])", "draft"
    )


def participation_moderation(page: Any) -> None:
    login(page, "huanbao")
    page.goto("/workbench/participation/")
    _follow_first(page, "main a[href^='/workbench/participation/'][href$='/']", "draft")


def participation_builder(page: Any) -> None:
    login(page, "huanbao")
    page.goto("/workbench/participation/surveys/new/")


def participation_results(page: Any) -> None:
    page.goto("/participation/")
    _follow_first(page, "main a[href$='/results/']", "survey with results")


def disclosure_list(page: Any) -> None:
    page.goto("/disclosure/420100/")


def disclosure_detail(page: Any) -> None:
    disclosure_list(page)
    _follow_first(page, "main table tbody a", "publication")


def disclosure_search(page: Any) -> None:
    page.goto("/disclosure/search/?q=食品安全")


def disclosure_workbench_form(page: Any) -> None:
    login(page, "scjg")
    page.goto("/workbench/disclosure/publications/new/")


def disclosure_overdue(page: Any) -> None:
    login(page, "jiancha")
    page.goto("/workbench/disclosure/requests/?overdue=1")


def disclosure_report(page: Any) -> None:
    login(page, "scjg-head")
    page.goto("/workbench/disclosure/report/")


def opendata_search(page: Any) -> None:
    page.goto("/data/")


def opendata_dataset(page: Any) -> None:
    """An open dataset: its metadata, files, data dictionary and preview."""
    page.goto("/data/dataset/wuhan-bus-lines/")


def analytics_dashboard(page: Any) -> None:
    """The province's dashboard for a leader, opened without JavaScript in mind: SVG charts."""
    login(page, "lingdao")
    page.goto("/workbench/analytics/")


def analytics_league(page: Any) -> None:
    login(page, "lingdao")
    page.goto("/workbench/analytics/?division=420100#league")


def analytics_cases(page: Any) -> None:
    login(page, "jiancha")
    page.goto("/workbench/analytics/cases/?division=420100&metric=received")


def analytics_public(page: Any) -> None:
    page.goto("/statistics/?division=420100")


def scale_overdue(page: Any) -> None:
    """The supervisor's overdue list over a year of generated cases (tongban generate)."""
    login(page, "jiancha")
    page.goto("/supervision/")


def office_document(page: Any) -> None:
    """A dispatched official document as its signer sees it: route, trail, PDF link."""
    login(page, "scjg-head")
    page.goto("/workbench/office/documents/?box=dispatched")
    _follow_first(page, "main table a[href*='/workbench/office/documents/']", "issued document")


def office_pdf(page: Any) -> None:
    """The same document's GB/T 9704 layout as HTML (the PDF has the same elements)."""
    office_document(page)
    _follow_first(page, "main a[href$='/view/']", "document layout")


def office_incoming(page: Any) -> None:
    login(page, "xg-scjg")
    page.goto("/workbench/office/incoming/")


def office_overdue(page: Any) -> None:
    """The supervisor's list of overdue office steps and work items."""
    login(page, "jiancha")
    page.goto("/workbench/office/overdue/")


def office_group(page: Any) -> None:
    login(page, "scjg")
    page.goto("/workbench/office/groups/")
    _follow_first(page, "main a:has-text('联合整治专班')", "project group")


# file name -> (what to do, full page?)
SHOTS: dict[str, tuple[Callable[[Any], None], bool]] = {
    "portal-home.png": (portal_home, True),
    "portal-city.png": (portal_city, False),
    "portal-english.png": (portal_english, False),
    "portal-elderly.png": (portal_elderly, False),
    "portal-skip-link.png": (portal_skip_link, False),
    "identity-login.png": (identity_login, False),
    "identity-register-error.png": (identity_register_error, True),
    "identity-me.png": (identity_me, False),
    "identity-citizens.png": (identity_citizens, False),
    "identity-reveal.png": (identity_reveal, False),
    "identity-mfa-setup.png": (identity_mfa_setup, True),
    "supervision-stats.png": (supervision_stats, True),
    "supervision-ratings.png": (supervision_ratings, False),
    "notifications-list.png": (notifications_list, False),
    "exchange-resource.png": (exchange_resource, True),
    "exchange-log.png": (exchange_log, False),
    "registries-summary.png": (registries_summary, True),
    "registries-conflicts.png": (registries_conflicts, False),
    "licences-wallet.png": (licences_wallet, False),
    "licences-licence.png": (licences_licence, True),
    "licences-verify.png": (licences_verify, False),
    "interaction-hub.png": (interaction_hub, True),
    "appeals-new.png": (appeals_new, True),
    "appeals-inbox.png": (appeals_inbox, False),
    "appeals-staff-detail.png": (appeals_staff_detail, True),
    "appeals-overdue.png": (appeals_overdue, False),
    "appeals-mailbox.png": (appeals_mailbox, False),
    "appeal-routing-dispatch.png": (appeal_routing_dispatch, False),
    "knowledge-ask.png": (knowledge_ask, True),
    "knowledge-entry.png": (knowledge_entry, False),
    "participation-detail.png": (participation_detail, True),
    "participation-moderation.png": (participation_moderation, True),
    "participation-builder.png": (participation_builder, True),
    "participation-results.png": (participation_results, True),
    "disclosure-list.png": (disclosure_list, False),
    "disclosure-detail.png": (disclosure_detail, True),
    "disclosure-search.png": (disclosure_search, False),
    "disclosure-workbench-form.png": (disclosure_workbench_form, True),
    "disclosure-overdue.png": (disclosure_overdue, False),
    "disclosure-report.png": (disclosure_report, True),
    "opendata-search.png": (opendata_search, True),
    "opendata-dataset.png": (opendata_dataset, True),
    "analytics-dashboard.png": (analytics_dashboard, True),
    "analytics-league.png": (analytics_league, False),
    "analytics-cases.png": (analytics_cases, False),
    "analytics-public.png": (analytics_public, True),
    "scale-overdue.png": (scale_overdue, False),
    "office-document.png": (office_document, True),
    "office-layout.png": (office_pdf, True),
    "office-incoming.png": (office_incoming, False),
    "office-overdue.png": (office_overdue, False),
    "office-group.png": (office_group, False),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--only", nargs="*", help="file names to take (default: all)")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    names = options.only or list(SHOTS)
    unknown = sorted(set(names) - set(SHOTS))
    if unknown:
        parser.error(f"unknown screenshots: {', '.join(unknown)}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in names:
                action, full_page = SHOTS[name]
                # A fresh context per picture: no cookies (language, elderly mode, session).
                context = browser.new_context(
                    base_url=options.base_url.rstrip("/"),
                    viewport=VIEWPORT,
                    locale="zh-CN",
                    device_scale_factor=1,
                )
                context.set_default_timeout(15_000)
                page = context.new_page()
                action(page)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(options.out / name), full_page=full_page)
                context.close()
                print(f"wrote {options.out / name}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
