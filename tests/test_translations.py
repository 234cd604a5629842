"""The Turkish catalogue is complete and its compiled form matches it."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/tr/LC_MESSAGES/django.po") if ".venv" not in p.parts and "var" not in p.parts
)


def _string(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr (msgstr[0] for plurals), fuzzy entries left out as gettext does.

    An entry with a context is keyed as gettext keys it in the compiled file: ``context\x04msgid``.
    """
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                if current:
                    parts[current].append(line)
                continue
            key, _, rest = line.partition(" ")
            current = key
            parts[key] = [rest]
        if "msgid" in parts and _string(parts["msgid"]):
            context = _string(parts["msgctxt"]) + "\x04" if "msgctxt" in parts else ""
            entries[context + _string(parts["msgid"])] = _string(parts.get("msgstr", parts.get("msgstr[0]", ['""'])))
    return entries


def test_there_is_a_project_catalogue() -> None:
    assert ROOT / "locale" / "tr" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_has_a_turkish_translation(po: Path) -> None:
    untranslated = [msgid for msgid, msgstr in po_entries(po).items() if not msgstr]
    assert untranslated == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_is_up_to_date(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries(po).items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages`"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_message_is_defined_twice(po: Path) -> None:
    """A merge of two branches' catalogues can write an entry twice: msgfmt refuses such a file."""
    seen: set[tuple[str, str]] = set()
    twice = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith('"') and current:
                parts[current].append(line)
                continue
            current, _, rest = line.partition(" ")
            parts[current] = [rest]
        if "msgid" not in parts:
            continue
        key = (_string(parts.get("msgctxt", ['""'])), _string(parts["msgid"]))
        if key in seen:
            twice.append(key[1])
        seen.add(key)
    assert twice == []
