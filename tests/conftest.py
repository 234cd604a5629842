"""Three people, as in the house style: alice owns team A, bob is a viewer in
team A, charlie is an outsider who owns team B."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.models import Membership, ProviderAccount, Team, User
from accounts.roles import Role
from sandbox.app import build_sandbox
from sandbox.core import RunningSandbox, Sandbox
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.mail_servers import smtp_server  # noqa: F401 (the fixture: a real SMTP receiver, Django's mail sent to it)
from tests.s3_server import S3Server, s3_server
from tests.stored_media import LOCAL_STORAGE, S3_STORAGE, StoredMedia

# --- the whole suite at another hour ---------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        metavar="TIME",
        help="run the suite as if the clock read TIME, then let it tick: an ISO date-time "
        "(2026-11-30T23:30+03:00) or HH:MM, today in Istanbul (`make test-late` uses 23:30)",
    )


def start_of_run(value: str, today: datetime | None = None) -> datetime:
    """``--at``'s value as an aware date-time; ``HH:MM`` is that time of today in Istanbul."""
    istanbul = ZoneInfo("Europe/Istanbul")
    if len(value) <= 5 and ":" in value:
        day = (today or datetime.now(istanbul)).astimezone(istanbul).date()
        return datetime.combine(day, time.fromisoformat(value), tzinfo=istanbul)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError("--at needs a time zone, e.g. 2026-11-30T23:30+03:00")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("--at", default=None)
    if value:
        import time_machine

        # Python's clocks (datetime, time.time) travel; SQLite's and PostgreSQL's do not,
        # so `make test-late` runs on SQLite, whose timestamps come from Django.
        traveller = time_machine.travel(start_of_run(value), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--at", default=None)
    return f"clock: the run starts at {start_of_run(value).isoformat()}" if value else None


@pytest.fixture(autouse=True)
def _english_and_empty_cache(settings) -> Iterator[None]:
    from django.core.cache import cache

    settings.LANGUAGE_CODE = "en"
    cache.clear()  # the dashboard caches its series; one test's data must not show in the next
    yield
    cache.clear()


@pytest.fixture
def team_a(db) -> Team:
    return TeamFactory(name="Team A")


@pytest.fixture
def team_b(db) -> Team:
    return TeamFactory(name="Team B")


@pytest.fixture
def alice(team_a: Team) -> User:
    return MembershipFactory(team=team_a, user=UserFactory(email="alice@example.com"), role=Role.OWNER).user


@pytest.fixture
def bob(team_a: Team) -> User:
    return MembershipFactory(team=team_a, user=UserFactory(email="bob@example.com"), role=Role.VIEWER).user


@pytest.fixture
def charlie(team_b: Team) -> User:
    return MembershipFactory(team=team_b, user=UserFactory(email="charlie@example.com"), role=Role.OWNER).user


@pytest.fixture
def member_of(db) -> Callable[[Team, str], User]:
    def make(team: Team, role: str) -> User:
        return MembershipFactory(team=team, role=role).user

    return make


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob: User) -> Client:
    return client_for(bob)


def membership(user: User, team: Team) -> Membership:
    return Membership.objects.get(user=user, team=team)


# --- the provider sandbox over real HTTP -------------------------------------


@pytest.fixture(scope="session")
def running_sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(build_sandbox()) as running:
        yield running


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> Iterator[Sandbox]:
    """The sandbox, with fresh state (and no leftover faults) for each test."""
    running_sandbox.sandbox.reset()
    yield running_sandbox.sandbox
    running_sandbox.sandbox.reset()


@pytest.fixture
def sandbox_url(running_sandbox: RunningSandbox, sandbox: Sandbox, settings) -> str:
    """The sandbox's origin, allowed explicitly (as `make demo` does) and nothing else on loopback."""
    settings.PROVIDER_URL_ALLOWLIST = [*settings.PROVIDER_URL_ALLOWLIST, running_sandbox.url]
    return running_sandbox.url


@pytest.fixture
def sandbox_account(sandbox_url: str) -> Callable[..., ProviderAccount]:
    """``sandbox_account(team, "pasifik")``: a provider account on the sandbox with its demo credentials."""
    from sandbox.management.commands.demo_setup import sandbox_credentials, sandbox_options

    def make(team: Team, kind: str, **fields: object) -> ProviderAccount:
        values: dict[str, object] = {
            "kind": kind,
            "label": f"{kind} sandbox {ProviderAccount.objects.count() + 1}",
            "credentials": sandbox_credentials(kind),
            "options": sandbox_options(kind),
            "base_url": f"{sandbox_url}/{kind}",
            **fields,
        }
        return ProviderAccount.objects.create(team=team, **values)

    return make


# --- media storage: the local folder, and a real S3-compatible server ------------------------------


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server in its own process, once per run (tests/s3_server.py)."""
    with s3_server() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def storage_backend(request: pytest.FixtureRequest, settings, tmp_path) -> StoredMedia:
    """Runs the test twice: media in a local folder, then in a fresh bucket of the S3 server.

    The returned object lists what storage really holds (on S3 asked of the server with boto3).
    """
    if request.param == "local":
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": LOCAL_STORAGE}}
        return StoredMedia(kind="local", root=settings.MEDIA_ROOT)
    server: S3Server = request.getfixturevalue("s3")
    bucket = f"media-{uuid.uuid4().hex[:20]}"
    server.bucket_create(bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_STORAGE, "OPTIONS": server.storage_options(bucket)},
    }
    return StoredMedia(kind="s3", server=server, bucket=bucket)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # `-m storage` selects every test that runs against both storages
        if "storage_backend" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)
