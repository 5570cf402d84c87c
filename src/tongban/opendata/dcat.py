"""DCAT-AP 3.0.0 metadata of the open data catalog (开放数据目录) as RDF graphs.

A read-only, selectors-level module: it turns active datasets into a ``dcat:Catalog`` with
its ``dcat:Dataset``, ``dcat:Distribution`` and ``dcat:CatalogRecord`` nodes, serialised as
Turtle or JSON-LD by the views. Every node that a DCAT-AP property points to is typed with
the class the DCAT-AP 3.0.0 SHACL shapes expect (``sh:class`` is checked without
inference), controlled vocabularies use the EU authority tables, and every IRI is absolute,
built from the site's base URL.

Metadata values are data in the catalog's language (Chinese, tagged ``@zh``), not
interface text, so they are not translated with the user's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from tongban.core.errors import NotFound
from tongban.opendata import selectors
from tongban.opendata.models import Dataset, DatasetState, Distribution
from tongban.org.selectors import division_root

ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"
EU_THEME = Namespace(EU + "data-theme/")
EU_FREQUENCY = Namespace(EU + "frequency/")
EU_FILE_TYPE = Namespace(EU + "file-type/")
EU_LICENCE = Namespace(EU + "licence/")
EU_ACCESS = Namespace(EU + "access-right/")
EU_LANGUAGE = Namespace(EU + "language/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
DCAT_AP_3 = URIRef("http://data.europa.eu/r5r/")

# Datasets per catalog page; harvesters follow hydra:next to the following pages.
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

ZH = "zh"
CATALOG_TITLE = "一网通办开放数据目录"
CATALOG_DESCRIPTION = (
    "各级政府部门依法开放的数据集（无条件开放与有条件开放），兼容 CKAN 接口与 DCAT-AP 元数据。"
)

# The EU data themes (http://publications.europa.eu/resource/authority/data-theme) with
# their English labels and Chinese ones, for Group.eu_theme.
EU_THEMES: dict[str, tuple[str, str]] = {
    "AGRI": ("Agriculture, fisheries, forestry and food", "农业、渔业、林业和食品"),
    "ECON": ("Economy and finance", "经济和金融"),
    "EDUC": ("Education, culture and sport", "教育、文化和体育"),
    "ENER": ("Energy", "能源"),
    "ENVI": ("Environment", "环境"),
    "GOVE": ("Government and public sector", "政府和公共部门"),
    "HEAL": ("Health", "卫生健康"),
    "INTR": ("International issues", "国际事务"),
    "JUST": ("Justice, legal system and public safety", "司法、法律制度和公共安全"),
    "OP_DATPRO": ("Provisional data", "临时数据"),
    "REGI": ("Regions and cities", "地区和城市"),
    "SOCI": ("Population and society", "人口和社会"),
    "TECH": ("Science and technology", "科学和技术"),
    "TRAN": ("Transport", "交通运输"),
}
# Dataset.license_id (CKAN's licence ids) -> the EU licence authority table.
LICENCES: dict[str, str] = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC0-1.0": "CC0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "ODC-BY-1.0": "ODC_BY",
    "ODbL-1.0": "ODC_BL",
}
# Distribution.format -> (EU file type, IANA media type).
FORMATS: dict[str, tuple[str, str]] = {
    "CSV": ("CSV", "text/csv"),
    "JSON": ("JSON", "application/json"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# JSON-LD context: prefixes only, so the document stays plain RDF that any JSON-LD
# processor expands to exactly the Turtle graph.
JSONLD_CONTEXT: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "adms": str(ADMS),
    "hydra": str(HYDRA),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


@dataclass(frozen=True)
class CatalogPage:
    """One page of the catalog graph and the name to continue after (None: last page)."""

    graph: Graph
    next_after: str | None


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in JSONLD_CONTEXT.items():
        graph.bind(prefix, namespace)
    return graph


# ----------------------------------------------------------------------------- IRIs


class Iris:
    """The IRIs of one site's catalog, built from its absolute base URL."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def url(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    @property
    def catalog(self) -> URIRef:
        return self.url("/catalog")

    def fragment(self, name: str) -> URIRef:
        return URIRef(f"{self.catalog}#{quote(name, safe='-_.')}")

    def dataset(self, name: str) -> URIRef:
        return self.url(f"/dataset/{quote(name, safe='-_.')}")

    def in_dataset(self, name: str, part: str) -> URIRef:
        return URIRef(f"{self.dataset(name)}#{part}")

    def landing_page(self, name: str) -> URIRef:
        return self.url(reverse("opendata:dataset", args=[name]))

    def download(self, distribution: Distribution) -> URIRef:
        return self.url(f"/data/download/{distribution.pk}/")


