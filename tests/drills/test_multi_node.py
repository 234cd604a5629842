"""Multi-node drill: the production topology on one machine, under load, loses one web instance and one worker
to ``kill -9``; the proxy routes around, the sends resume on the surviving worker, and no SMS or fax is sent
twice or lost.

Topology: Debian's nginx (``deploy/nginx.conf.example``, TLS with a throw-away certificate) in front of two
gunicorn instances (the Procfile's ``web`` command, ``deploy/gunicorn.conf.py``, two workers each), two Celery
workers and one beat (the Procfile's commands), PostgreSQL, Redis as broker and as the shared cache, and the
media in a private bucket of a real S3-compatible server (``tests/s3_server.py``, moto's). Every process has the
production settings (``DEBUG=0``, secure cookies, HTTPS redirects, ``SEND_STALL_SECONDS=60``, the 600 s
visibility timeout); only the addresses differ, and static files are not collected (``STATIC_MANIFEST=0``: the
load fetches pages, not their static files). The provider is the sandbox served from this process: its request
log is the evidence.

Load: people signed in through the login form click through the dashboard (and its panels), the calls list,
the SMS list and the fax list over HTTPS through nginx; one sends SMS through the New SMS page, another sends
faxes one after another through the fax pages (upload, preview, confirm). Mid-way, while the first batch is
being submitted (40 chunks of 50, each submit held 0.25 s by the sandbox), gunicorn instance 1 and the worker
running that send are killed (``kill -9`` of their process groups). A second batch goes out through the
survivors right after.

Proof: every request answered (a failed one retried once by the client, then answered: counted); nginx's log
shows it answering from the surviving instance only after the kill; the send resumes on the surviving worker
(its log, and the batch's ``resumed_at`` set by the watchdog); in the sandbox's log every number is submitted
exactly once and each confirmed fax once; everything completes. Figures are printed (``-s``).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.db.models import Q

from accounts.models import Membership, ProviderAccount, Team, User
from accounts.roles import Role
from fax.models import Direction, Fax, FaxDocument, FaxDraft, Status
from messaging.models import SmsBatch, SmsChunk
from tests.drills.conftest import (
    CACHE_REDIS_DB,
    CACHE_URL,
    REDIS_HOST,
    REDIS_PORT,
    ServedSandbox,
    Workers,
    accepted_numbers,
    child_running,
    production_environment,
    publish_after_commit,
    submitted_numbers,
    wait_until,
)
from tests.drills.sessions import Person, Tally, Unanswered, browse
from tests.drills.web_tier import WebTier, nginx_path, port_range
from tests.fax.factories import two_page_pdf
from tests.s3_server import S3Server, s3_server

SIZE_BEFORE, SIZE_AFTER, CHUNK = 2_000, 300, 50
LATENCY = 0.25  # seconds the sandbox holds each SMS submit: the kill lands with the batch half sent
KILL_AFTER = 10  # SMS submits of the first batch before the kills
BROWSERS = 4  # people clicking through the pages besides the two who send
FAX_EVERY = 3.0  # seconds between one fax's confirmation and the next one's upload
PASSWORD = "multi-node drill password"
SEND_TASK = "messaging.send_batch"
BUCKET = "telcoportal-drill-media"

pytestmark = pytest.mark.skipif(
    not nginx_path(), reason="the multi-node drill needs Debian's nginx (apt-get install nginx; .ci/run installs it)"
)


@pytest.fixture
def shared_cache(drill_db: dict[str, Any]) -> Iterator[str]:
    import redis

    store = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=CACHE_REDIS_DB)
    store.flushdb()
    yield CACHE_URL
    store.flushdb()


@pytest.fixture
def media_bucket(drill_db: dict[str, Any], tmp_path: Path) -> Iterator[S3Server]:
    """The media in a private bucket of a real S3-compatible server (moto's), as production keeps them."""
    with s3_server(port_range=port_range(), log=tmp_path / "s3.log") as s3:
        s3.bucket_create(BUCKET)
        yield s3


@pytest.fixture
def web_tier(
    drill_db: dict[str, Any],
    workers: Workers,
    served_sandbox: ServedSandbox,
    shared_cache: str,
    media_bucket: S3Server,
    tmp_path: Path,
) -> Iterator[WebTier]:
    """Two gunicorn instances behind nginx; stopped before the workers, the bucket and the database."""
    shared = {"CACHE_URL": shared_cache, **media_bucket.environment(BUCKET)}
    workers.extra_env.update(shared)
    web = WebTier(
        folder=tmp_path,
        env={
            **production_environment(drill_db, tmp_path),
            **shared,
            "STATIC_MANIFEST": "0",
            "WEB_CONCURRENCY": "2",
        },
    )
    try:
        yield web
    finally:
        web.stop()


def _people(team: Team, count: int) -> list[User]:
    # The production settings hash with PBKDF2 (the test settings' MD5 is not among their hashers).
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    people = []
    for n in range(count):
        user = User.objects.create(email=f"drill{n}@example.com", full_name=f"Drill person {n}", password=encoded)
        Membership.objects.create(team=team, user=user, role=Role.OPERATOR)
        people.append(user)
    return people


def _numbers(prefix: str, count: int) -> list[str]:
    """…1 is delivered, …9 undelivered (every 50th): both are final states a batch completes with."""
    return [f"90{prefix}{n:06d}" + ("9" if n % 50 == 0 else "1") for n in range(count)]


def sms_send(person: Person, account: ProviderAccount, numbers: list[str], text: str) -> int:
    """New SMS → typed numbers → Send; the batch's id (a retried post carries the same one-time key)."""
    form = person.get("/sms/new/")
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', form)
    assert key, "the New SMS form has no one-time key"
    data = {
        "account": account.pk,
        "sender": "DEMO",
        "text": text,
        "recipients": "\n".join("+" + n for n in numbers),
        "submission_key": key.group(1),
    }
    answer = person.post("/sms/new/", data, form=form)
    return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


class FaxClerk:
    """Sends one fax after another through the pages: upload, wait for the preview, confirm."""

    def __init__(self, person: Person, account: ProviderAccount) -> None:
        self.person, self.account = person, account
        self.confirmed: list[str] = []  # the numbers of the faxes whose confirmation was answered
        self.previews_lost = 0  # drafts whose preview never came (a render task lost with its worker)
        self.document = two_page_pdf("Drill")

    def run(self, stop: threading.Event) -> None:
        number = 0
        try:
            while not stop.is_set():
                number += 1
                with contextlib.suppress(Unanswered):  # counted in the tally
                    self.send(f"90212555{number:03d}1")
                stop.wait(FAX_EVERY)
        finally:
            connection.close()  # this thread's own (it reads the drafts): the database is dropped after the test

    def send(self, number: str) -> None:
        form = self.person.get("/fax/new/")
        data = {
            "account": self.account.pk,
            "our_number": self.account.options["fax_numbers"][0],
            "recipients": "+" + number,
            "quality": "fine",
        }
        files = {"files": ("drill.pdf", self.document, "application/pdf")}
        answer = self.person.post("/fax/new/", data, form=form, files=files)
        draft = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        began = time.monotonic()
        while not FaxDraft.objects.filter(pk=draft, rendered_at__isnull=False).exists():  # the preview polls
            if time.monotonic() - began > 30:
                self.previews_lost += 1  # the person would upload again: the next round does
                return
            time.sleep(0.3)
        preview = self.person.get(f"/fax/drafts/{draft}/")
        self.person.post(f"/fax/drafts/{draft}/", {}, form=preview)
        self.confirmed.append(number)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _state(batch_id: int) -> str:
    return SmsBatch.objects.values_list("state", flat=True).get(pk=batch_id)


def _fax_submits(sandbox: Any) -> Counter[str]:
    """Each number in each fax submit the sandbox received."""
    sent: Counter[str] = Counter()
    for recorded in sandbox.requests_for("pasifik", "fax/submit"):
        if recorded.method == "POST":
            try:
                sent.update(n.strip() for n in recorded.json()["to"].split(",") if n.strip())
            except ValueError:
                continue
    return sent


def test_kill_9_of_a_web_instance_and_a_worker_under_load_loses_and_doubles_nothing(
    broker: Any,
    workers: Workers,
    served_sandbox: ServedSandbox,
    pasifik_account: Any,
    web_tier: WebTier,
    media_bucket: S3Server,
) -> None:
    sandbox = served_sandbox.sandbox
    team = Team.objects.create(name="Multi-node drill team")
    account = pasifik_account(team, sms_chunk_size=CHUNK)
    users = _people(team, BROWSERS + 2)
    before, after = _numbers("535", SIZE_BEFORE), _numbers("536", SIZE_AFTER)
    sandbox.inject("latency", provider="pasifik", path="sms/submit", times=10 * SIZE_BEFORE, delay=LATENCY)
    demo_messages = Counter(accepted_numbers(sandbox))  # the sandbox starts with a few sends of its own
    demo_faxes = _fax_submits(sandbox)

    started = time.monotonic()
    workers.start(named=True)
    workers.start(named=True)
    workers.start_beat()
    web_tier.start(2)
    began = time.monotonic()
    started_in = began - started

    tally = Tally()
    people = [Person(web_tier.url, web_tier.certificate, u.email, PASSWORD, tally) for u in users]  # type: ignore[arg-type]
    for person in people:
        person.log_in()
    sender, clerk = people[0], FaxClerk(people[1], account)
    stop_browsing, stop_faxing = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=browse, args=(p, stop_browsing, n), daemon=True) for n, p in enumerate(people[2:])
    ]
    threads.append(threading.Thread(target=clerk.run, args=(stop_faxing,), daemon=True))
    for thread in threads:
        thread.start()

    try:
        first = sms_send(sender, account, before, "Çok düğümlü tatbikat: bu mesaj bir kez gelir.")

        def sent_of(numbers: list[str]) -> int:
            wanted = {n[-10:] for n in numbers}
            return sum(1 for n in submitted_numbers(sandbox) if n in wanted)

        wait_until(lambda: sent_of(before) >= KILL_AFTER * CHUNK, timeout=120, what="the first submits", every=0.05)

        # --- the kills: gunicorn instance 1, and the worker whose child is sending the batch ---
        sending_worker = _parent(child_running(broker, SEND_TASK))
        [victim] = [w for w in workers.running if w.pid == sending_worker]
        survivor = next(w for w in workers.running if w is not victim)
        survivor_log = workers.logs / f"worker{workers.running.index(survivor) + 1}.log"
        survivor_log_seen = survivor_log.stat().st_size
        web_tier.kill(1)
        workers.kill(victim)
        killed_at, killed_epoch = time.monotonic(), time.time()
        time.sleep(0.5)  # a request accepted just before the kill is logged when its thread starts
        at_kill = sent_of(before)
        chunks_at_kill = Counter(SmsChunk.objects.filter(batch_id=first).values_list("state", flat=True))
        assert chunks_at_kill[SmsChunk.State.QUEUED] > 0, chunks_at_kill  # the kill came in the middle

        second = sms_send(sender, account, after, "Sağ kalan düğümlerden gönderilen toplu mesaj.")
        wait_until(lambda: sent_of(before) > at_kill, timeout=150, what="the first batch resumes", workers=workers)
        resumed_in = time.monotonic() - killed_at
        chunks = SmsChunk.objects.filter(batch_id__in=[first, second])
        wait_until(
            lambda: not chunks.filter(state=SmsChunk.State.QUEUED).exists(),
            timeout=150,
            what="every chunk of both batches taken up",
            workers=workers,
        )
    finally:
        stop_browsing.set()
        stop_faxing.set()
        for thread in threads:
            thread.join(timeout=60)
    load_seconds = time.monotonic() - began

    # What was on the wire at the kill settles from the provider's reports: a chunk the provider never got only
    # after SMS_RECONCILE_GRACE_SECONDS (120 s), then it is sent; deliveries and fax outcomes settle in sandbox
    # time. The drill polls sooner than beat's minute.
    faxes = Fax.objects.filter(team=team, direction=Direction.OUTGOING)
    # A fax whose worker died mid-send (its upload or submit on the wire) is marked outcome-unknown by the fax
    # send watchdog once its task's time limit has passed, and is never sent again blindly: the provider's
    # records settle it (not there after 15 minutes: failed, and the person is told).
    cut_off = Q(status=Status.SENDING, outcome_unknown=True, provider_id="")
    done = {SmsBatch.State.SUBMITTED, SmsBatch.State.COMPLETED}
    submitted_in = 0.0

    def settled() -> bool:
        nonlocal submitted_in
        states = {_state(first), _state(second)}
        if not submitted_in and states <= done:
            submitted_in = time.monotonic() - killed_at
        if states == {SmsBatch.State.COMPLETED} and not faxes.exclude(status=Status.SENT).exclude(cut_off).exists():
            return True
        sandbox.clock.advance(60)
        publish_after_commit(broker, "messaging.poll_reports")
        publish_after_commit(broker, "fax.poll_outgoing_faxes")
        time.sleep(2)
        return False

    wait_until(settled, timeout=300, what="every batch completed and every fax sent or cut off", workers=workers)
    completed_in = time.monotonic() - killed_at

    # --- the web tier: every request answered, the proxy routed around the dead instance ---
    web_failures = [t - killed_at for t in tally.failed_at if t >= killed_at - 1]
    web_recovery = max([0.0, *web_failures])  # the last failure at or after the kill
    routed_before = web_tier.routed(until=killed_epoch)
    routed_after = web_tier.routed(since=killed_epoch + max(1.0, web_recovery))
    dead, alive = web_tier.upstream(1), web_tier.upstream(2)
    failed_after = [round(t - killed_at, 1) for t in tally.failed_at]
    assert not tally.errors, (
        f"{len(tally.errors)} requests not answered even on a retry ({failed_after} s after the kill): "
        f"{tally.errors[:5]}\n{web_tier.tail()}"
    )
    assert routed_before.by_upstream[dead] > 0 and routed_before.by_upstream[alive] > 0, routed_before
    assert routed_after.requests > 0 and set(routed_after.by_upstream) == {alive}, routed_after

    # --- the sends: resumed on the surviving worker, every number and fax once ---
    resumed_there = survivor_log.read_bytes()[survivor_log_seen:].decode(errors="replace")
    assert re.search(rf"Task {re.escape(SEND_TASK)}\[[^\]]+\] received", resumed_there), workers.tail()
    assert SmsBatch.objects.get(pk=first).resumed_at is not None  # the watchdog, not Redis' 600 s timeout
    sent = Counter(submitted_numbers(sandbox))
    expected = [n[-10:] for n in before + after]
    twice = [n for n, c in sent.items() if c > 1]
    missed = [n for n in expected if n not in sent]
    assert not twice, f"{len(twice)} numbers submitted more than once, e.g. {twice[:5]}"
    assert not missed, f"{len(missed)} numbers never submitted, e.g. {missed[:5]}"
    assert sorted(sent) == sorted(expected)
    assert Counter(accepted_numbers(sandbox)) - demo_messages == sent
    fax_sent = _fax_submits(sandbox) - demo_faxes
    fax_cut_off = sorted(faxes.filter(cut_off).values_list("remote_number", flat=True))
    fax_twice = [n for n, c in fax_sent.items() if c > 1]
    fax_missed = [n for n in clerk.confirmed if n not in fax_sent and n not in fax_cut_off]
    assert len(clerk.confirmed) >= 5, clerk.confirmed
    assert not fax_twice and not fax_missed, (fax_twice, fax_missed)
    assert sorted(faxes.values_list("remote_number", flat=True)) == sorted(clerk.confirmed)
    assert sorted(fax_sent) == sorted(set(clerk.confirmed) - set(fax_cut_off))  # each sent fax once
    assert set(faxes.exclude(cut_off).values_list("status", flat=True)) == {Status.SENT}
    assert len(fax_cut_off) <= 2, fax_cut_off  # at most one per prefork child of the killed worker
    # The documents the web tier took in and the workers drew and sent are all in the bucket.
    in_bucket = set(media_bucket.keys(BUCKET))
    documents = list(FaxDocument.objects.filter(fax__in=faxes).values_list("file", flat=True))
    assert documents and set(documents) <= in_bucket, set(documents) - in_bucket

    print(
        f"\nmulti-node drill: 2 gunicorn behind nginx, 2 workers, 1 beat (up in {started_in:.0f} s); "
        f"{load_seconds:.0f} s of load by {len(people)} people; {time.monotonic() - started:.0f} s in all\n"
        f"  web: {tally.requests} requests, {len(tally.errors)} errors, {tally.retried} answered on the client's "
        f"retry; nginx routed {routed_before.requests + routed_after.requests} requests, "
        f"{web_tier.routed().routed_around} of them passed on to the other instance; every request answered again "
        f"{web_recovery:.1f} s after the kill\n"
        f"  sends: {len(expected):,} SMS in 2 batches, {sum(sent.values()):,} submitted, {len(twice)} twice, "
        f"{len(missed)} lost; {len(clerk.confirmed)} faxes confirmed, {sum(fax_sent.values())} submitted, "
        f"{len(fax_twice)} twice, {len(fax_missed)} lost, {len(fax_cut_off)} cut off on the wire by the kill (not "
        f"submitted, outcome unknown); {clerk.previews_lost} previews lost\n"
        f"  recovery: chunks at the kill {dict(chunks_at_kill)}; the send resumed on the surviving worker "
        f"{resumed_in:.1f} s after the kill, all submitted after {submitted_in:.1f} s, completed after "
        f"{completed_in:.1f} s"
    )
