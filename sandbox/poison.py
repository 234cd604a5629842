"""A malformed record among good ones: providers that get one record of a list wrong.

An emulator with such a list keeps a ``poison_record`` attribute (False after a reset); a test
sets it to True. Each list below then serves, right after its first good record, a copy of that
record with its id changed to ``POISON_ID`` (so it matches nothing else) and one field a client
cannot read (``POISON_TEXT`` where a time or a number belongs):

- Pasifik ``tel/history/`` (``connect_time``), ``pbx/cdr/`` (``duration``), ``fax/query/inbox/`` (``datetime``);
- Verimor ``/fdrs`` (``start_stamp``, first page only); Telsam's fax list (``created_at``, first page
  only); Telphin's received faxes (``datetime``).

Clients must skip that record, report it, and read the others (``providers/records.py``).
"""

from __future__ import annotations

from typing import Any

POISON_ID = 99000001  # as text where the list's ids are text
POISON_TEXT = "yesterday, around noon"


def poisoned(
    rows: list[dict[str, Any]], *, on: bool, id_field: str, bad_field: str, as_text: bool = False
) -> list[Any]:
    """``rows`` with the poison record after the first one when ``on`` (an empty list stays empty)."""
    if not on or not rows:
        return rows
    poison = {**rows[0], id_field: str(POISON_ID) if as_text else POISON_ID, bad_field: POISON_TEXT}
    return [rows[0], poison, *rows[1:]]
