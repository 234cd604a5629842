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
    """The alphabet that carries every recipient's text, and the parts it costs."""
    personalised = bool(placeholders(text))
    texts = [render(text, r.values) for r in recipients] if personalised else [text]
    alphabet = encoding.DEFAULT
    for name in encoding.ALPHABETS:
        if all(encoding.fits(t, name) for t in texts):
            alphabet = name
            break
    per_text = [encoding.segments(t, reserve=reserve, alphabet=alphabet).parts for t in texts]
    total = sum(per_text) if personalised else per_text[0] * len(recipients)
    return Plan(
        alphabet=encoding.FLASH if flash else alphabet,
        parts=max(per_text) if per_text else 0,
        total_parts=total,
        personalised=personalised,
    )
