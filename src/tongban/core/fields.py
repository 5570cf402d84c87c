"""Model fields that keep personal data encrypted at rest."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from tongban.core.crypto import decrypt_field, encrypt_field


class EncryptedTextField(models.TextField):
    """Stores SM4-GCM ciphertext; Python code only ever sees the plaintext.

    Encrypted values cannot be searched or compared in SQL: pair the field with a keyed
    lookup hash (``crypto.lookup_hash``) for finding records by value.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        # "" is stored as is (nothing to hide), so it is read back as is.
        return value if not value else decrypt_field(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return value
        return encrypt_field(str(value))


class EncryptedJSONField(models.TextField):
    """A JSON value (e.g. an application form) stored as SM4-GCM ciphertext."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(decrypt_field(value))

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt_field(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
