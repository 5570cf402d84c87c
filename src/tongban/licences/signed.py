"""The signed form of a licence and its verification, with no database and no server.

A signed licence is ``{"licence": {...}, "signature": {"algorithm", "key_id", "value"}}``.
The signature covers the canonical JSON of ``licence``: keys sorted, no insignificant
whitespace, UTF-8, no floating-point numbers (amounts travel as strings) — the subset of
RFC 8785 (JCS) that needs no number formatting rules, so any language can reproduce it.

``verify_document`` is what the offline CLI runs with a published key set; the online
check adds the platform's current status (revoked, suspended) on top of it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from tongban.core.crypto import verify_with_public_key

IDENTIFIER_PREFIX = "1.2.156.3005.2."


class NotCanonical(ValueError):
    """A value that has no canonical JSON form here (a float, a non-string key)."""


def licence_identifier(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """证照标识 (GB/T 36904): OID prefix, type, issuer, serial, 3-digit version and an
    ISO 7064 MOD 37,36 check character over the four parts."""
    parts = [type_code, issuer_code, serial, f"{version:03d}"]
    check = mod_37_36.calc_check_digit("".join(parts))
    return IDENTIFIER_PREFIX + ".".join([*parts, check])


def identifier_valid(identifier: str) -> bool:
    if not isinstance(identifier, str) or not identifier.startswith(IDENTIFIER_PREFIX):
        return False
    parts = identifier[len(IDENTIFIER_PREFIX) :].split(".")
    if len(parts) != 5 or not all(parts):
        return False
    try:
        return mod_37_36.is_valid("".join(parts[:4]) + parts[4])
    except ValueError:
        return False


def _check_canonical(value: Any) -> None:
    if isinstance(value, float):
        raise NotCanonical("floating-point numbers are not allowed in a signed licence")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical("object keys must be strings")
            _check_canonical(item)
    elif isinstance(value, list):
        for item in value:
            _check_canonical(item)


def canonical_bytes(value: Any) -> bytes:
    _check_canonical(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_document(licence: dict[str, Any], algorithm: str, key_id: str, sig: bytes) -> dict:
    return {
        "licence": licence,
        "signature": {
            "algorithm": algorithm,
            "key_id": key_id,
            "value": base64.b64encode(sig).decode(),
        },
    }


@dataclass
class Verification:
    """The answer to “is this licence genuine and in force?”.

    ``status`` is ``valid``, ``expired``, ``suspended`` or ``revoked`` for a genuine
    licence, ``invalid`` when the document is not one (bad signature, unknown key...).
    """

    valid: bool
    status: str
    reason: str
    licence: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "status": self.status, "reason": self.reason}


def _invalid(reason: str) -> Verification:
    return Verification(False, "invalid", reason)


def _parts(document: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if not isinstance(document, dict):
        return None
    licence, signature = document.get("licence"), document.get("signature")
    if not isinstance(licence, dict) or not isinstance(signature, dict):
        return None
    if not all(isinstance(signature.get(k), str) for k in ("algorithm", "key_id", "value")):
        return None
    issuer = licence.get("issuer")
    if not isinstance(issuer, dict) or not isinstance(issuer.get("code"), str):
        return None
    return licence, signature


def _signature_bytes(signature: dict[str, Any]) -> bytes | None:
    try:
        return base64.b64decode(signature["value"], validate=True)
    except (binascii.Error, ValueError):
        return None


def _after_retirement(licence: dict[str, Any], key: dict[str, Any]) -> bool:
    retired = key.get("retired_at")
    if not retired:
        return False
    try:
        signed_at = datetime.fromisoformat(str(licence.get("signed_at")))
        return signed_at > datetime.fromisoformat(retired)
    except ValueError:
        return True


def _verify_signature(
    licence: dict[str, Any], signature: dict[str, Any], keys: dict[str, dict[str, Any]]
) -> str:
    """'' when the signature holds; otherwise why not."""
    key = keys.get(signature["key_id"])
    if key is None:
        return _("签名密钥未知：不是已公布的颁发机构密钥")
    if key.get("issuer_code") != licence["issuer"]["code"]:
        return _("签名密钥不属于证照上的颁发机构")
    if key.get("algorithm") != signature["algorithm"]:
        return _("签名算法与密钥不符")
    raw = _signature_bytes(signature)
    try:
        payload = canonical_bytes(licence)
    except NotCanonical:
        return _("证照内容含有不允许的数值格式")
    if raw is None or not verify_with_public_key(
        key["algorithm"], str(key.get("public_key", "")), payload, raw
    ):
        return _("证照内容与签名不符，可能已被篡改")
    if _after_retirement(licence, key):
        return _("签名时间晚于密钥停用时间")
    return ""


def verify_document(document: Any, keys: list[dict[str, Any]], today: date) -> Verification:
    """Check a signed licence against a published key set (``GET /api/v1/licences/keys``)."""
    parts = _parts(document)
    if parts is None:
        return _invalid(_("不是有效的电子证照格式"))
    licence, signature = parts
    if not identifier_valid(str(licence.get("identifier", ""))):
        return _invalid(_("证照标识格式或校验位不正确"))
    problem = _verify_signature(licence, signature, {str(k.get("key_id")): k for k in keys})
    if problem:
        return _invalid(problem)
    valid_until = licence.get("valid_until")
    if valid_until:
        try:
            expired = date.fromisoformat(str(valid_until)) < today
        except ValueError:
            return _invalid(_("有效期格式不正确"))
        if expired:
            return Verification(
                False, "expired", _("证照已超过有效期（至 %s）") % valid_until, licence
            )
    return Verification(True, "valid", _("签名有效，证照在有效期内"), licence)
