"""Fixtures of the reliability tests: the demo province with its catalog, cases made and
accepted through the services, and a worker process on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongban.cases import services as cases
from tongban.cases.events import CaseAccepted, CaseSubmitted
from tongban.cases.models import Case
from tongban.catalog import selectors as catalog
from tongban.demo.cases_demo import SAMPLE_PDF, sample_form
from tongban.notify.models import Notification
from tongban.supervision.models import Clock
from tongban.workflow import services as workflow
from tongban.workflow.models import HumanTask, HumanTaskStatus

OPEN_TASK = (HumanTaskStatus.OPEN, HumanTaskStatus.CLAIMED)
BUNDLE = "kaiban-canyindian"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(demo_catalog):
    """The restaurant bundle needs the service catalog."""
    return demo_catalog


def user(username: str):
    return get_user_model().objects.get(username=username)


def restaurant_form() -> dict[str, Any]:
    """A valid form of the 开办餐饮店 bundle (the one the demo's sample cases use)."""
    return sample_form(catalog.bundle_get(BUNDLE).form_schema)


def draft_case(applicant) -> Case:
    """A restaurant-bundle draft of ``applicant`` with every required material."""
    case, _created = cases.case_create(user=applicant, bundle=BUNDLE, form=restaurant_form())
    for name, required in cases.required_material_names(case):
        if required:
            upload = SimpleUploadedFile("material.pdf", SAMPLE_PDF, content_type="application/pdf")
            cases.case_material_add(user=applicant, case_id=case.pk, name=name, upload=upload)
    return case


def submitted_case(applicant) -> Case:
    return cases.case_submit(user=applicant, case_id=draft_case(applicant).pk)


def open_tasks(case: Case) -> list[HumanTask]:
    return list(
        HumanTask.objects.filter(
            instance_id=case.process_instance_id, status__in=OPEN_TASK
        ).order_by("id")
    )


def accept(case: Case, clerk) -> None:
    """The window clerk accepts the case at intake (综合窗口受理)."""
    (task,) = open_tasks(case)
    workflow.task_complete(task_id=task.pk, user=clerk, decision="approve")


def wait_until(condition: Callable[[], object], *, what: str, timeout: float = 90.0) -> None:
    """Poll ``condition`` until it holds; a generous bound, not a timed assertion."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.01)


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += f":{quote(db['PASSWORD'])}"
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# The worker's sessions carry this application name (libpq reads PGAPPNAME), so that the
# tests wait for them alone: earlier tests of the suite may leave idle sessions behind.
WORKER_APPLICATION = "tongban-test-worker"


def other_backends() -> int:
    """The worker's PostgreSQL sessions on the test database (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [WORKER_APPLICATION],
        )
        return int(cursor.fetchone()[0])


class Worker:
    """``tongban worker`` processes on the test database, one at a time, as an operator
    runs them: started, killed with SIGKILL, restarted, stopped with SIGTERM."""

    def __init__(self, directory: Path):
        self.mailbox = directory / "mailbox.jsonl"
        self.log = directory / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
            "DATABASE_URL": database_url(),
            "TONGBAN_VAR_DIR": str(settings.VAR_DIR),  # the same keys as this process
            "TONGBAN_TEST_MAILBOX": str(self.mailbox),
            "PGAPPNAME": WORKER_APPLICATION,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }

    def start(self) -> None:
        assert self.process is None, "one worker at a time"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tongban.cli", "worker", "--idle-sleep", "0.1"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self, *, session_ends: bool = True) -> None:
        """SIGKILL: no clean-up in the worker; then (unless told not to) wait until its
        database session is gone, so that what it left uncommitted has been rolled back."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)
        self.process = None
        if session_ends:
            wait_until(lambda: other_backends() == 0, what="the killed worker's session to end")

    def stop(self) -> None:
        """SIGTERM: the worker finishes its pass and exits cleanly."""
        assert self.process is not None
        self.process.terminate()
        code = self.process.wait(timeout=60)
        self.process = None
        assert code == 0, self.log_tail()
        wait_until(lambda: other_backends() == 0, what="the stopped worker's session to end")

    def close(self) -> None:
        if self.process is not None:
            self.kill()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[Worker]:
    """A worker on the test database; the data it must see is committed (transactional)."""
    handle = Worker(tmp_path)
    try:
        yield handle
    finally:
        handle.close()


def assert_case_effects_once(made: list[Case], applicant: Any) -> None:
    """One supervision clock per accepted case, and the applicant told once of each case's
    submission and acceptance."""
    ids = sorted(case.pk for case in made)
    assert sorted(Clock.objects.values_list("case_id", flat=True)) == ids
    told = Counter(Notification.objects.filter(recipient=applicant).values_list("link", "topic"))
    assert told == {
        (f"/my/cases/{case_id}/", topic): 1
        for case_id in ids
        for topic in (CaseSubmitted.topic, CaseAccepted.topic)
    }
