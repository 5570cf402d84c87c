"""The licence library (电子证照库) as an in-platform source of the exchange gateway.

Registered under the name ``licences`` (``LicencesConfig.ready``); an exchange adapter of
kind ``platform`` with ``{"source": "licences"}`` serves it. What a consuming department
gets is decided by ``selectors.licences_for_consumer``: licences it issued itself, or that
the holder authorised it to use. Exchange data items are scalar, so the licence's data
items and its signed document travel as JSON text.
"""

from __future__ import annotations

import json
from typing import Any

from tongban.licences import selectors

SOURCE_NAME = "licences"
JSON_ITEMS = ("data", "signed_licence")


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def fetch(department_id: int, filters: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Rows keyed by the licence resource's data items, at most ``limit``; nothing without
    a holder (the gateway never lists a whole library)."""
    holder_code = _text(filters.get("holder_code"))
    if not holder_code or limit < 1:
        return []
    rows = selectors.licences_for_consumer(
        department_id=department_id,
        holder_code=holder_code,
        type_code=_text(filters.get("type_code")),
        identifier=_text(filters.get("identifier")),
    )
    return [_row(row, holder_code) for row in rows[:limit]]


def _row(row: dict[str, Any], holder_code: str) -> dict[str, Any]:
    out = dict(row)
    out["holder_code"] = holder_code.upper()
    for key in JSON_ITEMS:
        value = out.get(key)
        out[key] = (
            json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else None
        )
    return out
