"""DCAT-AP 3 metadata: the catalog and dataset documents in Turtle and JSON-LD, validated
with pySHACL against the official DCAT-AP 3.0.0 shapes (tests/opendata/data/)."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from django.test import Client
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from tongban.opendata import dcat
from tongban.opendata.models import Dataset, Distribution, Group, Tag
from tongban.org.selectors import department_by_code, division_get

SHAPES_DIR = Path(__file__).parent / "data" / "dcat-ap-3.0.0"
BASE = "http://testserver"
# Plain namespaces (rdflib's defined ones warn when pytest inspects module attributes).
RDF, RDFS, XSD = Namespace(str(ns.RDF)), Namespace(str(ns.RDFS)), Namespace(str(ns.XSD))
DCAT, DCTERMS, FOAF = Namespace(str(ns.DCAT)), Namespace(str(ns.DCTERMS)), Namespace(str(ns.FOAF))
SKOS, SH = Namespace(str(ns.SKOS)), Namespace(str(ns.SH))
HYDRA, VCARD = Namespace(str(dcat.HYDRA)), Namespace(str(dcat.VCARD))
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The DCAT-AP 3.0.0 constraint shapes (cardinalities, node kinds, classes)."""
    return Graph().parse(SHAPES_DIR / "dcat-ap-SHACL.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes_with_ranges(shapes: Graph) -> Graph:
    """The shapes plus range.ttl, the class ranges of every property."""
    combined = Graph()
    for triple in shapes:
        combined.add(triple)
    combined.parse(SHAPES_DIR / "range.ttl", format="turtle")
    return combined


def _validate(data: Graph, shapes: Graph) -> tuple[bool, str, set[Any]]:
    """(conforms, text report, the paths of the violated constraints)."""
    conforms, results, report = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=True
    )
    assert isinstance(results, Graph)
    paths = {
        results.value(result, SH.resultPath)
        for result in results.subjects(SH.resultSeverity, SH.Violation)
    }
    return bool(conforms), str(report), paths


def assert_conforms(data: Graph, shapes: Graph) -> None:
    conforms, report, _paths = _validate(data, shapes)
    if not conforms:
        print(report)
    assert conforms, report
    assert "Violation" not in report


def _dataset(*, name: str, title: str, dept: str, access: str = "open",
             state: str = "active", license_id: str = "CC-BY-4.0", notes: str = "",
             temporal: bool = True, groups: list[Group] | None = None,
             tags: list[Tag] | None = None, formats: tuple[str, ...] = ("CSV", "JSON", "XLSX"),
             ) -> Dataset:  # fmt: skip
    department = department_by_code(division_code="420100", code=dept)
    assert department is not None
    dataset = Dataset.objects.create(
        name=name,
        title=title,
        notes=notes,
        resource_code=f"420100-{name}",
        organization=department,
        spatial=division_get("420100"),
        access=access,
        terms="仅用于研究，不得再分发" if access == "conditional" else "",
        license_id=license_id,
        frequency="MONTHLY",
        temporal_start=date(2020, 1, 1) if temporal else None,
        temporal_end=date(2025, 12, 31) if temporal else None,
        contact_name="数据开放专员",
        contact_email="open@wuhan.gov.cn",
        fields=[{"id": "stop", "label": "站点", "type": "string"}],
        state=state,
    )
    dataset.groups.set(groups or [])
    dataset.tags.set(tags or [])
    for number, fmt in enumerate(formats):
        Distribution.objects.create(
            id=uuid.uuid4(), dataset=dataset, format=fmt, size=1000 + number
        )
    return dataset


