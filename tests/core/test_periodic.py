"""Periodic jobs: atomic jobs run in one transaction with their schedule; batch jobs
(syncs, backfills) are claimed by one worker and commit their own batches, so that they
never hold the database for their whole run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tongban.core import periodic
from tongban.core.models import PeriodicJobState
from tongban.core.services import periodic_run_due

pytestmark = pytest.mark.django_db(transaction=True)

seen: list[bool] = []


@pytest.fixture
def only(monkeypatch):
    """Run only the given jobs (the registry is process-wide)."""

    def _only(*jobs: periodic.PeriodicJob) -> None:
        monkeypatch.setattr(periodic, "_jobs", {job.name: job for job in jobs})

    seen.clear()
    return _only


def _batch() -> None:
    seen.append(connection.in_atomic_block)
    with transaction.atomic():
        PeriodicJobState.objects.create(name=f"batch-{len(seen)}")
    raise RuntimeError("the source went away after one batch")


def _atomic() -> None:
    seen.append(connection.in_atomic_block)
    PeriodicJobState.objects.create(name="atomic-write")
    raise RuntimeError("failed after a write")


def test_a_batch_job_runs_outside_a_transaction_and_keeps_its_batches(only):
    only(periodic.PeriodicJob("test.batch", 60, _batch, atomic=False))
    now = timezone.now()
    assert periodic_run_due(now=now) == ["test.batch"]
    assert seen == [False]
    assert PeriodicJobState.objects.filter(name="batch-1").exists()
    state = PeriodicJobState.objects.get(name="test.batch")
    assert state.last_run_at == now and "went away" in state.last_error


def test_a_batch_job_runs_once_per_interval_whoever_asks(only):
    only(periodic.PeriodicJob("test.batch", 60, _batch, atomic=False))
    now = timezone.now()
    assert periodic_run_due(now=now) == ["test.batch"]
    assert periodic_run_due(now=now + timedelta(seconds=30)) == []  # another worker
    assert periodic_run_due(now=now + timedelta(seconds=61)) == ["test.batch"]
    assert len(seen) == 2


def test_an_atomic_job_that_fails_leaves_nothing(only):
    only(periodic.PeriodicJob("test.atomic", 60, _atomic))
    assert periodic_run_due() == ["test.atomic"]
    assert seen == [True]
    assert not PeriodicJobState.objects.filter(name="atomic-write").exists()
    assert "failed after a write" in PeriodicJobState.objects.get(name="test.atomic").last_error


def test_long_jobs_are_batch_jobs():
    batch = {job.name for job in periodic.jobs() if not job.atomic}
    assert {"registries.sync", "analytics.refresh", "analytics.monthly_reports"} <= batch
    assert "supervision.sweep" not in batch
