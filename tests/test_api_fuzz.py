"""Schemathesis against /api/openapi.json: no 5xx and every response as the schema declares.

The schema is read from the running app (the WSGI application, in process) and every operation
is fuzzed a bounded number of times with a fixed seed, once as a citizen and, when it is
protected, once more as a staff member whose role fits the operation's domain, so both the
refusals and the permitted paths run.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterator

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from pydantic import BaseModel
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import tongban.api  # noqa: F401 - defines every router's schemas
from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.loader import load_demo

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Bounded for CI (the suite runs on SQLite and on PostgreSQL): the coverage phase's boundary
# and wrong-type cases plus a handful of random ones per operation, always the same ones.
# Not run: the stateful phase (it chains hundreds of calls) and the coverage phase's calls
# with methods an operation lacks (they serve a check, unsupported_method, left out here).
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 9,
        "generation": {"max-examples": 5, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"unexpected-methods": []}, "stateful": {"enabled": False}},
    }
)

CITIZEN = "zhangsan"
# The staff member who may act in each domain (OpenAPI tag), so protected operations run
# past their permission checks instead of stopping at 403.
STAFF_BY_TAG = {
    "统一身份认证": "admin",
    "流程与待办": "scjg",
    "电子监察": "jiancha",
    "共享交换": "shuju",
    "基础库": "shuju",
    "电子证照": "scjg-head",
    "政民互动": "paidan",
    "知识库与智能问答": "scjg",
    "征求意见与民意调查": "scjg-head",
    "政务公开": "scjg-head",
    "决策支持": "lingdao",
    # Drafts documents and publishes notices, arranges meetings, assigns work items and
    # raises requests from the cases of 武汉市市场监督管理局.
    "协同办公": "scjg-head",
}
DEFAULT_STAFF = "chuangkou"

# Random ids almost never name a row; the random (fuzzing phase) valid cases address these
# demo objects instead, so detail and action operations also answer 200 and their response
# schemas get checked. Keyed by the path up to the parameter: (model, field).
OBJECTS = {
    "/api/v1/citizens/{user_id}": ("accounts.CitizenProfile", "user_id"),
    "/api/v1/divisions/{code}": ("org.Division", "code"),
    "/api/v1/services/{code}": ("catalog.ServiceItem", "code"),
    "/api/v1/tasks/{task_id}": ("workflow.HumanTask", "pk"),
    "/api/v1/supervision/clocks/{case_id}": ("cases.Case", "pk"),
    "/api/v1/applications/{case_id}": ("cases.Case", "pk"),
    "/api/v1/applications/{case_id}/materials/{material_id}": ("cases.CaseMaterial", "pk"),
    "/api/v1/appointments/{appointment_id}": ("cases.Appointment", "pk"),
    "/api/v1/notifications/{notification_id}": ("notify.Notification", "pk"),
    "/api/v1/supervision/rectifications/{rectification_id}": ("supervision.Rectification", "pk"),
    "/api/v1/licences/{licence_id}": ("licences.Licence", "pk"),
    "/api/v1/licences/consents/{consent_id}": ("licences.Consent", "pk"),
    "/api/v1/appeals/{number}": ("interaction.Appeal", "number"),
    "/api/v1/knowledge/{entry_id}": ("knowledge.Entry", "pk"),
    "/api/v1/solicitations/{solicitation_id}": ("participation.Solicitation", "pk"),
    "/api/v1/comments/{comment_id}": ("participation.Comment", "pk"),
    "/api/v1/surveys/{survey_id}": ("participation.Survey", "pk"),
    "/api/v1/disclosure/publications/{publication_id}": ("disclosure.Publication", "pk"),
    "/api/v1/disclosure/requests/{request_id}": ("disclosure.InfoRequest", "pk"),
    "/api/v1/registries/conflicts/{conflict_id}": ("registries.Conflict", "pk"),
    "/api/v1/registries/persons/{registry_id}": ("registries.Entity", "registry_id"),
    "/api/v1/registries/legal-persons/{registry_id}": ("registries.Entity", "registry_id"),
    "/api/v1/documents/{document_id}": ("office.Document", "pk"),
    "/api/v1/documents/{document_id}/attachments/{attachment_id}": ("office.Attachment", "pk"),
    "/api/v1/receipts/{receipt_id}": ("office.Receipt", "pk"),
    "/api/v1/work-items/{item_id}": ("office.WorkItem", "pk"),
    "/api/v1/notices/{notice_id}": ("office.Notice", "pk"),
    "/api/v1/groups/{group_id}": ("office.Group", "pk"),
    "/api/v1/groups/{group_id}/files/{message_id}": ("office.Message", "pk"),
    "/api/v1/meetings/{meeting_id}": ("office.Meeting", "pk"),
    "/api/v1/internal-requests/{request_id}": ("office.InternalRequest", "pk"),
}

# Loading the schema needs no database: the document is built from the routers.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=CONFIG)


class World:
    """The demo province as the fuzzer sees it: a bearer header per user, object keys."""

    def __init__(self) -> None:
        self.headers = {
            username: {"Authorization": f"Bearer {token(username)}"}
            for username in {CITIZEN, DEFAULT_STAFF, *STAFF_BY_TAG.values()}
        }
        self.keys = {
            prefix: list(
                apps.get_model(label).objects.order_by("pk").values_list(field, flat=True)[:50]
            )
            for prefix, (label, field) in OBJECTS.items()
        }

    def address_real_objects(self, case: schemathesis.Case) -> None:
        """Swap the generated ids of a valid random case for existing objects' keys (the
        generated value picks which one, so the choice stays reproducible)."""
        meta = case.meta
        if (
            meta is None
            or meta.phase.name != TestPhase.FUZZING
            or meta.generation.mode != schemathesis.GenerationMode.POSITIVE
        ):
            return
        for name, value in (case.path_parameters or {}).items():
            prefix = case.operation.path.split("{" + name + "}")[0] + "{" + name + "}"
            if keys := self.keys.get(prefix):
                case.path_parameters[name] = keys[zlib.crc32(str(value).encode()) % len(keys)]


def token(username: str) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The demo province with its sample cases, appeals and publications, loaded once for
    all operations; each operation's test runs in a savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(progress=lambda _line: None, exchange=False, opendata=False, analytics=False)
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def wsgi_requests(db) -> Iterator[None]:
    """Requests go through the real WSGI handler; like Django's test client, keep it from
    closing the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


def callers(case: schemathesis.Case) -> tuple[str, ...]:
    """A citizen, and for a protected operation also the staff member of its domain."""
    if not case.operation.definition.raw.get("security"):
        return (CITIZEN,)
    tags = case.operation.tags or []
    staff = next((STAFF_BY_TAG[tag] for tag in tags if tag in STAFF_BY_TAG), DEFAULT_STAFF)
    return (CITIZEN, staff)


@schema.parametrize()
@settings(
    deadline=None,
    # The fixtures hold the database state every example of one operation shares.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_answers_as_documented(case, world, wsgi_requests):
    world.address_real_objects(case)
    for username in callers(case):
        case.call_and_validate(headers=world.headers[username], checks=CHECKS)


def test_schema_class_names_are_unique():
    """The document names a schema by its class name alone: two routers' classes of one name
    would share one definition, documenting one of them wrongly (the fuzzer then sends it
    the other's bodies and checks its answers against the other's shape)."""
    modules: defaultdict[str, set[str]] = defaultdict(set)
    for model in subclasses(BaseModel):
        if model.__module__.startswith("tongban."):
            modules[model.__name__].add(model.__module__)
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}


def subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)
