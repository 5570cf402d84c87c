"""Hashing rules of the exchange message log, shared by the writer and the verifier.

Every record's hash covers its canonical body and the previous record's hash; batches of
consecutive records are signed once over the SM3 Merkle root of their hashes, so the hot
path only hashes and signing cost is paid once per batch.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from tongban.core.crypto import sm3_hex

if TYPE_CHECKING:
    from tongban.exchange.models import MessageLog

GENESIS_HASH = "0" * 64


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def record_payload(record: MessageLog) -> bytes:
    """The canonical bytes a record's hash covers (everything but the hash itself)."""
    body = {
        "seq": record.seq,
        "message_id": str(record.message_id),
        "at": record.at.astimezone(UTC).isoformat(),
        "client_id": record.client_id,
        "consumer_id": record.consumer_id,
        "provider_id": record.provider_id,
        "resource_code": record.resource_code,
        "purpose": record.purpose,
        "fields": list(record.fields),
        "filter_keys": list(record.filter_keys),
        "request_hash": record.request_hash,
        "response_hash": record.response_hash,
        "status": record.status,
    }
    return record.prev_hash.encode() + canonical(body)


def record_hash(record: MessageLog) -> str:
    return sm3_hex(record_payload(record))


def merkle_root(leaf_hashes: list[str]) -> str:
    """SM3 Merkle root (RFC 6962 style domain separation: 0x00 leaves, 0x01 nodes).

    An odd node at the end of a level is promoted unchanged to the next level.
    """
    if not leaf_hashes:
        return sm3_hex(b"")
    level = [sm3_hex(b"\x00" + bytes.fromhex(h)) for h in leaf_hashes]
    while len(level) > 1:
        paired = [
            sm3_hex(b"\x01" + bytes.fromhex(level[i]) + bytes.fromhex(level[i + 1]))
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def batch_message(first_seq: int, last_seq: int, root: str) -> bytes:
    return f"tongban-exchange-batch:v1:{first_seq}:{last_seq}:{root}".encode()
