"""The open data demo: at least 22 datasets of 武汉市's departments, a few conditional,
no personal data, loaded idempotently (a second run creates and audits nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyshacl
import pytest
from django.test import Client
from rdflib import Graph, URIRef

from tongban.core.models import AuditEntry
from tongban.demo.opendata_demo import SPECS, load_opendata
from tongban.exchange.selectors import resource_get, resource_items
from tongban.opendata import selectors
from tongban.opendata.models import Dataset, Record

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).parent / "data" / "dcat-ap-3.0.0"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")


def test_demo_open_data(demo: Any, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    lines: list[str] = []
    counts = load_opendata(lines.append)
    assert counts["datasets"] == len(SPECS) >= 22
    assert lines == [f"  open data: {len(SPECS)} datasets ({len(SPECS)} new)"]
    found = selectors.dataset_search(rows=100)
    assert found.count == len(SPECS)
    assert 2 <= found.facets["access"]["conditional"] <= 3
    assert len(found.facets["organization"]) >= 8
    assert len(selectors.groups()) == 8
    for dataset in Dataset.objects.all():
        rows = Record.objects.filter(dataset=dataset).count()
        assert 50 <= rows <= 500, dataset.name
        items = resource_items(resource_get(dataset.resource_code))
        assert all(i.sensitivity == "public" and i.mask == "none" for i in items)
        assert dataset.distributions.count() == 3
    assert selectors.dataset_search(q="公交").results[0].name == "wuhan-bus-lines"
    air = selectors.dataset_get("wuhan-air-quality-daily")
    total, rows = selectors.records_search(air, filters={"station": "汉口花桥"}, limit=5)
    assert total == 40 and isinstance(rows[0]["aqi"], int)

    audits = AuditEntry.objects.count()
    records = Record.objects.count()
    again: list[str] = []
    assert load_opendata(again.append)["created"] == 0
    assert again == [f"  open data: {len(SPECS)} datasets (0 new)"]
    assert AuditEntry.objects.count() == audits
    assert Record.objects.count() == records


def test_demo_catalog_conforms_to_dcat_ap(demo: Any, settings: Any, tmp_path: Path) -> None:
    """The acceptance check on the real demo data: the whole catalog, in Turtle, has no
    DCAT-AP 3.0.0 violations (pySHACL with the official shapes and ranges)."""
    settings.VAR_DIR = tmp_path
    load_opendata(lambda _line: None)
    response = Client().get("/catalog.ttl?size=500")
    assert response.status_code == 200
    data = Graph().parse(data=response.content.decode("utf-8"), format="turtle")
    shapes = Graph()
    for name in ("dcat-ap-SHACL.ttl", "range.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    conforms, _results, report = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True
    )
    assert conforms, report
    assert len(set(data.subjects(RDF_TYPE, DCAT_DATASET))) == len(SPECS)
