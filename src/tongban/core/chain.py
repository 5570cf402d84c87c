"""The audit chain's hashing rules, shared by the writer and the verifier."""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.core.models import AuditEntry

GENESIS_HASH = "0" * 64


def audit_payload(entry: AuditEntry) -> bytes:
    """The canonical bytes an entry's hash covers (everything but the hash itself)."""
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
        "ip": entry.ip,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (entry.prev_hash + canonical).encode()


def checkpoint_message(seq: int, head_hash: str, prev_seq: int, every: int) -> bytes:
    return f"tongban-audit-checkpoint:v1:{seq}:{head_hash}:{prev_seq}:{every}".encode()
