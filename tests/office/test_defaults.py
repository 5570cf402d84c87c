"""The office's starting configuration survives a flushed database and keeps what an
administrator changed."""

from __future__ import annotations

import pytest

from tongban.office.defaults import CLEARANCES, STEP_LIMITS
from tongban.office.models import RoleClearance, StepLimit
from tongban.office.services.defaults import office_defaults_ensure

pytestmark = pytest.mark.django_db


def test_missing_rows_come_back_and_changed_rows_stay():
    assert RoleClearance.objects.count() == len(CLEARANCES)  # seeded by the migration
    RoleClearance.objects.filter(role="leader").delete()
    StepLimit.objects.filter(process="office_outgoing", step="review").delete()
    StepLimit.objects.filter(step="countersign").update(working_days=5)

    assert office_defaults_ensure() == 2
    assert RoleClearance.objects.get(role="leader").level == CLEARANCES["leader"]
    assert StepLimit.objects.get(process="office_outgoing", step="review").working_days == 1
    assert StepLimit.objects.get(step="countersign").working_days == 5
    assert StepLimit.objects.count() == len(STEP_LIMITS)
    assert office_defaults_ensure() == 0
