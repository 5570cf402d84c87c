"""List endpoints and pages cost the same number of queries whatever the data size: they
read one keyset page, never one query per row (N+1) and never more as tables grow.

Data comes from the bulk generator (``tongban generate``): each list is read once over a
small province and again after ten times as many cases, ratings, rectifications, appeals
and registry persons were added.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.demo.generate import USERNAME_PREFIX, generate

pytestmark = pytest.mark.django_db

# (who, path): ``applicant`` is the generated citizen who applied for every case.
LISTS = [
    ("applicant", "/api/v1/applications"),
    ("applicant", "/my/cases/"),
    ("jiancha", "/api/v1/supervision/overdue"),
    ("jiancha", "/api/v1/supervision/rectifications"),
    ("jiancha", "/api/v1/ratings/departments"),
    ("jiancha", "/supervision/"),
    ("jiancha", "/supervision/stats/"),
    ("jiancha", "/supervision/rectifications/"),
    ("jiancha", "/workbench/analytics/cases/?metric=received"),
    ("paidan", "/api/v1/appeals/inbox"),
    ("paidan", "/workbench/appeals/"),
    ("jiancha", "/workbench/appeals/overdue/"),
    ("admin", "/api/v1/citizens"),
    ("admin", "/workbench/citizens/"),
    ("shuju", "/api/v1/registries/conflicts"),
    (None, "/api/v1/services?q=营业执照"),
    ("zhangsan", "/api/v1/appeals"),
    (None, "/statistics/"),
]


def _client(who: str | None) -> Client:
    client = Client()
    if who == "applicant":
        who = f"{USERNAME_PREFIX}00000000"
    if who is not None:
        client.force_login(get_user_model().objects.get(username=who))
    return client


def _queries(client: Client, path: str) -> int:
    client.get(path)  # warm up: sessions, caches of the catalog and the calendar
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def test_lists_cost_the_same_queries_at_ten_times_the_data(demo_catalog):
    generate(cases=60, days=30, seed=3, persons=1, appeals=30)
    clients = {who: _client(who) for who in {who for who, _path in LISTS}}
    small = {path: _queries(clients[who], path) for who, path in LISTS}
    generate(cases=600, days=30, seed=4, persons=40, appeals=300)
    large = {path: _queries(clients[who], path) for who, path in LISTS}
    grown = {path: (small[path], large[path]) for path in small if large[path] > small[path]}
    assert not grown, f"queries grew with the data (small, large): {grown}"
