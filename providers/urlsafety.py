"""Where provider requests may go.

A provider account names a base URL, and options name paths under it. A team
admin types both, so they are checked as untrusted input:

* the base URL is one of the provider's documented addresses, or an origin the
  operator lists in the allow-list (the sandbox, a provider's test host);
* it has no user name, password, query or fragment, and every path under it is
  a plain path (never an absolute URL, a ``?`` or a ``..``), so the built URL
  always stays on the allowed origin;
* every connection resolves the host itself and refuses private, loopback,
  link-local, multicast, reserved and unspecified addresses unless the
  allow-list names them, then connects to the very address it checked (no
  second lookup an attacker's DNS could answer differently).

Every refused target gets the same ``RequestRefused`` reason ``"address"``, so
nothing tells a closed port from an open one or a name from an address.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from .errors import RequestRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list[tuple[Any, ...]]]

# The addresses the providers' own API documents give (see docs/providers.md), with the schemes they use.
DOCUMENTED_ORIGINS: dict[str, tuple[str, ...]] = {
    "pasifik": ("https://oim.pasifiktelekom.com.tr",),
    # The document gives http://; docs/providers.md keeps https as the default and allows the documented http.
    "telsam": ("https://yenifaks.telsam.com.tr", "http://yenifaks.telsam.com.tr"),
    "verimor": ("https://api.bulutsantralim.com", "http://api.bulutsantralim.com"),
    "telphin": ("https://apiproxy.telphin.ru",),
}

DEFAULT_PORTS = {"http": 80, "https": 443}
# A path under the base URL: letters, digits and - . _ ~ / only (and {…} placeholders in option templates).
_PATH = re.compile(r"^[A-Za-z0-9\-._~/]*$")
_PATH_TEMPLATE = re.compile(r"^[A-Za-z0-9\-._~/{}]*$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        """The origin of ``url``; ValueError when it has none we accept."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        port = parts.port  # ValueError for a port that is not a number or out of range
        return cls(scheme, parts.hostname.rstrip(".").lower(), port or DEFAULT_PORTS[scheme])

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def address(self) -> IPAddress | None:
        """The host when it is an IP address literal."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


@dataclass(frozen=True)
class AllowList:
    """The operator's ``PROVIDER_URL_ALLOWLIST``.

    Each entry is either an origin (``scheme://host[:port]``: a base URL on it
    is allowed; when the host is an IP address, connecting to that address is
    allowed too) or a network (``10.0.0.0/8``, ``127.0.0.1``: connecting to a
    private address in it is allowed for any allowed origin).
    """

    origins: frozenset[Origin] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        origins: set[Origin] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            if "://" in entry:
                parts = urlsplit(entry)
                if parts.username or parts.password or parts.query or parts.fragment or parts.path.strip("/"):
                    raise ValueError(f"PROVIDER_URL_ALLOWLIST entry {entry!r}: give scheme://host[:port] only")
                try:
                    origins.add(Origin.of(entry))
                except ValueError:
                    raise ValueError(f"PROVIDER_URL_ALLOWLIST entry {entry!r}: not an http(s) origin") from None
            else:
                try:
                    networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError:
                    raise ValueError(
                        f"PROVIDER_URL_ALLOWLIST entry {entry!r}: give scheme://host[:port] or an IP network"
                    ) from None
        return cls(frozenset(origins), tuple(networks))


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet (IPv4 embedded in IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def refused(provider: str, reason: str, message: str) -> RequestRefused:
    return RequestRefused(message, reason=reason, provider=provider)


def check_path(path: str, *, provider: str = "", template: bool = False) -> None:
    """A plain path under the base URL: no scheme, host, query, fragment, ``..`` or encoded characters."""
    pattern = _PATH_TEMPLATE if template else _PATH
    if not pattern.match(path or "") or path.startswith("//") or ".." in path.split("/"):
        raise refused(provider, "path", f"not a plain path under the base URL: {path[:80]!r}")


@dataclass
class UrlGuard:
    """The checks for one provider kind and the operator's allow-list."""

    provider: str
    allowlist: AllowList = field(default_factory=AllowList)
    resolve: Resolver = socket.getaddrinfo

    @property
    def documented(self) -> frozenset[Origin]:
        return frozenset(Origin.of(url) for url in DOCUMENTED_ORIGINS.get(self.provider, ()))

    def is_documented(self, url: str) -> bool:
        try:
            return Origin.of(url) in self.documented
        except ValueError:
            return False

    def check_url(self, url: str) -> Origin:
        """The origin of a base URL or of a built request URL; RequestRefused unless it may be used."""
        text = url or ""
        if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text):
            raise refused(self.provider, "syntax", "the address holds spaces, control characters or backslashes")
        try:
            parts = urlsplit(text)
        except ValueError:  # "[127.0.0.1]", an unclosed "[": no origin to judge
            raise refused(self.provider, "address", "this address is not allowed") from None
        if parts.scheme.lower() not in DEFAULT_PORTS:
            raise refused(self.provider, "scheme", "only http:// and https:// addresses are allowed")
        if "@" in parts.netloc:
            raise refused(self.provider, "userinfo", "the address holds a user name or password")
        try:
            origin = Origin.of(text)
        except ValueError:
            raise refused(self.provider, "address", "this address is not allowed") from None
        if origin not in self.documented and origin not in self.allowlist.origins:
            raise refused(self.provider, "address", "this address is not allowed")
        return origin

    def check_base_url(self, url: str) -> Origin:
        """``check_url`` plus what only a base URL must not hold: a query or fragment, odd path characters."""
        origin = self.check_url(url)
        parts = urlsplit(url)
        if "?" in url or "#" in url:
            raise refused(self.provider, "query", "the base URL holds a query (?) or fragment (#)")
        check_path(parts.path, provider=self.provider)
        return origin

    def addresses(self, host: str, port: int) -> list[str]:
        """Resolves ``host`` and returns its addresses if every one may be connected to."""
        host = host.strip("[]").rstrip(".").lower()
        literal = _ip_or_none(host)
        infos = self.resolve(host, port, 0, socket.SOCK_STREAM)
        found: list[str] = []
        for info in infos:
            text = str(info[4][0]).split("%")[0]
            address = ipaddress.ip_address(text)
            if not (is_public(address) or self._allowed_private(address, literal)):
                raise refused(self.provider, "address", "this address is not allowed")
            if text not in found:
                found.append(text)
        if not found:
            raise refused(self.provider, "address", "this address is not allowed")
        return found

    def _allowed_private(self, address: IPAddress, literal: IPAddress | None) -> bool:
        if any(address in network for network in self.allowlist.networks):
            return True
        # An allowed origin written as an IP address allows that address (the sandbox at 127.0.0.1:8001).
        return literal is not None and address == literal and any(o.address == literal for o in self.allowlist.origins)

    def protect(self, session: requests.Session) -> None:
        """Makes every request of ``session`` go through these checks (and never through an environment proxy)."""
        session.trust_env = False  # no proxy, no .netrc: the connection goes where it was checked to go
        adapter = GuardedAdapter(self)
        session.mount("http://", adapter)
        session.mount("https://", adapter)


def _ip_or_none(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class GuardedAdapter(HTTPAdapter):
    """Checks each request's URL, then each new connection's resolved address."""

    def __init__(self, guard: UrlGuard, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.guard)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.guard.check_url(request.url or "")
        return super().send(request, *args, **kwargs)


def _pool_classes(guard: UrlGuard) -> dict[str, type[HTTPConnectionPool]]:
    def new_conn(connection: HTTPConnection) -> socket.socket:
        try:
            addresses = guard.addresses(connection._dns_host, connection.port)
        except socket.gaierror as exc:
            raise NameResolutionError(connection.host, connection, exc) from exc
        error: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, connection.port),
                    connection.timeout,
                    source_address=connection.source_address,
                    socket_options=connection.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.") from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(connection, f"Failed to establish a new connection: {error}")

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
