"""What the provider accounts tell the apps above them (accounts imports none of them).

``provider_checked``: a connection check was recorded. Keyword arguments:
``account``, ``ok``, ``error`` (a stored text or a message; empty when ok) and
``was_healthy`` (True when a periodic check, not a person, found working
credentials failing). The notifications app tells the team.
"""

from __future__ import annotations

from django.dispatch import Signal

provider_checked = Signal()
