"""What a text costs before it is sent: the alphabet that carries every recipient's text, and its parts."""

from __future__ import annotations

from dataclasses import dataclass

from .. import encoding
from ..recipients import Recipient, placeholders, render


@dataclass(frozen=True)
class Plan:
    alphabet: str
    parts: int  # the most any recipient's text costs
    total_parts: int
    personalised: bool


def sms_plan(*, text: str, recipients: list[Recipient], reserve: int, flash: bool) -> Plan:
    """The alphabet that carries every recipient's text, and the parts it costs.

    Each distinct text is measured once (a 100,000-row file often repeats its texts), in one
    pass: its width in the chosen alphabet gives its parts.
    """
    personalised = bool(placeholders(text))
    texts = [render(text, r.values) for r in recipients] if personalised else [text]
    distinct = list(dict.fromkeys(texts))
    alphabet = encoding.DEFAULT
    for name in encoding.ALPHABETS:
        if all(encoding.fits(t, name) for t in distinct):
            alphabet = name
            break
    parts_of = {
        t: encoding.count_parts(encoding.unit_widths(t, alphabet) or [], alphabet, reserve)[0] for t in distinct
    }
    per_text = [parts_of[t] for t in texts]
    total = sum(per_text) if personalised else per_text[0] * len(recipients)
    return Plan(
        alphabet=encoding.FLASH if flash else alphabet,
        parts=max(per_text) if per_text else 0,
        total_parts=total,
        personalised=personalised,
    )
