"""A model field that stores a JSON value encrypted with the credential keys."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedJSONField(models.TextField):
    """JSON in Python, Fernet ciphertext in the database column.

    Values are never rendered by model forms or the admin (``editable=False``
    by default); forms for secrets are written by hand and are write-only.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return {}
        return crypto.decrypt_json(value)

    def to_python(self, value: Any) -> Any:
        return value if not isinstance(value, str) else (crypto.decrypt_json(value) if value else {})

    def get_prep_value(self, value: Any) -> str:
        return crypto.encrypt_json(value if value is not None else {})

    def value_to_string(self, obj: Any) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj))
