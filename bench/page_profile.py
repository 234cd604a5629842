"""What a list page spends its time on: cProfile of a page requested through the test client.

    DATABASE_URL=postgres://… .venv/bin/python bench/page_profile.py /calls/ "/fax/?direction=in" --repeat 30

Logs in the first member of ``--team`` (the CDR bench's team by default), requests each path ``--repeat`` times
under cProfile after a warm-up, prints its median and the ``--top`` functions by cumulative and own time.
Point DATABASE_URL at a database a bench filled (bench/cdr_page.py, bench/load.py --seed-only).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--team", default="CDR benchmark")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import Membership

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    member = Membership.objects.filter(team__name=args.team).select_related("user").order_by("pk").first()
    if member is None:
        raise SystemExit(f"no team named {args.team!r} in this database")
    client = Client()
    client.force_login(member.user)
    for path in args.paths:
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        print(f"\n=== {path}: median {statistics.median(times):.2f} ms over {args.repeat} requests")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
