"""The real ckanapi client (``RemoteCKAN``) against a live server: what CKAN tools call
works unchanged, at CKAN's unversioned ``/api/action/`` and at ``/api/3/action/``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ckanapi
import pytest

from .test_ckan import BUS_ROWS, World, ckan_world  # noqa: F401 - the fixture

BASES = ["api/action/", "api/3/action/"]


@pytest.fixture
def remote(live_server: Any, transactional_db: Any, ckan_world: World) -> Any:  # noqa: F811
    def _remote(
        base_url: str = "api/action/", apikey: str | None = None, get_only: bool = False
    ) -> Any:
        ck = ckanapi.RemoteCKAN(
            live_server.url, apikey=apikey, user_agent="tongban-tests/1.0", get_only=get_only
        )
        ck.base_url = base_url  # RemoteCKAN's default is CKAN's unversioned api/action/
        return ck

    return _remote


@pytest.mark.parametrize("base_url", BASES)
def test_list_search_show(remote: Any, base_url: str) -> None:
    ck = remote(base_url)
    assert ck.action.package_list() == ["bus-stops", "employment-stats", "insured-employers"]
    found = ck.action.package_search(q="公交", rows=5)
    assert found["count"] == 1
    assert found["results"][0]["name"] == "bus-stops"
    paged = ck.action.package_search(rows=1, start=1, sort="name asc")
    assert [p["name"] for p in paged["results"]] == ["employment-stats"]
    faceted = ck.action.package_search(fq="organization:420100-rsj", **{"facet.field": ["tags"]})
    assert faceted["count"] == 2 and faceted["facets"]["tags"]["社保"] == 2
    get_only = remote(base_url, get_only=True)
    faceted = get_only.action.package_search(
        fq="organization:420100-rsj", **{"facet.field": ["tags", "groups"]}
    )
    assert faceted["search_facets"]["groups"]["items"][0]["display_name"] == "社会保障"
    pkg = ck.action.package_show(id="bus-stops")
    assert pkg["organization"]["name"] == "420100-zsj"
    assert pkg["resources"][0]["url"].startswith(f"{ck.address}/data/download/")


@pytest.mark.parametrize("base_url", BASES)
def test_organizations(remote: Any, base_url: str) -> None:
    ck = remote(base_url)
    orgs = ck.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in orgs} == {"420100-rsj": 2, "420100-zsj": 1}
    org = ck.action.organization_show(id="420100-rsj", include_datasets=True)
    assert org["is_organization"] is True
    assert sorted(p["name"] for p in org["packages"]) == ["employment-stats", "insured-employers"]


def test_errors_become_ckanapi_exceptions(remote: Any, ckan_world: World) -> None:  # noqa: F811
    ck = remote()
    with pytest.raises(ckanapi.NotFound):
        ck.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ck.action.package_search(start=10**6)
    with pytest.raises(ckanapi.SearchQueryError):
        ck.action.package_search(fq="author:someone")
    resource_id = str(ckan_world.distributions["insured-employers"]["CSV"].pk)
    with pytest.raises(ckanapi.NotAuthorized):
        ck.action.datastore_search(resource_id=resource_id)
    with pytest.raises(ckanapi.CKANAPIError):
        ck.call_action("package_create", {"name": "x"})


@pytest.mark.parametrize("base_url", BASES)
def test_datastore_search_pages_through_every_record(
    remote: Any,
    ckan_world: World,  # noqa: F811
    base_url: str,
) -> None:
    ck = remote(base_url)
    resource_id = str(ckan_world.distributions["bus-stops"]["CSV"].pk)
    records: list[dict[str, Any]] = []
    offset, total = 0, None
    while True:
        page = ck.action.datastore_search(resource_id=resource_id, limit=64, offset=offset)
        total = page["total"]
        if not page["records"]:
            break
        records.extend(page["records"])
        offset += len(page["records"])
    assert total == BUS_ROWS == len(records)
    assert [r["_id"] for r in records] == list(range(1, BUS_ROWS + 1))
    assert len({r["stop"] for r in records}) == BUS_ROWS
    get_only = remote(base_url, get_only=True)
    page = get_only.action.datastore_search(resource_id=resource_id, limit=10, offset=240)
    assert [r["_id"] for r in page["records"]] == list(range(241, BUS_ROWS + 1))
    filtered = ck.action.datastore_search(
        resource_id=resource_id, filters={"district": "江岸区"}, limit=1000
    )
    assert filtered["total"] == len(filtered["records"]) == BUS_ROWS // 5


def test_ckanapi_command_line(remote: Any, live_server: Any) -> None:
    """The ckanapi CLI (``ckanapi action ... -r URL``, ``ckanapi dump``) as users run it."""
    cli = Path(sys.executable).with_name("ckanapi")
    shown = subprocess.run(
        [str(cli), "action", "package_show", "id=bus-stops", "-r", live_server.url, "-j"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(shown.stdout)["organization"]["name"] == "420100-zsj"
    searched = subprocess.run(
        [str(cli), "action", "package_search", "fq=groups:society", "rows:2", "-r",
         live_server.url, "-g", "-j"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    assert json.loads(searched.stdout)["count"] == 2
    dumped = subprocess.run(
        [str(cli), "dump", "datasets", "--all", "-r", live_server.url, "-q", "-p", "1"],
        capture_output=True,
        # dump starts its workers as "ckanapi" from PATH
        env={**os.environ, "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        text=True,
        timeout=120,
        check=False,
    )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    names = sorted(json.loads(line)["name"] for line in dumped.stdout.splitlines() if line)
    assert names == ["bus-stops", "employment-stats", "insured-employers"]
