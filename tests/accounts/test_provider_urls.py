"""Provider requests go only where they may (issue 11, "Provider URLs").

Each attempt aims at a real HTTP server this test runs on loopback, which
records every request it gets: a refused attempt must leave it untouched, and
nothing it answers may be echoed to the person.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderAccount, Team
from accounts.provider_checks import provider_account_check
from providers.errors import AuthenticationFailed, RequestRefused, UnexpectedResponse
from providers.pasifik import PasifikClient
from providers.telsam import TelsamClient
from providers.urlsafety import AllowList, UrlGuard
from sandbox.management.commands.demo_setup import sandbox_credentials

MARKER = "INTERNAL-ANSWER-7f3a"  # what an internal service would answer: must never reach a page


@dataclass
class Target:
    """An HTTP server on loopback that counts what reaches it."""

    status: int = 200
    body: str = f'{{"message": "{MARKER}"}}'
    headers: dict[str, str] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _serve(target: Target) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            target.hits.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            body = target.body.encode()
            self.send_response(target.status)
            for name, value in {"Content-Type": "application/json", **target.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def make_target() -> Iterator[Callable[..., Target]]:
    servers: list[ThreadingHTTPServer] = []

    def make(**kwargs: object) -> Target:
        target = Target(**kwargs)
        target.server = _serve(target)
        servers.append(target.server)
        return target

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def target(make_target: Callable[..., Target]) -> Target:
    return make_target()


def _stored(team: Team, kind: str = "pasifik", **fields: object) -> ProviderAccount:
    """A row as an older version (or a raw database edit) could have stored it, past today's form."""
    values: dict[str, object] = {"label": f"{kind} {ProviderAccount.objects.count()}", "kind": kind}
    values.update(credentials=sandbox_credentials(kind), **fields)
    return ProviderAccount.objects.create(team=team, **values)


# --- the form refuses every address that is neither documented nor allowed ------------------------


ATTEMPTS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://[::1]:6379/",
    "http://127.0.0.1:{port}/",
    "http://127.0.0.1:1/",  # a closed port answers exactly like an open one
    "http://localhost:{port}/",
    "https://oim.pasifiktelekom.com.tr:8443/",  # the documented host, another port
    "http://oim.pasifiktelekom.com.tr/",  # the documented host, in clear
]


def _create(client: Client, base_url: str, **extra: str) -> object:
    return client.post(
        reverse("provider-create", args=["pasifik"]),
        {
            "label": "Probe",
            "cred_username": "demo",
            "cred_password": "demo-pass",
            "opt_language": "tr",
            "opt_auth_scheme": "bare",
            "base_url": base_url,
            "is_active": "on",
            **extra,
        },
    )


@pytest.mark.django_db
def test_the_form_refuses_every_address_not_allowed_with_one_message(alice_client: Client, target: Target) -> None:
    messages = set()
    for attempt in ATTEMPTS:
        response = _create(alice_client, attempt.format(port=target.port))
        assert response.status_code == 400, attempt
        messages.add(tuple(response.context["form"].errors["base_url"]))
    assert len(messages) == 1, messages  # nothing tells one refused target from another
    assert "PROVIDER_URL_ALLOWLIST" in next(iter(messages))[0]
    assert not ProviderAccount.objects.filter(label="Probe").exists()
    assert target.hits == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("{url}/pasifik?", "“?” or “#”"),
        ("{url}/pasifik#x", "“?” or “#”"),
        ("http://demo:pw@127.0.0.1:{port}/", "user name or password"),
        ("ftp://127.0.0.1:{port}/", "only http:// and https://"),
    ],
)
def test_the_form_says_what_is_wrong_with_an_allowed_address(
    alice_client: Client, target: Target, settings, base_url: str, reason: str
) -> None:
    settings.PROVIDER_URL_ALLOWLIST = [target.url]
    response = _create(alice_client, base_url.format(url=target.url, port=target.port))
    assert response.status_code == 400
    assert reason in response.context["form"].errors["base_url"][0]
    assert target.hits == []