@pytest.fixture
def catalog(demo: Any) -> dict[str, Dataset]:
    transport = Group.objects.create(name="transport", title="交通出行", eu_theme="TRAN")
    economy = Group.objects.create(name="economy", title="经济发展", eu_theme="ECON")
    local = Group.objects.create(name="local", title="城市建设")
    bus, metro = Tag.objects.create(name="公交"), Tag.objects.create(name="地铁")
    return {
        "bus": _dataset(
            name="bus-stops", title="公交站点", dept="rsj", notes="武汉市公交站点及线路数。",
            groups=[transport, local], tags=[bus, metro],
        ),
        "jobs": _dataset(
            name="job-fairs", title="招聘会信息", dept="rsj", access="conditional",
            license_id="ODbL-1.0", temporal=False, groups=[economy], formats=("CSV",),
        ),
        "other": _dataset(
            name="other-licence", title="其他许可数据", dept="rsj", license_id="GOV-CN-1.0",
            formats=(),
        ),
        "withdrawn": _dataset(
            name="old-data", title="已撤回数据", dept="rsj", state="withdrawn"
        ),
        "draft": _dataset(name="draft-data", title="草稿数据", dept="rsj", state="draft"),
    }  # fmt: skip


def _get(path: str, **headers: Any) -> Any:
    return Client().get(path, **headers)


def _graph(response: Any, fmt: str) -> Graph:
    assert response.status_code == 200, response.content[:500]
    return Graph().parse(data=response.content.decode("utf-8"), format=fmt)


def _ds(name: str) -> URIRef:
    return URIRef(f"{BASE}/dataset/{name}")


# ----------------------------------------------------------------------- validation


def test_catalog_turtle_and_jsonld_conform_to_dcat_ap(catalog, shapes):
    ttl = _get("/catalog.ttl")
    assert ttl["Content-Type"] == "text/turtle; charset=utf-8"
    turtle = _graph(ttl, "turtle")
    assert_conforms(turtle, shapes)

    jsonld = _get("/catalog.jsonld")
    assert jsonld["Content-Type"] == "application/ld+json"
    assert "公交站点" in jsonld.content.decode("utf-8")  # UTF-8, not \\u escapes
    graph = _graph(jsonld, "json-ld")
    assert_conforms(graph, shapes)
    assert isomorphic(turtle, graph)


def test_catalog_conforms_with_the_range_shapes_too(catalog, shapes_with_ranges):
    assert_conforms(_graph(_get("/catalog.ttl"), "turtle"), shapes_with_ranges)


def test_dataset_documents_conform(catalog, shapes, shapes_with_ranges):
    for name in ("bus-stops", "job-fairs"):
        turtle = _graph(_get(f"/dataset/{name}.ttl"), "turtle")
        assert_conforms(turtle, shapes_with_ranges)
        response = _get(f"/dataset/{name}.jsonld")
        assert response["Content-Type"] == "application/ld+json"
        graph = _graph(response, "json-ld")
        assert_conforms(graph, shapes)
        assert isomorphic(turtle, graph)
        datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
        assert datasets == {_ds(name)}
        record = graph.value(predicate=FOAF.primaryTopic, object=_ds(name))
        assert (record, RDF.type, DCAT.CatalogRecord) in graph
        assert (URIRef(f"{BASE}/catalog"), DCAT.dataset, _ds(name)) in graph


def test_the_check_can_fail(catalog, shapes):
    """A dataset without its mandatory title, a distribution without its access URL or a
    byte size of the wrong datatype are reported as violations."""
    graph = _graph(_get("/dataset/bus-stops.ttl"), "turtle")
    assert _validate(graph, shapes)[0]

    no_title = Graph()
    for triple in graph:
        no_title.add(triple)
    no_title.remove((_ds("bus-stops"), DCTERMS.title, None))
    conforms, report, paths = _validate(no_title, shapes)
    assert not conforms and "Violation" in report
    assert paths == {DCTERMS.title}

    no_url = Graph()
    for triple in graph:
        no_url.add(triple)
    no_url.remove((None, DCAT.accessURL, None))
    conforms, _report, paths = _validate(no_url, shapes)
    assert not conforms and paths == {DCAT.accessURL}

    bad_size = Graph()
    for triple in graph:
        bad_size.add(triple)
    bad_size.remove((None, DCAT.byteSize, None))
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        bad_size.add((distribution, DCAT.byteSize, Literal("1 KB")))
    conforms, _report, paths = _validate(bad_size, shapes)
    assert not conforms and paths == {DCAT.byteSize}


