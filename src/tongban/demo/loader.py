"""Loads the demo province through the domain services; running it twice creates nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.accounts.selectors import user_by_username, usernames_taken
from tongban.accounts.services import (
    citizen_register,
    enterprise_register,
    oidc_client_upsert,
    staff_create,
    staff_role_grant,
    superuser_grant,
)
from tongban.analytics.services import refresh as analytics_refresh
from tongban.cases.services import slots_generate, window_upsert
from tongban.demo import data
from tongban.demo.cases_demo import load_cases
from tongban.demo.catalog_loader import load_catalog
from tongban.demo.disclosure_demo import load_disclosure
from tongban.demo.exchange_demo import load_exchange, load_licence_resource
from tongban.demo.interaction_demo import load_appeals
from tongban.demo.knowledge_demo import load_knowledge
from tongban.demo.licences_demo import (
    government_credit_code,
    load_licence_types,
    load_sample_licences,
)
from tongban.demo.office_demo import load_issuers, load_office
from tongban.demo.opendata_demo import load_opendata
from tongban.demo.participation_demo import load_participation
from tongban.demo.process_loader import load_processes
from tongban.disclosure.services import article_publish
from tongban.exchange.services import exchange_client_upsert
from tongban.office.services.defaults import office_defaults_ensure
from tongban.org.services import department_upsert, division_upsert

Progress = Callable[[str], None]


def _departments_for(code: str) -> list[tuple[str, str, bool]]:
    if code.endswith("0000"):
        return data.PROVINCE_DEPARTMENTS
    if code in data.CITIES:
        return data.CITY_DEPARTMENTS
    return data.COUNTY_DEPARTMENTS


@transaction.atomic
def load_demo(
    progress: Progress = print,
    *,
    catalog: bool = True,
    sample_cases: bool = True,
    exchange: bool = True,
    interaction: bool = True,
    opendata: bool = True,
    analytics: bool = True,
    office: bool = True,
) -> dict[str, int]:
    """Load the demo province; ``catalog=False`` skips the service catalog (tests that do
    not need its ~100 indexed implementations run much faster without it), and
    ``sample_cases=False`` the sample applications (tests start with no cases) and
    ``exchange=False`` the legacy systems behind the exchange gateway, and
    ``interaction=False`` the publications, information requests, drafts, surveys, FAQs and
    appeals (tests of other domains do not pay for loading them), ``opendata=False``
    the open datasets and the files behind them, and ``analytics=False`` the first
    computation of the decision-support figures from the sample cases and appeals, and
    ``office=False`` the collaborative office's documents, receipts, work items, notices,
    groups and meetings (tests of the office build their own)."""
    counts = {"divisions": 0, "departments": 0, "users": 0, "articles": 0}
    departments: dict[tuple[str, str], int] = {}
    for code, name, parent in data.DIVISIONS:
        division_upsert(code=code, name=name, parent_code=parent)
        counts["divisions"] += 1
        for index, (dept_code, dept_name, centre) in enumerate(_departments_for(code)):
            dept = department_upsert(
                division_code=code,
                code=dept_code,
                name=dept_name,
                credit_code=government_credit_code(code, 100001 + index),
                is_service_centre=centre,
            )
            departments[(code, dept_code)] = dept.pk
            counts["departments"] += 1
    progress(f"  divisions: {counts['divisions']}, departments: {counts['departments']}")
    # A database flushed between tests has lost the rows the office migration seeded.
    office_defaults_ensure()
    counts["issuers"] = load_issuers(departments, {code: name for code, name, _p in data.DIVISIONS})
    progress(f"  issuing departments: {counts['issuers']}")

    existing = usernames_taken([row[0] for row in (*data.CITIZENS, *data.ENTERPRISES, *data.STAFF)])
    for username, real_name, id_number, phone in data.CITIZENS:
        if username not in existing:
            citizen_register(
                username=username,
                password=data.DEMO_PASSWORD,
                real_name=real_name,
                id_number=id_number,
                phone=phone,
            )
            counts["users"] += 1
    for username, name, credit_code, legal_rep in data.ENTERPRISES:
        if username not in existing:
            enterprise_register(
                username=username,
                password=data.DEMO_PASSWORD,
                name=name,
                credit_code=credit_code,
                legal_representative=legal_rep,
            )
            counts["users"] += 1
    for username, display_name, division, dept_code, role in data.STAFF:
        user = user_by_username(username)
        if user is None:
            user = staff_create(
                username=username, password=data.DEMO_PASSWORD, display_name=display_name
            )
            counts["users"] += 1
        if username == "admin":
            superuser_grant(user=user)
        staff_role_grant(user=user, department_id=departments[(division, dept_code)], role=role)
    progress(f"  new accounts: {counts['users']} (password {data.DEMO_PASSWORD})")

    client = data.OIDC_CLIENT
    oidc_client_upsert(
        client_id=client.client_id,
        client_secret=client.client_secret,
        name=client.name,
        redirect_uris=list(client.redirect_uris),
        skip_authorization=True,
    )
    progress(f"  OIDC client: {client.client_id}")

    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for division, slug, title, summary, days_ago in data.ARTICLES:
        article_publish(
            division_code=division,
            slug=slug,
            title=title,
            summary=summary,
            body=f"{summary}\n\n（本文为演示数据。）",
            published_at=now - timedelta(days=days_ago),
            department_id=departments.get((division, "zsj")),
        )
        counts["articles"] += 1
    progress(f"  articles: {counts['articles']}")
    if interaction:
        counts.update({f"disclosure_{key}": n for key, n in load_disclosure(progress).items()})
        counts.update(load_participation(progress))
    counts["processes"] = load_processes(progress)
    counts["licence_types"] = load_licence_types(progress)
    if catalog:
        counts.update(load_catalog(progress))
    counts["slots"] = _load_windows()
    progress(f"  service windows: {len(data.WINDOWS)}, new appointment slots: {counts['slots']}")
    if exchange:
        counts["resources"] = load_exchange(progress, var_dir=Path(settings.VAR_DIR))
        _platform_client(departments[("420100", "zsj")])
        load_licence_resource(departments[("420100", "zsj")])
    if catalog and interaction:
        counts["knowledge_entries"] = load_knowledge(progress)
    if catalog and sample_cases:
        counts["cases"] = load_cases(progress)
        counts["licences"] = load_sample_licences(progress)
    if interaction:
        counts["appeals"] = load_appeals(progress)
    if office:
        counts.update(load_office(progress))
    if opendata:
        counts["open_datasets"] = load_opendata(progress)["created"]
    if analytics and (sample_cases or interaction):
        refreshed = analytics_refresh(progress=lambda line: progress(f"  figures: {line}"))
        counts["analytics_facts"] = refreshed.facts
        progress(f"  decision-support figures: {refreshed.facts} facts")
    return counts


def _platform_client(department_id: int) -> None:
    """The platform's own exchange client: it fetches materials government already holds
    when an application is submitted (a department system of 武汉市政务服务和大数据管理局)."""
    exchange_client_upsert(
        client_id=settings.TONGBAN_PLATFORM_EXCHANGE_CLIENT,
        client_secret=data.PLATFORM_CLIENT_SECRET,
        name="一网通办平台（申请材料自动获取）",
        department_id=department_id,
    )


def _load_windows() -> int:
    times = [(time.fromisoformat(begin), time.fromisoformat(end)) for begin, end in data.SLOT_TIMES]
    created = 0
    for division, department, name, address in data.WINDOWS:
        window = window_upsert(
            division_code=division, department_code=department, name=name, address=address
        )
        created += slots_generate(
            window=window,
            start=timezone.localdate() + timedelta(days=1),
            days=data.SLOT_DAYS,
            times=times,
            capacity=data.SLOT_CAPACITY,
        )
    return created