@pytest.mark.django_db
def test_an_allowed_origin_is_accepted(alice_client: Client, target: Target, settings) -> None:
    settings.PROVIDER_URL_ALLOWLIST = [target.url]
    response = _create(alice_client, f"{target.url}/pasifik")
    assert response.status_code == 302
    assert ProviderAccount.objects.get(label="Probe").base_url == f"{target.url}/pasifik"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "base_url",
    ["http://[127.0.0.1]:{port}/", "http://[::1/", "http://[::ffff:127.0.0.1]:{port}/", "http://2130706433:{port}/",
     "http://0177.0.0.1:{port}/", "http://0.0.0.0:{port}/", "http://a.localhost:{port}/", "http://127.1:{port}/"],
)  # fmt: skip
def test_odd_spellings_of_a_loopback_address_are_refused_not_a_crash(
    alice_client: Client, target: Target, settings, base_url: str
) -> None:
    settings.PROVIDER_URL_ALLOWLIST = [target.url]  # 127.0.0.1 on this port is allowed, only as written so
    response = _create(alice_client, base_url.format(port=target.port))
    assert response.status_code == 400
    assert "not allowed" in response.context["form"].errors["base_url"][0]
    assert target.hits == []


@pytest.mark.django_db
def test_a_base_url_longer_than_its_column_is_a_form_error(alice_client: Client, target: Target, settings) -> None:
    settings.PROVIDER_URL_ALLOWLIST = [target.url]
    response = _create(alice_client, f"{target.url}/{'a' * 250}")
    assert response.status_code == 400
    assert "200" in response.context["form"].errors["base_url"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["http://169.254.169.254/steal", "//127.0.0.1:6379/x", "/fax/send?to=x", "/../../admin", "/fax/%2e%2e/x"]
)
def test_path_options_are_plain_paths(alice_client: Client, path: str) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["telsam"]),
        {
            "label": "Telsam",
            "cred_client_id": "3",
            "cred_client_secret": "s3cret",
            "opt_send_path": path,
            "opt_download_path": "/fax/{id}/download",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "plain path" in response.context["form"].errors["opt_send_path"][0]


# --- at request time: stored rows, DNS, redirects --------------------------------------------------


@pytest.mark.django_db
def test_a_stored_loopback_base_url_is_refused_before_any_byte_is_sent(
    alice_client: Client, team_a: Team, target: Target
) -> None:
    account = _stored(team_a, base_url=f"{target.url}/pasifik")
    response = alice_client.post(reverse("provider-test", args=[account.pk]), follow=True)
    page = response.content.decode()
    assert "cannot be used" in page and "PROVIDER_URL_ALLOWLIST" in page
    assert MARKER not in page
    assert target.hits == []


@pytest.mark.django_db
@pytest.mark.parametrize("base_url", ["http://[127.0.0.1]:9/", "http://[::1", "http://127.0.0.1:9:6379/"])
def test_a_stored_base_url_that_cannot_even_be_parsed_is_a_message_in_the_worker(team_a: Team, base_url: str) -> None:
    account = _stored(team_a, base_url=base_url)
    result = provider_account_check(account=account)  # what the periodic check runs
    assert not result.ok and "not allowed" in result.message


@pytest.mark.django_db
def test_refused_targets_all_read_the_same_at_request_time(team_a: Team, make_target: Callable[..., Target]) -> None:
    open_port, closed = make_target(), make_target()
    closed_url = closed.url
    assert closed.server is not None
    closed.server.shutdown()
    closed.server.server_close()
    messages = set()
    for url in (open_port.url, closed_url, "http://10.255.255.1", "http://169.254.169.254"):
        account = _stored(team_a, base_url=url)
        messages.add(provider_account_check(account=account).message.replace(account.label, ""))
    assert len(messages) == 1, messages
    assert open_port.hits == []


def test_a_name_that_resolves_to_loopback_is_refused_after_dns(target: Target) -> None:
    # The origin is allowed by name, but its address is loopback and no network entry allows it.
    guard = UrlGuard("pasifik", AllowList.parse([f"http://localhost:{target.port}"]))
    client = PasifikClient(
        username="demo", password="demo-pass", base_url=f"http://localhost:{target.port}", guard=guard
    )
    with pytest.raises(RequestRefused) as caught:
        client.user_settings()
    assert caught.value.reason == "address"
    assert target.hits == []


def test_the_same_request_goes_through_once_the_operator_allows_the_network(target: Target) -> None:
    # The control for the test above: the server answers when the address is allowed.
    target.body = '{"message": "nope"}'
    target.status = 401
    allowlist = AllowList.parse([f"http://localhost:{target.port}", "127.0.0.0/8", "::1"])
    guard = UrlGuard("pasifik", allowlist)
    client = PasifikClient(
        username="demo", password="demo-pass", base_url=f"http://localhost:{target.port}", guard=guard
    )
    with pytest.raises(AuthenticationFailed):  # its answer arrived
        client.user_settings()
    assert len(target.hits) == 1


def test_a_question_mark_in_a_stored_base_url_is_refused_before_sending(target: Target) -> None:
    guard = UrlGuard("verimor", AllowList.parse([target.url]))
    from providers.verimor import VerimorClient

    client = VerimorClient(key="k", base_url=f"{target.url}/x?", guard=guard)
    with pytest.raises(RequestRefused) as caught:
        client.fax_orders()
    assert caught.value.reason == "query"
    assert target.hits == []


def test_an_absolute_path_option_cannot_leave_the_base_url(make_target: Callable[..., Target]) -> None:
    allowed, elsewhere = make_target(), make_target()
    guard = UrlGuard("telsam", AllowList.parse([allowed.url]))
    client = TelsamClient(
        client_id="3",
        client_secret="s3cret",
        username="u",
        password="pw",
        base_url=allowed.url,
        send_path=f"{elsewhere.url}/steal",
        guard=guard,
    )
    with pytest.raises(RequestRefused) as caught:
        client.fax_send(did="902129630131", phones=["902129630132"], files=[b"%PDF-1.4 test"])
    assert caught.value.reason == "path"
    assert elsewhere.hits == []


@pytest.mark.django_db
def test_a_stored_absolute_path_option_makes_the_account_unusable_not_a_request(
    team_a: Team, make_target: Callable[..., Target], settings
) -> None:
    allowed, elsewhere = make_target(), make_target()
    settings.PROVIDER_URL_ALLOWLIST = [allowed.url]
    account = _stored(
        team_a, "telsam", base_url=allowed.url, options={"download_path": f"{elsewhere.url}/{{id}}/download"}
    )
    result = provider_account_check(account=account)
    assert not result.ok
    assert "plain path" in result.message
    assert allowed.hits == [] and elsewhere.hits == []


@pytest.mark.django_db
def test_redirects_are_not_followed(team_a: Team, make_target: Callable[..., Target], settings) -> None:
    inside = make_target()
    allowed = make_target(status=302, headers={"Location": f"{inside.url}/steal"}, body=MARKER)
    settings.PROVIDER_URL_ALLOWLIST = [allowed.url]
    account = _stored(team_a, base_url=f"{allowed.url}/pasifik")
    result = provider_account_check(account=account)
    assert not result.ok
    assert "could not read" in result.message
    assert MARKER not in result.message
    assert len(allowed.hits) == 1 and inside.hits == []


def test_a_redirect_is_an_unexpected_answer_in_the_client(make_target: Callable[..., Target]) -> None:
    inside = make_target()
    allowed = make_target(status=307, headers={"Location": f"{inside.url}/x"})
    guard = UrlGuard("pasifik", AllowList.parse([allowed.url]))
    client = PasifikClient(username="demo", password="demo-pass", base_url=allowed.url, guard=guard)
    with pytest.raises(UnexpectedResponse):
        client.user_settings()
    assert inside.hits == []


# --- what a person sees of an answer ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", [200, 401, 404, 500])
def test_answers_of_hosts_that_are_not_the_providers_are_never_echoed(
    alice_client: Client, team_a: Team, make_target: Callable[..., Target], settings, status: int
) -> None:
    server = make_target(status=status, body=f"<html>{MARKER}</html>", headers={"Content-Type": "text/html"})
    settings.PROVIDER_URL_ALLOWLIST = [server.url]
    account = _stored(team_a, base_url=f"{server.url}/pasifik")
    response = alice_client.post(reverse("provider-test", args=[account.pk]), follow=True)
    assert len(server.hits) >= 1  # it did answer
    assert MARKER not in response.content.decode()
    assert MARKER not in ProviderAccount.objects.get(pk=account.pk).last_error_text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["pasifik", "telsam", "verimor", "telphin"])
def test_every_client_the_portal_builds_is_guarded(team_a: Team, kind: str) -> None:
    from accounts.provider_clients import client_for
    from providers.urlsafety import GuardedAdapter

    transport = client_for(_stored(team_a, kind)).transport
    assert transport.guard is not None and transport.guard.provider == kind
    assert isinstance(transport.session.get_adapter("https://x.example/"), GuardedAdapter)
    assert isinstance(transport.session.get_adapter("http://x.example/"), GuardedAdapter)
    assert transport.session.trust_env is False