# ------------------------------------------------------------------------- building


def _datetime(value: datetime) -> Literal:
    return Literal(timezone.localtime(value).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _zh(text: str) -> Literal:
    return Literal(text, lang=ZH)


def _add_publisher(graph: Graph, iris: Iris) -> URIRef:
    """The catalog's publisher: the government of the deployment's root division."""
    configured = getattr(settings, "TONGBAN_OPENDATA_PUBLISHER", "")
    root = division_root()
    name = configured or (f"{root.name}人民政府" if root else CATALOG_TITLE)
    agent = iris.fragment("publisher")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, _zh(name)))
    return agent


def _add_catalog(graph: Graph, iris: Iris, modified: datetime | None) -> URIRef:
    catalog = iris.catalog
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, _zh(CATALOG_TITLE)))
    graph.add((catalog, DCTERMS.description, _zh(CATALOG_DESCRIPTION)))
    graph.add((catalog, DCTERMS.publisher, _add_publisher(graph, iris)))
    homepage = iris.url("/data/")
    graph.add((catalog, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    language = EU_LANGUAGE.ZHO
    graph.add((catalog, DCTERMS.language, language))
    graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    if modified is not None:
        graph.add((catalog, DCTERMS.modified, _datetime(modified)))
    eu_themes = URIRef(EU + "data-theme")
    graph.add((catalog, DCAT.themeTaxonomy, eu_themes))
    graph.add((eu_themes, RDF.type, SKOS.ConceptScheme))
    graph.add((eu_themes, DCTERMS.title, Literal("Data theme", lang="en")))
    local_themes = iris.fragment("themes")
    graph.add((catalog, DCAT.themeTaxonomy, local_themes))
    graph.add((local_themes, RDF.type, SKOS.ConceptScheme))
    graph.add((local_themes, DCTERMS.title, _zh("开放数据主题")))
    return catalog


def _add_agent(graph: Graph, iris: Iris, department: Any) -> URIRef:
    agent = iris.fragment(f"organization-{selectors.organization_name(department)}")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, _zh(f"{department.division.name}{department.name}")))
    return agent


def _add_location(graph: Graph, iris: Iris, division: Any) -> URIRef:
    location = iris.fragment(f"division-{division.code}")
    graph.add((location, RDF.type, DCTERMS.Location))
    graph.add((location, SKOS.prefLabel, _zh(division.name)))
    graph.add((location, DCTERMS.identifier, Literal(division.code)))
    return location


def _add_themes(graph: Graph, iris: Iris, dataset_node: URIRef, dataset: Dataset) -> None:
    for group in dataset.groups.all():
        local = iris.fragment(f"group-{group.name}")
        graph.add((dataset_node, DCAT.theme, local))
        graph.add((local, RDF.type, SKOS.Concept))
        graph.add((local, SKOS.prefLabel, _zh(group.title)))
        graph.add((local, SKOS.inScheme, iris.fragment("themes")))
        code = group.eu_theme.strip().upper()
        if code in EU_THEMES:
            english, chinese = EU_THEMES[code]
            theme = EU_THEME[code]
            graph.add((dataset_node, DCAT.theme, theme))
            graph.add((theme, RDF.type, SKOS.Concept))
            graph.add((theme, SKOS.prefLabel, Literal(english, lang="en")))
            graph.add((theme, SKOS.prefLabel, _zh(chinese)))
            graph.add((theme, SKOS.inScheme, URIRef(EU + "data-theme")))
            graph.add((local, SKOS.broadMatch, theme))


