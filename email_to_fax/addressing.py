"""Where a mail says what to fax to, and through which account (docs/fax-email.md, "Email to fax").

- The recipient address: ``905321234567@fax.example.com``, ``+905321234567@…`` or ``fax+905321234567@…``
  (the number as the local part, or after a ``+`` in it), on any of the mail's recipient addresses.
- The subject: ``Fax: +90 532 123 45 67`` (or ``Faks:``), several numbers separated by commas or semicolons.
- The provider account: its name in square brackets anywhere in the subject, ``[Telsam Istanbul]``;
  without one, the mailbox's default account.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fax.forms import parse_recipients

SUBJECT_NUMBERS = re.compile(r"\b(?:fax|faks)\s*:\s*(?P<numbers>[^\[\]]+)", re.IGNORECASE)
ACCOUNT_NAME = re.compile(r"\[(?P<name>[^\[\]]{1,100})\]")
NUMBER_LOCAL_PART = re.compile(r"^(?:[^+@]*\+)?(?P<number>\+?\d{7,15})$")


@dataclass(frozen=True)
class Addressed:
    numbers: list[str]  # international digits, no "+"
    bad: list[str]  # what was written as a number but is not a valid one
    account_name: str


def numbers_from(*, subject: str, recipients: Sequence[str], domains: Sequence[str] = ()) -> Addressed:
    """The fax numbers a mail names: its recipient addresses first, then its subject.

    ``domains``: when given, only recipient addresses at these domains (or under them) are read as numbers.
    """
    written: list[str] = []
    for address in recipients:
        local, _, domain = address.rpartition("@")
        if domains and not any(domain == d or domain.endswith("." + d) for d in domains):
            continue
        match = NUMBER_LOCAL_PART.match(local)
        if match:
            written.append(match["number"])
    found = SUBJECT_NUMBERS.search(subject)
    if found:
        written.append(found["numbers"])
    numbers, bad = parse_recipients("\n".join(written))
    account = ACCOUNT_NAME.search(subject)
    return Addressed(numbers=numbers, bad=bad, account_name=account["name"].strip() if account else "")
