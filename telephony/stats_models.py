"""The calls analytics rollup: per day of the team's zone, what /calls/stats/ needs, kept by a periodic task.

Rows hold counts and sums per (day, hour, account, direction, line) and talk-time counts per
(day, account, direction, talk seconds): no caller's number, so erasing a person's data never
has to look here. ``CallStatDay`` records, per day, the count, last import time and highest id
of the call records the rows were made from; a day whose records no longer match is made again.
"""

from __future__ import annotations

from django.db import models

from accounts.models import ProviderAccount, Team


class CallStatState(models.Model):
    """The rollup of a team covers every day of ``zone`` that ended before ``refreshed_at``."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="call_stat_state")
    zone = models.CharField(max_length=64)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.team_id} {self.zone} {self.refreshed_at}"


class CallStatDay(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    zone = models.CharField(max_length=64)
    day = models.DateField()
    calls = models.PositiveIntegerField()
    last_imported = models.DateTimeField(null=True)
    max_id = models.BigIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "zone", "day"], name="call_stat_day_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.zone} {self.day}"


class CallStatHour(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    zone = models.CharField(max_length=64)
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8)
    line = models.CharField(max_length=64)
    calls = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    talk_seconds = models.BigIntegerField()
    wait_seconds = models.BigIntegerField()
    wait_calls = models.PositiveIntegerField()
    max_talk = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["team", "zone", "day"], name="call_stat_hour_day")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.hour} {self.line}"


class CallStatTalk(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    zone = models.CharField(max_length=64)
    day = models.DateField()
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8)
    talk = models.PositiveIntegerField()
    calls = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["team", "zone", "day"], name="call_stat_talk_day")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.talk}"