def licence_iri(iris: Iris, license_id: str) -> URIRef:
    """The EU licence IRI of a CKAN licence id (a catalog-local one for others)."""
    code = LICENCES.get(license_id)
    return EU_LICENCE[code] if code else iris.fragment(f"licence-{license_id}")


def _add_distribution(
    graph: Graph, iris: Iris, dataset: Dataset, distribution: Distribution, licence: URIRef
) -> URIRef:
    node = iris.in_dataset(dataset.name, f"distribution-{distribution.pk}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.identifier, Literal(str(distribution.pk))))
    graph.add((node, DCTERMS.title, _zh(f"{dataset.title}（{distribution.format}）")))
    url = iris.download(distribution)
    graph.add((url, RDF.type, RDFS.Resource))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    file_type, media_type = FORMATS.get(distribution.format, (distribution.format, ""))
    fmt = EU_FILE_TYPE[file_type]
    graph.add((node, DCTERMS.format, fmt))
    graph.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
    if media_type:
        media = IANA[media_type]
        graph.add((node, DCAT.mediaType, media))
        graph.add((media, RDF.type, DCTERMS.MediaType))
    graph.add((node, DCTERMS.license, licence))
    graph.add(
        (node, DCAT.byteSize, Literal(str(int(distribution.size)), datatype=XSD.nonNegativeInteger))
    )
    graph.add((node, DCTERMS.modified, _datetime(distribution.modified)))
    if dataset.access == "conditional" and dataset.terms.strip():
        terms = iris.in_dataset(dataset.name, "terms")
        graph.add((node, DCTERMS.rights, terms))
        graph.add((terms, RDF.type, DCTERMS.RightsStatement))
        graph.add((terms, RDFS.label, _zh(dataset.terms.strip())))
    return node


def _add_dataset(graph: Graph, iris: Iris, catalog: URIRef, dataset: Dataset) -> URIRef:
    node = iris.dataset(dataset.name)
    graph.add((catalog, DCAT.dataset, node))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.name)))
    graph.add((node, DCTERMS.title, _zh(dataset.title)))
    graph.add((node, DCTERMS.description, _zh(dataset.notes.strip() or dataset.title)))
    graph.add((node, DCTERMS.publisher, _add_agent(graph, iris, dataset.organization)))

    code = iris.in_dataset(dataset.name, "resource-code")
    graph.add((node, ADMS.identifier, code))
    graph.add((code, RDF.type, ADMS.Identifier))
    graph.add((code, SKOS.notation, Literal(dataset.resource_code)))

    contact = iris.in_dataset(dataset.name, "contact")
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, _zh(dataset.contact_name)))
    if dataset.contact_email:
        email = URIRef("mailto:" + quote(dataset.contact_email, safe="@.+-_"))
        graph.add((contact, VCARD.hasEmail, email))

    _add_themes(graph, iris, node, dataset)
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, _zh(tag.name)))
    graph.add((node, DCTERMS.spatial, _add_location(graph, iris, dataset.spatial)))
    if dataset.temporal_start or dataset.temporal_end:
        period = iris.in_dataset(dataset.name, "temporal")
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, _date(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, _date(dataset.temporal_end)))
    frequency = EU_FREQUENCY[dataset.frequency]
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    access = EU_ACCESS.PUBLIC if dataset.access == "open" else EU_ACCESS.RESTRICTED
    graph.add((node, DCTERMS.accessRights, access))
    graph.add((access, RDF.type, DCTERMS.RightsStatement))
    graph.add((node, DCTERMS.issued, _datetime(dataset.issued or dataset.created)))
    graph.add((node, DCTERMS.modified, _datetime(dataset.modified)))
    landing = iris.landing_page(dataset.name)
    graph.add((node, DCAT.landingPage, landing))
    graph.add((landing, RDF.type, FOAF.Document))

    licence = licence_iri(iris, dataset.license_id)
    for distribution in dataset.distributions.all():
        part = _add_distribution(graph, iris, dataset, distribution, licence)
        graph.add((node, DCAT.distribution, part))
        graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
        if dataset.license_id not in LICENCES:
            graph.add((licence, RDFS.label, Literal(dataset.license_id)))

    # The catalog record: when this entry was listed and last changed, and its profile.
    record = iris.in_dataset(dataset.name, "record")
    graph.add((catalog, DCAT.record, record))
    graph.add((record, RDF.type, DCAT.CatalogRecord))
    graph.add((record, FOAF.primaryTopic, node))
    # dcat:Dataset is a subclass of dcat:Resource; stated so that validators which do
    # not read the DCAT ontology see the primary topic's class.
    graph.add((node, RDF.type, DCAT.Resource))
    graph.add((record, DCTERMS.issued, _datetime(dataset.issued or dataset.created)))
    graph.add((record, DCTERMS.modified, _datetime(dataset.modified)))
    graph.add((record, DCTERMS.conformsTo, DCAT_AP_3))
    graph.add((DCAT_AP_3, RDF.type, DCTERMS.Standard))
    return node


