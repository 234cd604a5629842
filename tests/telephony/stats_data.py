"""A fixed week of calls whose every figure is counted by hand in the tests that use it.

Team A's zone is Europe/Istanbul (UTC+3). The analysed period is Monday 2 March 2026 to
Sunday 8 March 2026; the previous period is 23 February to 1 March.

| # | Istanbul time   | source | dir | line / caller            | result    | dur | bill | talk | wait |
|---|-----------------|--------|-----|--------------------------|-----------|-----|------|------|------|
| 1 | Mon 02 23:30    | PBX    | in  | 101 ← +905321111111      | answered  | 130 | 100  | 100  | 30   |
| 2 | Mon 02 00:15 *  | PBX    | in  | 101 ← +905321111111      | no answer | 20  | 0    | -    | -    |
| 3 | Tue 03 10:05    | PBX    | in  | 102 ← +905322222222      | answered  | 70  | 60   | 60   | 10   |
| 4 | Tue 03 10:40    | PBX    | in  | 102 ← +905321111111      | busy      | 0   | 0    | -    | -    |
| 5 | Wed 04 14:00    | tel    | out | +902121234567 → …3333333 | answered  | 300 | 300  | 300  | none |
| 6 | Sun 08 23:59    | PBX    | out | 101 → +905324444444      | answered  | 45  | 40   | 40   | 5    |
| 7 | Mon 09 00:10 *  | PBX    | in  | outside: the next period                                       |
| 8 | Sun 01 23:59    | PBX    | in  | outside: the previous period's last day                        |
| 9 | Wed 25.02 12:00 | PBX    | in  | outside: the previous period                                   |
| 10| Tue 03 12:00    | team B | in  | another team's call: never counted                             |

* in UTC, call 2 is still Sunday 1 March and call 7 Sunday 8 March.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import ProviderAccount, Team
from telephony.models import CallRecord, Direction, Disposition, Source
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

ISTANBUL = ZoneInfo("Europe/Istanbul")
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)
PERIOD = {"date_from": "2026-03-02", "date_to": "2026-03-08"}
ANSWERED, NO_ANSWER, BUSY = Disposition.ANSWERED, Disposition.NO_ANSWER, Disposition.BUSY
IN, OUT = Direction.INCOMING, Direction.OUTGOING


def at(day: int, hour: int, minute: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ISTANBUL)


def make_week(team: Team, other_team: Team) -> dict[str, ProviderAccount]:
    team.time_zone = "Europe/Istanbul"
    team.save(update_fields=["time_zone"])
    pbx = ProviderAccountFactory(team=team, label="PBX account")
    tel = ProviderAccountFactory(team=team, label="Telephone account")

    def call(start: datetime, direction: str, caller: str, callee: str, disposition: str, duration: int,
             billed: int, account: ProviderAccount = pbx, source: str = Source.PBX) -> CallRecord:  # fmt: skip
        return CallRecordFactory(
            account=account, team=account.team, source=source, start=start, direction=direction, caller=caller,
            callee=callee, disposition=disposition, duration=duration, billed_seconds=billed,
        )  # fmt: skip

    call(at(2, 23, 30), IN, "+905321111111", "101", ANSWERED, 130, 100)
    call(at(2, 0, 15), IN, "+905321111111", "101", NO_ANSWER, 20, 0)
    call(at(3, 10, 5), IN, "+905322222222", "102", ANSWERED, 70, 60)
    call(at(3, 10, 40), IN, "+905321111111", "102", BUSY, 0, 0)
    call(at(4, 14, 0), OUT, "+902121234567", "+905323333333", ANSWERED, 300, 300, account=tel, source=Source.TELEPHONE)
    call(at(8, 23, 59), OUT, "101", "+905324444444", ANSWERED, 45, 40)
    call(at(9, 0, 10), IN, "+905321111111", "101", ANSWERED, 500, 500)
    call(at(1, 23, 59), IN, "+905325555555", "101", ANSWERED, 10, 5)
    call(at(25, 12, 0, month=2), IN, "+905325555555", "101", NO_ANSWER, 10, 0)
    call(at(3, 12, 0), IN, "+905321111111", "101", ANSWERED, 999, 999, account=ProviderAccountFactory(team=other_team))
    return {"pbx": pbx, "tel": tel}
