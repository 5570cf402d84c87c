"""Cryptography: SM3 hashing, SM4-GCM field encryption, keyed lookup hashes, signers.

SM3 and SM4 come from ``cryptography`` (OpenSSL); SM2 from ``gmalg``. Signing sits behind
the :class:`Signer` protocol so that a signature server or an HSM can replace the software
key in production.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Protocol

import gmalg
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SM2_DEFAULT_UID = b"1234567812345678"  # GB/T 35276 default distinguishing identifier


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SM3) for finding a record by an encrypted value without decrypting."""
    mac = hmac.HMAC(bytes.fromhex(settings.TONGBAN_LOOKUP_KEY), hashes.SM3())
    mac.update(value.encode())
    return mac.finalize().hex()


class DecryptionError(Exception):
    pass


def encrypt_field(plaintext: str) -> str:
    """SM4-GCM with a fresh nonce; the key id travels with the value for rotation."""
    key_id = settings.TONGBAN_FIELD_KEY_ID
    key = bytes.fromhex(settings.TONGBAN_FIELD_KEYS[key_id])
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(key_id.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"sm4gcm:{key_id}:{blob}"


def decrypt_field(token: str) -> str:
    try:
        scheme, key_id, blob = token.split(":", 2)
        key = bytes.fromhex(settings.TONGBAN_FIELD_KEYS[key_id])
        raw = base64.b64decode(blob)
    except (ValueError, KeyError) as exc:
        raise DecryptionError("unreadable encrypted value") from exc
    if scheme != "sm4gcm" or len(raw) < 28:
        raise DecryptionError("unknown encryption scheme")
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(key_id.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("encrypted value was altered") from exc


class Signer(Protocol):
    """Signs and verifies bytes; ``key_id`` names the key in published key sets."""

    algorithm: str
    key_id: str

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...

    def public_key_hex(self) -> str: ...


@dataclass
class SM2Signer:
    """SM2 with SM3 (GB/T 32918) using a software key."""

    private_key: bytes
    algorithm: str = "SM2-SM3"
    # The public key when already known: deriving it costs about as much as a signature.
    known_public_key: bytes = b""

    def __post_init__(self) -> None:
        self._public = self.known_public_key or gmalg.SM2().generate_pk(self.private_key)
        self.key_id = "sm2-" + sm3_hex(self._public)[:16]

    def sign(self, data: bytes) -> bytes:
        r, s = gmalg.SM2(sk=self.private_key, pk=self._public, uid=SM2_DEFAULT_UID).sign(data)
        # gmalg returns minimal-length integers; fixed 32-byte halves keep r||s splittable.
        return r.rjust(32, b"\0") + s.rjust(32, b"\0")

    def verify(self, data: bytes, signature: bytes) -> bool:
        return sm2_verify(self._public, data, signature)

    def public_key_hex(self) -> str:
        return self._public.hex()


def sm2_verify(public_key: bytes, data: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    verifier = gmalg.SM2(pk=public_key, uid=SM2_DEFAULT_UID)
    return bool(verifier.verify(data, signature[:32], signature[32:]))


@dataclass
class Ed25519Signer:
    """Ed25519 with a software key, for deployments that do not require SM algorithms."""

    private_key: bytes
    algorithm: str = "Ed25519"

    def __post_init__(self) -> None:
        self._key = ed25519.Ed25519PrivateKey.from_private_bytes(self.private_key[:32])
        self._public = self._key.public_key()
        raw = self._public.public_bytes_raw()
        self.key_id = "ed25519-" + sm3_hex(raw)[:16]

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            self._public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def public_key_hex(self) -> str:
        return self._public.public_bytes_raw().hex()


def platform_signer() -> Signer:
    """The platform's own signing key, as configured in ``TONGBAN_PLATFORM_SIGNER``."""
    config = settings.TONGBAN_PLATFORM_SIGNER
    key = bytes.fromhex(config["private_key"])
    if config["algorithm"] == "ed25519":
        return Ed25519Signer(key)
    if config["algorithm"] == "sm2":
        return SM2Signer(key)
    raise ImproperlyConfigured("TONGBAN_SIGNER_ALGORITHM must be sm2 or ed25519")


def verify_with_public_key(
    algorithm: str, public_key_hex: str, data: bytes, signature: bytes
) -> bool:
    """Check a signature made by any signer, knowing only its algorithm and public key."""
    try:
        public = bytes.fromhex(public_key_hex)
    except ValueError:
        return False
    if algorithm == "SM2-SM3":
        return sm2_verify(public, data, signature)
    if algorithm == "Ed25519":
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True
    return False
