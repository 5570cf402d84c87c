"""Local key material for development and demo installs.

Production reads every secret from the environment (see ``production.py``); a developer
machine or the demo instead keeps generated keys under ``var/keys`` so that a fresh clone
runs with no set-up and no secret is ever committed.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path


def load_or_create(var_dir: Path, name: str, generate: Callable[[], str]) -> str:
    """Return the key stored as ``var/keys/<name>``, creating it on first use."""
    path = var_dir / "keys" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a private temporary file, then link it into place: when two processes start
    # at once, exactly one key wins and both read the same, complete value.
    value = generate()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text().strip()


def parse_key_ring(value: str) -> dict[str, str]:
    """``"k1:<hex>,k2:<hex>"`` -> ``{"k1": "<hex>", "k2": "<hex>"}``."""
    ring = {}
    for item in value.split(","):
        if item.strip():
            key_id, _, key = item.strip().partition(":")
            ring[key_id] = key
    return ring


def from_env_or_file(name: str) -> str | None:
    """``NAME`` itself, or the contents of the file named by ``NAME_FILE`` (for PEM keys)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    return Path(path).read_text() if path else None


def random_hex(nbytes: int) -> Callable[[], str]:
    return lambda: secrets.token_hex(nbytes)


def rsa_private_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def sm2_private_hex() -> str:
    import gmalg

    secret, _public = gmalg.SM2().generate_keypair()
    return secret.hex()
