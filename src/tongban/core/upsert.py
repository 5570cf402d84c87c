"""Idempotent writes for loaders and re-runnable imports."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


class Outcome(Enum):
    CREATED = "create"
    UPDATED = "update"
    UNCHANGED = "unchanged"


def upsert(
    model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, Outcome]:
    """Create the row found by ``lookup``, update it if ``values`` differ, else leave it.

    Callers audit only real changes, so running an import twice records nothing twice.
    """
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return existing, Outcome.UNCHANGED
    obj, created = model._default_manager.update_or_create(defaults=dict(values), **lookup)
    return obj, Outcome.CREATED if created else Outcome.UPDATED
