import pytest
from django.test import override_settings

from tongban.core.crypto import (
    DecryptionError,
    Ed25519Signer,
    SM2Signer,
    decrypt_field,
    encrypt_field,
    lookup_hash,
    sm3_hex,
)


def test_sm3_known_answer():
    # GB/T 32905-2016 appendix A example 1.
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_field_encryption_round_trip_is_randomised_and_authenticated():
    a, b = encrypt_field("420102199003071232"), encrypt_field("420102199003071232")
    assert a != b and "420102199003071232" not in a
    assert a.startswith("sm4gcm:k1:")
    assert decrypt_field(a) == "420102199003071232"
    scheme, key_id, blob = a.split(":", 2)
    tampered = f"{scheme}:{key_id}:{blob[:-6]}AAAAA="
    with pytest.raises(DecryptionError):
        decrypt_field(tampered)


def test_old_key_stays_readable_after_rotation(settings):
    old = encrypt_field("13800001234")
    keys = {**settings.TONGBAN_FIELD_KEYS, "k2": "00112233445566778899aabbccddeeff"}
    with override_settings(TONGBAN_FIELD_KEYS=keys, TONGBAN_FIELD_KEY_ID="k2"):
        new = encrypt_field("13800001234")
        assert new.startswith("sm4gcm:k2:")
        assert decrypt_field(old) == decrypt_field(new) == "13800001234"


def test_lookup_hash_is_keyed_and_stable(settings):
    first = lookup_hash("420102199003071232")
    assert first == lookup_hash("420102199003071232")
    assert first != sm3_hex(b"420102199003071232")
    with override_settings(TONGBAN_LOOKUP_KEY="ab" * 32):
        assert lookup_hash("420102199003071232") != first


@pytest.mark.parametrize(
    "signer",
    [
        SM2Signer(
            bytes.fromhex("3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8")
        ),
        Ed25519Signer(bytes(range(32))),
    ],
    ids=["sm2", "ed25519"],
)
def test_signers_verify_their_own_signatures_only(signer):
    signature = signer.sign(b"message")
    assert signer.verify(b"message", signature)
    assert not signer.verify(b"messagE", signature)
    assert not signer.verify(b"message", bytes(len(signature)))
    assert signer.key_id and signer.public_key_hex()


def test_sm2_signatures_are_always_64_bytes_and_verify():
    signer = SM2Signer(
        bytes.fromhex("3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8")
    )
    # About 1 in 128 signatures has an r or s with a leading zero byte.
    for i in range(400):
        signature = signer.sign(b"m%d" % i)
        assert len(signature) == 64 and signer.verify(b"m%d" % i, signature)
