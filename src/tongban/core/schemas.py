"""API schemas shared by every router: the one error shape."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every API error: a stable code, a Chinese message, and the field at fault if any."""

    code: str
    message: str
    field: str | None = None


def errors(*statuses: int) -> dict[int, Any]:
    """Response declarations for the error statuses an operation can answer with."""
    return dict.fromkeys(statuses, ErrorOut)
