"""Kernel reads: audit chain verification and audit listings."""

from __future__ import annotations

from dataclasses import dataclass

from tongban.core.chain import GENESIS_HASH, audit_payload, checkpoint_message
from tongban.core.crypto import platform_signer, sm3_hex
from tongban.core.models import AuditCheckpoint, AuditEntry, AuditHead
from tongban.core.pagination import Page, keyset_page


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify(*, chunk: int = 2000) -> AuditVerification:
    """Recompute the hash chain and check the signed checkpoints.

    Detects an edited entry (its hash no longer matches), a deleted entry (a gap in the
    sequence or a broken link), entries deleted from the end (a checkpoint or the head
    names a later entry) and forged checkpoints (bad signature or unknown key).
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    hashes: dict[int, str] = {}
    checkpoint_seqs = set(AuditCheckpoint.objects.values_list("seq", flat=True))
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk):
        if entry.seq != expected_seq:
            return AuditVerification(False, checked, expected_seq, "条目缺失（被删除）")
        if entry.prev_hash != prev_hash:
            return AuditVerification(False, checked, entry.seq, "与上一条目的哈希链接断开")
        if sm3_hex(audit_payload(entry)) != entry.hash:
            return AuditVerification(False, checked, entry.seq, "条目内容被修改")
        if entry.seq in checkpoint_seqs:
            hashes[entry.seq] = entry.hash
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    last_seq = expected_seq - 1
    signer = platform_signer()
    for cp in AuditCheckpoint.objects.order_by("seq"):
        if cp.seq > last_seq:
            return AuditVerification(False, checked, last_seq + 1, "签名检查点之后的条目被删除")
        if cp.key_id != signer.key_id:
            return AuditVerification(False, checked, cp.seq, "检查点签名密钥未知")
        if not signer.verify(checkpoint_message(cp.seq, cp.hash), bytes.fromhex(cp.signature)):
            return AuditVerification(False, checked, cp.seq, "检查点签名无效")
        if hashes.get(cp.seq) != cp.hash:
            return AuditVerification(False, checked, cp.seq, "条目与签名检查点不一致")
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq > last_seq:
        return AuditVerification(False, checked, last_seq + 1, "链尾条目被删除")
    return AuditVerification(True, checked)


def audit_list(
    *, actor_id: int | None = None, cursor: str | None, size: int = 50
) -> Page[AuditEntry]:
    qs = AuditEntry.objects.all()
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return keyset_page(qs, order=("-seq",), cursor=cursor, size=size)
