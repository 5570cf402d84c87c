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
from tongban.core.fields import EncryptedTextField


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


# GM/T 0004-2012 (SM3) appendix A examples 1 and 2.
@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ],
)
def test_sm3_matches_gmt_0004_examples(message, digest):
    assert sm3_hex(message) == digest


# GM/T 0003.5-2012 appendix A: the signature example on the recommended curve.
SM2_PRIVATE = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
SM2_PUBLIC_X = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
SM2_PUBLIC_Y = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
SM2_K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
SM2_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
SM2_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
SM2_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640"
SM2_CURVE = {  # a, b, xG, yG of sm2p256v1 (GM/T 0003.5)
    "a": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "b": "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    "xG": "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    "yG": "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
}


def test_sm2_public_key_and_message_digest_match_gmt_0003():
    signer = SM2Signer(bytes.fromhex(SM2_PRIVATE))
    assert signer.public_key_hex().upper() == "04" + SM2_PUBLIC_X + SM2_PUBLIC_Y
    uid = b"1234567812345678"
    z_a = sm3_hex(
        len(uid * 8).to_bytes(2, "big")
        + uid
        + bytes.fromhex(SM2_CURVE["a"] + SM2_CURVE["b"] + SM2_CURVE["xG"] + SM2_CURVE["yG"])
        + bytes.fromhex(SM2_PUBLIC_X + SM2_PUBLIC_Y)
    )
    assert sm3_hex(bytes.fromhex(z_a) + b"message digest").upper() == SM2_E


def test_sm2_signature_matches_gmt_0003_with_the_standard_random_k():
    import gmalg

    private = bytes.fromhex(SM2_PRIVATE)
    public = bytes.fromhex("04" + SM2_PUBLIC_X + SM2_PUBLIC_Y)
    fixed_k = int(SM2_K, 16)
    sm2 = gmalg.SM2(sk=private, pk=public, uid=b"1234567812345678", rnd_fn=lambda _n: fixed_k)
    r, s = sm2.sign(b"message digest")
    assert (r.hex().upper(), s.hex().upper()) == (SM2_R, SM2_S)
    # Our verifier accepts the standard's signature and refuses it for another message.
    signature = bytes.fromhex(SM2_R + SM2_S)
    signer = SM2Signer(private)
    assert signer.verify(b"message digest", signature)
    assert not signer.verify(b"message digesT", signature)


def test_empty_encrypted_text_reads_back_empty():
    """An optional encrypted field left empty stores "" and reads "" back, not an error."""
    field = EncryptedTextField()
    assert field.get_prep_value("") == ""
    assert field.from_db_value("", None, None) == ""
    assert field.from_db_value(None, None, None) is None
    stored = field.get_prep_value("江岸区某小区")
    assert stored != "江岸区某小区"
    assert field.from_db_value(stored, None, None) == "江岸区某小区"
