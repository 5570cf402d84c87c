import pytest
from django.core.management import call_command
from django.db import connection

from tongban.core.models import AuditCheckpoint, AuditEntry
from tongban.core.selectors import audit_verify
from tongban.core.services import audit_checkpoint, audit_record


@pytest.fixture
def chain(db, settings):
    settings.TONGBAN_AUDIT_CHECKPOINT_EVERY = 5
    for i in range(12):
        audit_record(action="test.write", object_type="thing", object_id=i, detail={"n": i})
    return list(AuditEntry.objects.order_by("seq"))


def run_verify():
    """`tongban audit verify` as the operator runs it: exit code and output."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except Exception as exc:  # CommandError carries the exit code
        return getattr(exc, "returncode", 1), str(exc)
    return 0, out.getvalue()


def raw_sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies_with_checkpoints(chain):
    assert [e.seq for e in chain] == list(range(1, 13))
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [5, 10]
    assert audit_verify().ok
    code, output = run_verify()
    assert code == 0 and "12 entries" in output


@pytest.mark.parametrize("seq", [1, 6, 12])
def test_editing_any_row_breaks_verification(chain, seq):
    raw_sql("UPDATE core_auditentry SET action = %s WHERE seq = %s", ["forged", seq])
    result = audit_verify()
    assert not result.ok and result.broken_seq == seq
    code, output = run_verify()
    assert code == 1 and f"#{seq}" in output


def test_editing_detail_json_is_detected(chain):
    raw_sql("UPDATE core_auditentry SET detail = %s WHERE seq = 3", ['{"n": 99}'])
    assert audit_verify().broken_seq == 3


@pytest.mark.parametrize("seq", [1, 7, 12])
def test_deleting_any_row_breaks_verification(chain, seq):
    raw_sql("DELETE FROM core_auditentry WHERE seq = %s", [seq])
    result = audit_verify()
    assert not result.ok and result.broken_seq == seq
    assert run_verify()[0] == 1


def test_deleting_the_tail_and_rewinding_the_head_is_caught_by_a_checkpoint(chain):
    raw_sql("DELETE FROM core_auditentry WHERE seq >= %s", [9])
    raw_sql("UPDATE core_audithead SET seq = 8, hash = %s", [chain[7].hash])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 9
    assert "检查点" in result.reason


def test_rehashing_an_edited_row_still_fails_on_the_link_or_checkpoint(chain):
    from tongban.core.chain import audit_payload
    from tongban.core.crypto import sm3_hex

    entry = AuditEntry.objects.get(seq=4)
    entry.action = "forged"
    entry.hash = sm3_hex(audit_payload(entry))
    raw_sql("UPDATE core_auditentry SET action=%s, hash=%s WHERE seq=4", [entry.action, entry.hash])
    assert audit_verify().broken_seq == 5


def test_forged_checkpoint_signature_is_detected(chain):
    raw_sql("UPDATE core_auditcheckpoint SET signature = %s WHERE seq = 5", ["00" * 64])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5


def test_periodic_checkpoint_signs_the_head_once(chain):
    checkpoint = audit_checkpoint()
    assert checkpoint is not None and checkpoint.seq == 12
    assert audit_checkpoint() is None
    assert audit_verify().ok


def test_deleting_a_checkpoint_to_hide_an_edit_is_detected(chain):
    raw_sql("DELETE FROM core_auditcheckpoint WHERE seq = %s", [5])
    result = audit_verify()
    assert not result.ok and "检查点" in result.reason


def test_deleting_all_checkpoints_and_rehashing_is_detected(chain):
    from tongban.core.chain import audit_payload
    from tongban.core.crypto import sm3_hex

    raw_sql("DELETE FROM core_auditcheckpoint", [])
    prev = chain[1].hash
    for entry in AuditEntry.objects.filter(seq__gte=3).order_by("seq"):
        entry.action = "forged" if entry.seq == 3 else entry.action
        entry.prev_hash = prev
        entry.hash = sm3_hex(audit_payload(entry))
        entry.save()
        prev = entry.hash
    raw_sql("UPDATE core_audithead SET hash = %s", [prev])
    result = audit_verify()
    assert not result.ok and result.reason == "缺少应有的签名检查点"


def test_truncating_to_a_checkpoint_is_caught_with_an_external_anchor(chain):
    raw_sql("DELETE FROM core_auditentry WHERE seq > %s", [10])
    raw_sql("DELETE FROM core_auditcheckpoint WHERE seq > %s", [10])
    raw_sql("UPDATE core_audithead SET seq = 10, hash = %s", [chain[9].hash])
    assert audit_verify().ok  # undetectable from inside the database alone
    result = audit_verify(min_seq=12)
    assert not result.ok and result.broken_seq == 11
    from io import StringIO

    with pytest.raises(Exception, match="#11"):
        call_command("audit", "verify", "--min-seq", "12", stdout=StringIO())


def test_checkpoints_of_a_retired_key_stay_valid_when_trusted(chain, settings):
    old_public = AuditCheckpoint.objects.first().public_key
    settings.TONGBAN_PLATFORM_SIGNER = {"algorithm": "ed25519", "private_key": "11" * 32}
    result = audit_verify()
    assert not result.ok and result.reason == "检查点签名密钥不受信任"
    settings.TONGBAN_AUDIT_TRUSTED_KEYS = [old_public]
    assert audit_verify().ok
    audit_record(action="after.rotation")
    assert audit_checkpoint().algorithm == "Ed25519"
    assert audit_verify().ok
