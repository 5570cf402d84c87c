"""Department signing keys behind the :class:`~tongban.core.crypto.Signer` interface.

By default a department's key is a software key whose private half is stored encrypted
(SM4-GCM) in the database. ``TONGBAN_LICENCE_SIGNER_FACTORY`` names a callable
``factory(key: SigningKey) -> Signer`` so that a signature server or an HSM that holds
the private key can sign instead; such keys are registered with an empty private key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import gmalg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tongban.core.crypto import Ed25519Signer, Signer, SM2Signer

if TYPE_CHECKING:
    from tongban.licences.models import SigningKey

ALGORITHMS = {"sm2": "SM2-SM3", "ed25519": "Ed25519"}


def new_private_key(algorithm: str) -> bytes:
    if algorithm == "SM2-SM3":
        private, _public = gmalg.SM2().generate_keypair()
        return bytes(private)
    if algorithm == "Ed25519":
        return os.urandom(32)
    raise ImproperlyConfigured(f"unknown licence signing algorithm {algorithm!r}")


def software_signer(algorithm: str, private_key: bytes) -> Signer:
    if algorithm == "SM2-SM3":
        return SM2Signer(private_key)
    if algorithm == "Ed25519":
        return Ed25519Signer(private_key)
    raise ImproperlyConfigured(f"unknown licence signing algorithm {algorithm!r}")


def stored_key_signer(key: SigningKey) -> Signer:
    """The default factory: the department's software key from the database."""
    if not key.private_key:
        raise ImproperlyConfigured(f"signing key {key.key_id} has no private key here")
    if key.algorithm == "SM2-SM3":
        return SM2Signer(
            bytes.fromhex(key.private_key), known_public_key=bytes.fromhex(key.public_key)
        )
    return software_signer(key.algorithm, bytes.fromhex(key.private_key))


def signer_for(key: SigningKey) -> Signer:
    path = getattr(settings, "TONGBAN_LICENCE_SIGNER_FACTORY", "")
    factory: Callable[[SigningKey], Signer] = import_string(path) if path else stored_key_signer
    return factory(key)


def default_algorithm() -> str:
    name = getattr(settings, "TONGBAN_LICENCE_ALGORITHM", "sm2")
    if name not in ALGORITHMS:
        raise ImproperlyConfigured("TONGBAN_LICENCE_ALGORITHM must be sm2 or ed25519")
    return ALGORITHMS[name]
