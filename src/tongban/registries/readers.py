"""Where registry sources come from: a small registry of ``SourceReader`` objects.

A reader yields one dict per source row, keyed by the canonical attribute names of
``normalise.ATTRIBUTES`` plus ``source_id``. The production reader will ask the exchange
gateway's internal query service (every read logged and signed there); until that is
wired, ``CallableReader`` takes rows from any callable (tests, a loader script).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class SourceReader(Protocol):
    """Reads one department source of one kind (person or legal)."""

    source: str
    kind: str
    label: str

    def rows(self) -> Iterable[dict[str, Any]]: ...


@dataclass
class CallableReader:
    """A reader whose rows come from a callable, called anew at each sync."""

    source: str
    kind: str
    label: str
    fetch: Callable[[], Iterable[dict[str, Any]]]

    def rows(self) -> Iterable[dict[str, Any]]:
        return self.fetch()


_readers: dict[tuple[str, str], SourceReader] = {}


def reader_register(reader: SourceReader) -> None:
    """Add or replace the reader for (source, kind)."""
    _readers[(reader.source, reader.kind)] = reader


def reader_unregister(source: str, kind: str) -> None:
    _readers.pop((source, kind), None)


def readers(source: str | None = None) -> list[SourceReader]:
    return [r for (code, _kind), r in sorted(_readers.items()) if source in (None, code)]


def employers_from_insured(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Legal-person rows implied by a social-insurance export: every employer that pays
    for at least one insured person (status active) is, for 人社, an active enterprise.
    Keys of ``rows``: ``employer_credit_code``, ``employer_name``, ``status``."""
    employers: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = str(row.get("employer_credit_code") or "").strip().upper()
        if not code or row.get("status") != "active":
            continue
        employers.setdefault(
            code,
            {
                "source_id": code,
                "credit_code": code,
                "name": row.get("employer_name") or "",
                "status": "active",
            },
        )
    return [employers[code] for code in sorted(employers)]