def _active() -> QuerySet[Dataset]:
    """Active datasets, open and conditional alike: their metadata is public."""
    return (
        Dataset.objects.filter(state=DatasetState.ACTIVE)
        .select_related("organization__division", "spatial")
        .prefetch_related("groups", "tags", "distributions")
        .order_by("name")
    )


def _catalog_modified() -> datetime | None:
    value = Dataset.objects.filter(state=DatasetState.ACTIVE).aggregate(m=Max("modified"))["m"]
    return value if isinstance(value, datetime) else None


def catalog_graph(
    base: str, *, after: str = "", size: int = PAGE_SIZE, suffix: str = "ttl"
) -> CatalogPage:
    """A page of the whole catalog: at most ``size`` active datasets whose names sort
    after ``after`` (keyset pagination), with hydra paging links to the next page."""
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    iris = Iris(base)
    graph = new_graph()
    catalog = _add_catalog(graph, iris, _catalog_modified())
    qs = _active()
    if after:
        qs = qs.filter(name__gt=str(after)[:100])
    datasets = list(qs[: size + 1])
    more = len(datasets) > size
    datasets = datasets[:size]
    for dataset in datasets:
        _add_dataset(graph, iris, catalog, dataset)
    next_after = datasets[-1].name if more and datasets else None
    if after or next_after:
        _add_paging(graph, iris, next_after=next_after, size=size, suffix=suffix)
    return CatalogPage(graph, next_after)


def _page_iri(iris: Iris, suffix: str, **params: str | int) -> URIRef:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return iris.url(f"/catalog.{suffix}" + (f"?{query}" if query else ""))


def _add_paging(
    graph: Graph, iris: Iris, *, next_after: str | None, size: int, suffix: str
) -> None:
    """Hydra paging of the catalog (as ckanext-dcat does), so harvesters page through."""
    view = BNode()
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, _page_iri(iris, suffix, size=size)))
    if next_after:
        graph.add((view, HYDRA.next, _page_iri(iris, suffix, after=next_after, size=size)))
    graph.add((iris.catalog, HYDRA.view, view))


def dataset_graph(base: str, name: str) -> Graph:
    """One active dataset (open or conditional) with its distributions, its catalog
    record and the catalog that lists it. Raises NotFound for unknown, draft or
    withdrawn datasets."""
    found = selectors.dataset_get(name)
    if found.name != name:  # dataset_get also takes ids; the IRI is by name only
        raise NotFound(_("数据集不存在或已撤回"), field="name")
    dataset = _active().get(pk=found.pk)
    iris = Iris(base)
    graph = new_graph()
    catalog = _add_catalog(graph, iris, None)
    _add_dataset(graph, iris, catalog, dataset)
    return graph


def to_turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def to_jsonld(graph: Graph) -> bytes:
    text = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    # Re-dump so that Chinese text is written as UTF-8, not \\u escapes.
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2).encode("utf-8")
