"""A model field that stores a JSON value encrypted with the credential keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from . import crypto


class Ciphertext(str):
    """A value as stored, not decrypted yet (decrypted on first access)."""


class Unreadable(dict[str, str]):
    """What a value that no configured key decrypts reads as: empty, keeping its ciphertext.

    Saving the row again writes the ciphertext back unchanged, so restoring the
    right key in CREDENTIAL_KEYS brings the credentials back.
    """

    def __init__(self, ciphertext: str) -> None:
        super().__init__()
        self.ciphertext = ciphertext


def is_unreadable(value: Any) -> bool:
    return isinstance(value, Unreadable)


class EncryptedAttribute(DeferredAttribute):
    """Decrypts lazily: a page that never touches the credentials never decrypts them."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            try:
                value = crypto.decrypt_json(value) if value else {}
            except crypto.CredentialsUnreadable:
                value = Unreadable(str(value))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor, so reads come through __get__ even once the value is in __dict__.
        instance.__dict__[self.field.attname] = value


# A text column that reads and writes string dicts (credentials, tokens: every value a string). Generic in the
# stubs only: TextField is not generic at run time.
if TYPE_CHECKING:
    _DictInTextField = models.TextField[Mapping[str, str], dict[str, str]]
else:
    _DictInTextField = models.TextField


class EncryptedJSONField(_DictInTextField):
    """JSON in Python, Fernet ciphertext in the database column.

    Values are never rendered by model forms or the admin (``editable=False``
    by default); forms for secrets are written by hand and are write-only. A
    value no key decrypts reads as an empty ``Unreadable`` instead of failing
    the page that loaded the row.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return {}
        return Ciphertext(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Unreadable | Ciphertext) or not isinstance(value, str):
            return value
        return Ciphertext(value) if value else {}

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, Ciphertext):
            return str(value)
        if isinstance(value, Unreadable):
            return value.ciphertext
        return crypto.encrypt_json(value if value is not None else {})

    def value_to_string(self, obj: Any) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj))


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[EncryptedJSONField]]]:
    """Every installed model with encrypted columns, and those columns: what key rotation and backups walk."""
    for model in apps.get_models():
        found = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedJSONField)]
        if found:
            yield model, found
