"""Where registry sources come from.

A reader yields one dict per source row, keyed by the canonical attribute names of
``normalise.ATTRIBUTES`` plus ``source_id``. In production every source is a
``RegistrySource`` row (configuration) read by ``GatewayReader``: page by page through the
exchange gateway (``exchange.services.gateway_query``) as an exchange client, so every read
is checked against the grant, masked and logged in the signed message log.
``CallableReader`` (registered with ``reader_register``) takes rows from any callable
(tests, a loader script).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from tongban.core.errors import DomainError, RateLimited
from tongban.exchange import services as exchange

logger = logging.getLogger(__name__)
PURPOSE = "基础库同步"
RATE_RETRIES = 6
RATE_WAIT_SECONDS = 10.0


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


class SourceUnavailable(Exception):
    """The gateway refused or failed a page of a source; the message is for people."""


def _mapped(spec: Any, row: dict[str, Any]) -> Any:
    """The value of one registry attribute from one gateway row (see ``RegistrySource``)."""
    if isinstance(spec, str):
        value = row.get(spec)
        return "" if value is None else value
    raw = row.get(spec["item"])
    raw = "" if raw is None else raw
    values = spec.get("values") or {}
    if str(raw) in values:
        return values[str(raw)]
    return spec.get("default", raw)


def item_keys(attribute_map: dict[str, Any]) -> list[str]:
    """The data items a map reads, in the order of the map."""
    keys = [spec if isinstance(spec, str) else spec["item"] for spec in attribute_map.values()]
    return list(dict.fromkeys(keys))


@dataclass
class GatewayReader:
    """Reads a resource through the exchange gateway, page after page, as ``client_id``."""

    source: str
    kind: str
    label: str
    client_id: str
    resource_code: str
    attribute_map: dict[str, Any]
    derive: str = ""
    page_size: int = 100
    progress: Callable[[str], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    pages: int = field(default=0, init=False)

    def rows(self) -> Iterable[dict[str, Any]]:
        rows = (
            {attribute: _mapped(spec, item) for attribute, spec in self.attribute_map.items()}
            for item in self._items()
        )
        if self.derive == "employers":
            return employers_from_insured(rows)
        return rows

    def _items(self) -> Iterator[dict[str, Any]]:
        fields = item_keys(self.attribute_map)
        after: str | None = None
        self.pages = 0
        while True:
            answer = self._page(fields, after)
            self.pages += 1
            if self.progress:
                self.progress(
                    f"{self.source}/{self.kind}: page {self.pages}, {len(answer.items)} rows "
                    f"from {self.resource_code} (message {answer.message_id})"
                )
            yield from answer.items
            if not answer.next:
                return
            after = answer.next

    def _page(self, fields: list[str], after: str | None) -> exchange.GatewayAnswer:
        for attempt in range(RATE_RETRIES + 1):
            try:
                return exchange.gateway_query(
                    client_id=self.client_id,
                    resource_code=self.resource_code,
                    filters={},
                    fields=fields,
                    purpose=PURPOSE,
                    limit=self.page_size,
                    after=after,
                )
            except RateLimited:
                if attempt == RATE_RETRIES:
                    raise SourceUnavailable(
                        self._failure("调用过于频繁，多次重试后仍被限流")
                    ) from None
                logger.info("registry source %s/%s rate limited", self.source, self.kind)
                self.sleep(RATE_WAIT_SECONDS)
            except DomainError as exc:
                raise SourceUnavailable(self._failure(exc.message)) from exc
        raise AssertionError("unreachable")

    def _failure(self, reason: str) -> str:
        return (
            f"经共享交换网关读取资源 {self.resource_code} 失败"
            f"（客户端 {self.client_id}，第 {self.pages + 1} 页）：{reason}"
        )
