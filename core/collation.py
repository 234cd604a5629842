"""Turkish alphabetical order for names (SMS contacts, the fax address book), in the database.

PostgreSQL sorts with an ICU collation named ``turkish`` (created by a migration
from ICU's ``tr-TR``; messaging's and fax's each create it if missing); SQLite gets a
collation of the same name from ``sqlite_turkish`` below, registered on every
connection by ``core.apps``. Queries then say
``Collate("name", TURKISH)`` and both databases order Ç after C, Ğ after G,
ı before i (and I before İ), Ö after O, Ş after S, Ü after U.

SQLite also gets PostgreSQL's ``C`` (byte order), the collation of columns that hold numbers.
"""

from __future__ import annotations

import unicodedata
from typing import Any

TURKISH = "turkish"
C = "C"  # byte order: numbers (telephony caller and callee), whose btree then also serves LIKE 'prefix%'
ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}


def _letters(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def _primary(char: str) -> tuple[int, int]:
    """Spaces and punctuation first, then digits, then letters in the Turkish order."""
    if char in _RANK:
        return (2, _RANK[char])
    if char.isdigit():
        return (1, ord(char))
    base = unicodedata.normalize("NFD", char)[:1]  # é sorts with e
    if base in _RANK:
        return (2, _RANK[base])
    return (0 if not char.isalpha() else 3, ord(char))


def sort_key(text: str) -> tuple[Any, ...]:
    """Letters first, then lower before upper case (as ICU does), then the text itself for a total order."""
    return (
        tuple(_primary(c) for c in _letters(text)),
        tuple(c.isupper() for c in text),
        text,
    )


def sqlite_turkish(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def sqlite_c(left: str, right: str) -> int:
    """PostgreSQL's "C": code point order, which is UTF-8's byte order (columns declared ``db_collation=C``)."""
    return (left > right) - (left < right)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(TURKISH, sqlite_turkish)
        connection.connection.create_collation(C, sqlite_c)
