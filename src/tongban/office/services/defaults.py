"""Restore the office's starting configuration (role clearances, step time limits) where
rows are missing; rows an administrator changed are left as they are."""

from __future__ import annotations

from django.db import transaction

from tongban.office.defaults import CLEARANCES, STEP_LIMITS
from tongban.office.models import RoleClearance, StepLimit


@transaction.atomic
def office_defaults_ensure() -> int:
    """Create the missing default rows; returns how many were created."""
    created = 0
    for role, level in CLEARANCES.items():
        _clearance, made = RoleClearance.objects.get_or_create(role=role, defaults={"level": level})
        created += made
    for process, step, days, warn in STEP_LIMITS:
        _limit, made = StepLimit.objects.get_or_create(
            process=process, step=step, defaults={"working_days": days, "warn_days": warn}
        )
        created += made
    return created