# --------------------------------------------------------------------------- content


def test_catalog_lists_open_and_conditional_datasets_only_when_active(catalog):
    graph = _graph(_get("/catalog.ttl"), "turtle")
    catalog_iri = URIRef(f"{BASE}/catalog")
    listed = set(graph.objects(catalog_iri, DCAT.dataset))
    assert listed == {_ds("bus-stops"), _ds("job-fairs"), _ds("other-licence")}
    assert (catalog_iri, RDF.type, DCAT.Catalog) in graph
    assert graph.value(catalog_iri, DCTERMS.title) == Literal(dcat.CATALOG_TITLE, lang="zh")
    publisher = graph.value(catalog_iri, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph and graph.value(publisher, FOAF.name)
    assert graph.value(catalog_iri, DCTERMS.language) == URIRef(EU + "language/ZHO")
    assert graph.value(catalog_iri, FOAF.homepage) == URIRef(f"{BASE}/data/")


def test_dataset_properties(catalog):
    graph = _graph(_get("/dataset/bus-stops.ttl"), "turtle")
    ds = _ds("bus-stops")
    assert graph.value(ds, DCTERMS.identifier) == Literal("bus-stops")
    assert graph.value(ds, DCTERMS.title) == Literal("公交站点", lang="zh")
    assert graph.value(ds, DCTERMS.description) == Literal("武汉市公交站点及线路数。", lang="zh")
    publisher = graph.value(ds, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    department = catalog["bus"].organization
    name = f"{department.division.name}{department.name}"
    assert graph.value(publisher, FOAF.name) == Literal(name, lang="zh")
    assert publisher == URIRef(f"{BASE}/catalog#organization-420100-rsj")
    contact = graph.value(ds, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:open@wuhan.gov.cn")
    assert graph.value(contact, VCARD.fn) == Literal("数据开放专员", lang="zh")
    themes = set(graph.objects(ds, DCAT.theme))
    assert URIRef(EU + "data-theme/TRAN") in themes
    for theme in themes:
        assert (theme, RDF.type, SKOS.Concept) in graph
        assert graph.value(theme, SKOS.prefLabel) is not None
    assert {str(k) for k in graph.objects(ds, DCAT.keyword)} == {"公交", "地铁"}
    spatial = graph.value(ds, DCTERMS.spatial)
    assert (spatial, RDF.type, DCTERMS.Location) in graph
    period = graph.value(ds, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal("2020-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2025-12-31", datatype=XSD.date)
    assert graph.value(ds, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/MONTHLY")
    assert graph.value(ds, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    for prop in (DCTERMS.issued, DCTERMS.modified):
        value = graph.value(ds, prop)
        assert isinstance(value, Literal) and value.datatype == XSD.dateTime
    assert graph.value(ds, DCAT.landingPage) == URIRef(f"{BASE}/data/dataset/bus-stops/")

    distributions = {
        str(graph.value(d, DCTERMS["format"])).rsplit("/", 1)[1]: d
        for d in graph.objects(ds, DCAT.distribution)
    }
    assert set(distributions) == {"CSV", "JSON", "XLSX"}
    media = {
        "CSV": "text/csv",
        "JSON": "application/json",
        "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    for fmt, node in distributions.items():
        row = catalog["bus"].distributions.get(format=fmt)
        url = URIRef(f"{BASE}/data/download/{row.pk}/")
        assert graph.value(node, DCAT.accessURL) == url
        assert graph.value(node, DCAT.downloadURL) == url
        assert graph.value(node, DCAT.mediaType) == URIRef(
            f"http://www.iana.org/assignments/media-types/{media[fmt]}"
        )
        assert graph.value(node, DCTERMS.license) == URIRef(EU + "licence/CC_BY_4_0")
        size = graph.value(node, DCAT.byteSize)
        assert size == Literal(str(row.size), datatype=XSD.nonNegativeInteger)
        modified = graph.value(node, DCTERMS.modified)
        assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime


def test_conditional_dataset_is_restricted_with_its_terms(catalog):
    graph = _graph(_get("/dataset/job-fairs.ttl"), "turtle")
    ds = _ds("job-fairs")
    assert graph.value(ds, DCTERMS.accessRights) == URIRef(EU + "access-right/RESTRICTED")
    assert graph.value(ds, DCTERMS.temporal) is None
    assert graph.value(ds, DCTERMS.description) == Literal("招聘会信息", lang="zh")
    (distribution,) = graph.objects(ds, DCAT.distribution)
    assert graph.value(distribution, DCTERMS.license) == URIRef(EU + "licence/ODC_BL")
    terms = graph.value(distribution, DCTERMS.rights)
    assert "仅用于研究" in str(graph.value(terms, RDFS.label))


def test_unknown_withdrawn_and_draft_datasets_are_404(catalog):
    for name in ("no-such-dataset", "old-data", "draft-data"):
        for suffix in ("ttl", "jsonld"):
            assert _get(f"/dataset/{name}.{suffix}").status_code == 404
    pk = catalog["bus"].pk
    assert _get(f"/dataset/{pk}.ttl").status_code == 404  # names only, not ids


def test_catalog_pages_with_hydra_links(catalog, shapes):
    seen: list[Any] = []
    path = "/catalog.ttl?size=1"
    for _page in range(5):
        graph = _graph(_get(path), "turtle")
        if not seen:
            assert_conforms(graph, shapes)
        seen.extend(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))
        view = graph.value(URIRef(f"{BASE}/catalog"), HYDRA.view)
        following = graph.value(view, HYDRA.next)
        if following is None:
            break
        assert str(following).startswith(f"{BASE}/catalog.ttl?")
        path = str(following)[len(BASE) :]
    assert seen == [_ds("bus-stops"), _ds("job-fairs"), _ds("other-licence")]
    assert _get("/catalog.ttl?size=0").status_code == 422
    assert _get("/catalog.ttl?size=abc").status_code == 422
    assert _get("/catalog.jsonld?size=99999").status_code == 422


def test_iris_redirect_by_content_negotiation(catalog):
    response = _get("/dataset/bus-stops", HTTP_ACCEPT="text/turtle")
    assert response.status_code == 303 and response["Location"] == "/dataset/bus-stops.ttl"
    response = _get("/dataset/bus-stops", HTTP_ACCEPT="application/ld+json")
    assert response["Location"] == "/dataset/bus-stops.jsonld"
    response = _get("/dataset/bus-stops", HTTP_ACCEPT="text/html")
    assert response["Location"] == "/data/dataset/bus-stops/"
    assert _get("/catalog", HTTP_ACCEPT="text/turtle")["Location"] == "/catalog.ttl"
    assert _get("/catalog")["Location"] == "/data/"
    assert Client().post("/catalog.ttl").status_code == 405
    assert Client().head("/dataset/bus-stops.ttl").status_code == 200


def test_query_count_does_not_grow_with_datasets(catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert _get("/catalog.ttl").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_iris_use_the_live_server_host(live_server, shapes):
    from tongban.demo.loader import load_demo

    load_demo(
        progress=lambda _line: None,
        catalog=False,
        sample_cases=False,
        exchange=False,
        interaction=False,
        office=False,
    )
    _dataset(name="live-data", title="在线数据", dept="rsj", formats=("CSV",))
    with urllib.request.urlopen(f"{live_server.url}/catalog.ttl") as response:  # noqa: S310
        assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
        graph = Graph().parse(data=response.read().decode("utf-8"), format="turtle")
    assert_conforms(graph, shapes)
    ds = URIRef(f"{live_server.url}/dataset/live-data")
    assert (ds, RDF.type, DCAT.Dataset) in graph
    assert graph.value(ds, DCAT.landingPage) == URIRef(f"{live_server.url}/data/dataset/live-data/")
