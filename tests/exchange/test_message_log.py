"""Part 5: the hash-chained, batch-signed message log and ``tongban exchange verify-log``."""

from __future__ import annotations

import itertools
import math
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tongban.core.crypto import Ed25519Signer
from tongban.core.services import periodic_run_due
from tongban.exchange import services
from tongban.exchange.chain import GENESIS_HASH, batch_message, record_hash
from tongban.exchange.models import MessageBatch, MessageLog
from tongban.exchange.selectors import message_log_verify

from .conftest import grant, query

pytestmark = pytest.mark.django_db


def write(n: int) -> None:
    for i in range(n):
        services.message_record(
            message_id=uuid.uuid4(),
            client_id="rst-shebao",
            consumer_id=2,
            provider_id=1,
            resource_code="1010010001",
            purpose=f"核验身份 {i}",
            fields=["name"],
            filter_keys=["id_number"],
            request_hash="a" * 64,
            response_hash="b" * 64,
            status=200,
        )


def verify_fails_at(seq: int) -> str:
    result = message_log_verify()
    assert not result.ok and result.broken_seq == seq, result
    with pytest.raises(CommandError) as exc:
        call_command("exchange", "verify-log")
    assert f"#{seq}" in str(exc.value)
    return result.reason


@pytest.fixture
def signed_log():
    """Ten records in batches of four: 1-4 and 5-8 closed when full, 9-10 by the job."""
    with override_settings(TONGBAN_EXCHANGE_BATCH_SIZE=4):
        write(10)
        services.message_batch_close()
        yield


def test_batches_are_signed_per_batch_not_per_message(
    world, population, consumer_client, monkeypatch
):
    signed = []
    real = services.platform_signer

    def counting_signer():
        signer = real()
        sign = signer.sign

        def counted(data: bytes) -> bytes:
            signed.append(data)
            return sign(data)

        signer.sign = counted  # type: ignore[method-assign]
        return signer

    monkeypatch.setattr(services, "platform_signer", counting_signer)
    grant(world, population.code, ["name", "id_number"])
    n, size = 11, 4
    with override_settings(TONGBAN_EXCHANGE_BATCH_SIZE=size, TONGBAN_EXCHANGE_BATCH_SECONDS=0):
        for _ in range(n):
            assert (
                query(
                    consumer_client,
                    population.code,
                    {"filters": {}, "fields": ["name"], "purpose": "核验身份"},
                ).status_code
                == 200
            )
        assert len(signed) == n // size  # full batches only, never per message
        assert "exchange.batch_close" in periodic_run_due()
    assert MessageLog.objects.count() == n
    assert len(signed) == MessageBatch.objects.count() == math.ceil(n / size)
    assert [(b.first_seq, b.last_seq) for b in MessageBatch.objects.all()] == [
        (1, 4),
        (5, 8),
        (9, 11),
    ]
    assert message_log_verify().ok
    assert services.message_batch_close() is None  # nothing left to sign


def test_intact_log_verifies(signed_log, capsys):
    call_command("exchange", "verify-log")
    assert "10 records verified" in capsys.readouterr().out


def test_records_hash_chain(signed_log):
    records = list(MessageLog.objects.order_by("seq"))
    assert records[0].prev_hash == GENESIS_HASH
    for prev, record in itertools.pairwise(records):
        assert record.prev_hash == prev.hash and record_hash(record) == record.hash


def test_edited_record_is_caught(signed_log):
    MessageLog.objects.filter(seq=6).update(purpose="随便看看")
    assert "修改" in verify_fails_at(6)


def test_raw_sql_edit_is_caught(signed_log):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {MessageLog._meta.db_table} SET status = 403 WHERE seq = 3")
    verify_fails_at(3)


def test_deleted_record_is_caught(signed_log):
    MessageLog.objects.filter(seq=5).delete()
    assert "删除" in verify_fails_at(5)


def test_deleted_tail_is_caught(signed_log):
    MessageLog.objects.filter(seq__gte=9).delete()
    verify_fails_at(9)


def test_deleted_unbatched_tail_is_caught():
    with override_settings(TONGBAN_EXCHANGE_BATCH_SIZE=4):
        write(6)
    MessageLog.objects.filter(seq=6).delete()
    verify_fails_at(6)


def test_rehashed_chain_is_caught(signed_log):
    """Edit a record and recompute every hash after it: the signed Merkle root differs."""
    MessageLog.objects.filter(seq=2).update(purpose="随便看看")
    prev = GENESIS_HASH
    for record in MessageLog.objects.order_by("seq"):
        record.prev_hash = prev
        record.hash = record_hash(record)
        record.save(update_fields=["prev_hash", "hash"])
        prev = record.hash
    reason = verify_fails_at(1)
    assert "默克尔根" in reason


def test_edited_batch_root_is_caught(signed_log):
    MessageBatch.objects.filter(first_seq=5).update(merkle_root="0" * 64)
    assert "签名" in verify_fails_at(5)


def test_rehashed_batch_signed_with_another_key_is_caught(signed_log):
    forger = Ed25519Signer(b"\x07" * 32)
    batch = MessageBatch.objects.get(first_seq=1)
    batch.algorithm, batch.public_key = forger.algorithm, forger.public_key_hex()
    batch.signature = forger.sign(batch_message(1, 4, batch.merkle_root)).hex()
    batch.save()
    assert "不受信任" in verify_fails_at(1)


def test_deleted_middle_batch_is_caught(signed_log):
    MessageBatch.objects.filter(first_seq=5).delete()
    verify_fails_at(5)


def test_deleted_last_batch_is_caught(signed_log):
    MessageBatch.objects.filter(first_seq=9).delete()
    verify_fails_at(9)


def test_cli_routes_exchange():
    from tongban import cli

    assert "exchange verify-log" in cli.USAGE


def test_log_shorter_than_recorded_is_caught(signed_log):
    """Head, tail records and batches all removed: only an external count notices."""
    MessageLog.objects.filter(seq__gte=9).delete()
    MessageBatch.objects.filter(first_seq=9).delete()
    from tongban.exchange.models import MessageHead

    last = MessageLog.objects.order_by("-seq").first()
    MessageHead.objects.update(seq=8, hash=last.hash, batched_seq=8)
    assert message_log_verify().ok
    with pytest.raises(CommandError, match="#9"):
        call_command("exchange", "verify-log", "--min-seq", "10")
