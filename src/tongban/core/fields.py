"""Model fields that keep personal data encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models

from tongban.core.crypto import decrypt_field, encrypt_field


class EncryptedTextField(models.TextField):
    """Stores SM4-GCM ciphertext; Python code only ever sees the plaintext.

    Encrypted values cannot be searched or compared in SQL: pair the field with a keyed
    lookup hash (``crypto.lookup_hash``) for finding records by value.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt_field(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return value
        return encrypt_field(str(value))
