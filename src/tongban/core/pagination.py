"""Keyset (cursor) pagination: stable pages over large tables with no COUNT(*)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)
MAX_PAGE_SIZE = 100


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("分页参数无效"), field="cursor") from None
    if not isinstance(values, list) or len(values) != width:
        raise ValidationFailed(_("分页参数无效"), field="cursor")
    return values


def keyset_page(
    queryset: QuerySet[M], *, order: tuple[str, ...], cursor: str | None, size: int
) -> Page[M]:
    """One page of ``queryset`` ordered by ``order`` (the last field must be unique).

    Fields may be prefixed with ``-`` for descending order, as in ``order_by``.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    names = [field.lstrip("-") for field in order]
    qs = queryset.order_by(*order)
    if cursor:
        qs = qs.filter(_after(order, _decode(cursor, len(order))))
    rows = list(qs[: size + 1])
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = _encode([getattr(last, name) for name in names])
    return Page(items, next_cursor)


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in lexicographic ``order``."""
    condition = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for prev_field, prev_value in zip(order[:i], values[:i], strict=False):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        condition |= step
    return condition


def next_url(request: Any, cursor: str | None) -> str | None:
    """The absolute URL of the next page: the same query with the new cursor."""
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return str(request.build_absolute_uri(f"{request.path}?{params.urlencode()}"))
