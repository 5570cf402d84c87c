"""`tongban generate`: bulk cases, timelines, clocks, ratings, appeals and registry persons
that the rest of the platform reads as if they had been made one by one; the tamper-evident
logs stay untouched."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tongban.accounts.models import CitizenProfile
from tongban.cases import selectors
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services import case_number_next
from tongban.core.crypto import lookup_hash
from tongban.core.models import AuditEntry
from tongban.demo.generate import USERNAME_PREFIX, generate, lookup_samples
from tongban.exchange.models import MessageLog
from tongban.interaction.models import Appeal
from tongban.registries.models import SourceRecord
from tongban.supervision.models import Clock, Rating, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(demo_catalog):
    today = timezone.localdate()
    audited = AuditEntry.objects.count()
    made = generate(cases=600, days=40, seed=11, persons=30, appeals=25)
    return today, made, audited


def test_counts_match_the_rows_written(generated):
    _today, made, audited = generated
    cases = Case.objects.filter(applicant__username__startswith=USERNAME_PREFIX)
    assert cases.count() == made.cases == 600
    assert CaseEvent.objects.filter(case__in=cases).count() == made.events
    assert Clock.objects.count() == made.clocks
    assert Rating.objects.count() == made.ratings > 0
    assert Rectification.objects.count() == made.rectifications
    assert Rating.objects.filter(score__lte=2).count() == made.rectifications
    assert Appeal.objects.count() == made.appeals == 25
    assert CitizenProfile.objects.filter(user__username__startswith=USERNAME_PREFIX).count() == 30
    assert SourceRecord.objects.filter(source="gongan", source_id__startswith="gen-").count() == 30
    assert not MessageLog.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_each_case_is_consistent_with_its_timeline_and_clock(generated):
    today, _made, _audited = generated
    clocks = {c.case_id: c for c in Clock.objects.all()}
    events = Counter(CaseEvent.objects.values_list("case_id", "action"))
    statuses = Counter()
    for case in Case.objects.filter(applicant__username__startswith=USERNAME_PREFIX):
        statuses[case.status] += 1
        assert events[(case.pk, "submit")] == 1
        assert case.first_submitted_at is not None
        assert case.first_submitted_at.date() <= today
        if case.status in {"submitted", "not_accepted"}:
            assert case.pk not in clocks and case.accepted_at is None
            continue
        clock = clocks[case.pk]
        assert (clock.number, clock.item_code) == (case.number, case.item_code)
        assert events[(case.pk, "accept")] == 1
        if case.status == "completed":
            assert events[(case.pk, "complete")] == 1
            assert clock.stopped_at == case.completed_at
            assert clock.on_time == (clock.used_days <= case.promised_limit)
            assert case.result in {"approved", "denied"}
        else:
            assert clock.stopped_at is None and case.completed_at is None
    assert statuses["completed"] > statuses["in_review"] > 0


def test_applicants_find_their_cases_by_number_and_id(generated):
    samples = lookup_samples(20)
    assert len(samples) >= 10
    for number, id_number in samples:
        found = selectors.status_query(number=number, id_number=id_number)
        assert found.number == number
        case = Case.objects.get(number=number)
        assert case.applicant_id_hash == lookup_hash(id_number)
        assert case.applicant.citizen.id_number == id_number


def test_real_submissions_continue_after_the_generated_numbers(generated):
    today, _made, _audited = generated
    for day in (today, today - timedelta(days=7)):
        for division in set(Case.objects.values_list("division_code", flat=True)):
            number = case_number_next(division, day)
            assert not Case.objects.filter(number=number).exists()


def test_a_second_run_adds_new_people_and_cases(generated):
    _today, made, _audited = generated
    again = generate(cases=50, days=5, seed=12, persons=5, appeals=0)
    assert Case.objects.count() == made.cases + again.cases
    hashes = CitizenProfile.objects.values_list("id_number_hash", flat=True)
    assert len(set(hashes)) == len(hashes)
    assert len(set(Case.objects.values_list("number", flat=True))) == Case.objects.count()


def test_the_command_shows_progress_and_refuses_bad_numbers(demo_catalog):
    out = StringIO()
    call_command("generate", "--cases", "120", "--days", "10", "--no-figures", stdout=out)
    assert "120 件办件" in out.getvalue() and "done" in out.getvalue()
    assert Case.objects.count() == 120
    with pytest.raises(CommandError):
        call_command("generate", "--cases", "-5", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("generate", "--cases", "10", "--days", "0", stdout=StringIO())
    assert Case.objects.count() == 120


def test_nothing_is_generated_before_the_demo(db):
    with pytest.raises(ValueError, match="demo"):
        generate(cases=10)
    assert Case.objects.count() == 0
