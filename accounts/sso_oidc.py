"""The OpenID Connect client of single sign-on: discovery, the authorization request, the code exchange and the
ID token check. No Django models here: it is given an issuer, a client and what the session kept.

Authlib's ``OAuth2Session`` builds the authorization URL (state, nonce, PKCE S256) and exchanges the code;
joserfc (Authlib's JOSE library) verifies the ID token: its signature against the provider's JWKS, then
``iss``, ``aud`` (and ``azp`` when there are several audiences), ``exp``, ``iat`` and ``nonce``.
Every request to the provider goes through the same URL guard as the telecom providers (no private address
unless the operator's ``PROVIDER_URL_ALLOWLIST`` names it), with the quick timeouts: a sign-in never hangs.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from providers.errors import RequestRefused
from providers.urlsafety import Origin, UrlGuard

from .provider_options import allowlist

SCOPES = "openid email profile"
# RFC 8176 methods that are a second factor by themselves or mean "more than one factor".
MFA_AMR = frozenset({"mfa", "otp", "hwk"})
# Authentication context classes that name multi-factor login (OpenID PAPE; the bare word some providers send).
MFA_ACR = frozenset({"http://schemas.openid.net/pape/policies/2007/06/multi-factor", "mfa"})
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CLOCK_LEEWAY_SECONDS = 60
USERINFO_CLAIMS = frozenset({"email", "email_verified", "xms_edov", "name"})
DISCOVERY_CACHE_SECONDS = 3600


class SSOError(Exception):
    """A sign-in that cannot go on; ``key`` names what went wrong (``sso_messages`` puts it in words)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail
        self.connection_name = ""  # the team's name for its provider, once known


class IssuerGuard(UrlGuard):
    """Any https issuer on a public address, or an origin the operator allows (a local Keycloak, the tests)."""

    def check_url(self, url: str) -> Origin:
        try:
            origin = Origin.of(url or "")
        except ValueError:
            origin = None
        if origin is not None and origin.scheme == "https" and "@" not in urlsplit(url).netloc:
            return origin
        return super().check_url(url)


def issuer_guard() -> IssuerGuard:
    return IssuerGuard(provider="oidc", allowlist=allowlist())


def issuer_problem(issuer: str) -> str | None:
    """Why ``issuer`` cannot be used (a code for the form), or None."""
    try:
        issuer_guard().check_base_url(issuer)
    except RequestRefused as exc:
        return exc.reason or "address"
    return None


def _session() -> requests.Session:
    session = requests.Session()
    issuer_guard().protect(session)
    return session


def _timeout() -> tuple[float, float]:
    connect, read = settings.PROVIDER_QUICK_TIMEOUT
    return (connect, read)


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = _session().get(url, timeout=_timeout(), headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except RequestRefused as exc:
        raise SSOError("refused", exc.reason or "") from None
    except (requests.RequestException, ValueError) as exc:
        raise SSOError("unreachable", type(exc).__name__) from None
    if not isinstance(data, dict):
        raise SSOError("unreachable", "not a JSON object")
    return data


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


def discover(issuer: str) -> Discovery:
    """The provider's metadata (cached an hour); its ``issuer`` must be the one configured."""
    key = f"sso:discovery:{issuer}"
    data = cache.get(key)
    if data is None:
        data = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        cache.set(key, data, DISCOVERY_CACHE_SECONDS)
    try:
        found = Discovery(
            issuer=str(data["issuer"]),
            authorization_endpoint=str(data["authorization_endpoint"]),
            token_endpoint=str(data["token_endpoint"]),
            jwks_uri=str(data["jwks_uri"]),
            userinfo_endpoint=str(data.get("userinfo_endpoint") or ""),
        )
    except KeyError as exc:
        cache.delete(key)
        raise SSOError("discovery", f"missing {exc.args[0]}") from None
    if found.issuer.rstrip("/") != issuer.rstrip("/"):
        cache.delete(key)
        raise SSOError("discovery", "issuer differs")
    return found


def _keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    key = f"sso:jwks:{jwks_uri}"
    data = None if fresh else cache.get(key)
    if data is None:
        data = _get_json(jwks_uri)
        cache.set(key, data, DISCOVERY_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise SSOError("discovery", "unreadable JWKS") from None


@dataclass(frozen=True)
class Pending:
    """What the session keeps between the redirect to the provider and its answer."""

    state: str
    nonce: str
    code_verifier: str


def new_pending() -> Pending:
    return Pending(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=generate_token(64))


def _client(client_id: str, client_secret: str, redirect_uri: str) -> OAuth2Session:
    client = OAuth2Session(
        client_id=client_id,
        client_secret=client_secret,
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    issuer_guard().protect(client)
    return client


def authorization_url(
    *, discovery: Discovery, client_id: str, redirect_uri: str, pending: Pending, login_hint: str = ""
) -> str:
    client = _client(client_id, "", redirect_uri)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _state = client.create_authorization_url(
        discovery.authorization_endpoint,
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        **extra,
    )
    return str(url)


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str


def exchange_code(
    *, discovery: Discovery, client_id: str, client_secret: str, redirect_uri: str, code: str, pending: Pending
) -> Tokens:
    """The tokens the token endpoint gives for ``code``."""
    client = _client(client_id, client_secret, redirect_uri)
    try:
        token = client.fetch_token(
            discovery.token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            timeout=_timeout(),
        )
    except RequestRefused as exc:
        raise SSOError("refused", exc.reason or "") from None
    except OAuthError as exc:
        raise SSOError("token", str(exc.error or "")) from None
    except (requests.RequestException, ValueError) as exc:
        raise SSOError("unreachable", type(exc).__name__) from None
    id_token = token.get("id_token")
    if not id_token:
        raise SSOError("token", "no id_token")
    return Tokens(id_token=str(id_token), access_token=str(token.get("access_token") or ""))


def with_userinfo(*, claims: dict[str, Any], discovery: Discovery, access_token: str) -> dict[str, Any]:
    """The ID token's claims, completed from the UserInfo endpoint when the email is not in the token.

    A conforming provider may keep the ``email`` scope's claims for UserInfo (OpenID Connect Core 5.4).
    Its answer counts only for the same ``sub``; what the ID token says is never overwritten.
    """
    if "email" in claims or not discovery.userinfo_endpoint or not access_token:
        return claims
    try:
        response = _session().get(
            discovery.userinfo_endpoint,
            timeout=_timeout(),
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        response.raise_for_status()
        info = response.json()
    except RequestRefused as exc:
        raise SSOError("refused", exc.reason or "") from None
    except (requests.RequestException, ValueError) as exc:
        raise SSOError("unreachable", type(exc).__name__) from None
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise SSOError("claim_sub", "userinfo")
    return {**{k: v for k, v in info.items() if k in USERINFO_CLAIMS}, **claims}


def verify_id_token(*, id_token: str, discovery: Discovery, client_id: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce hold; SSOError otherwise."""
    try:
        try:
            token = jwt.decode(id_token, _keys(discovery.jwks_uri), algorithms=ID_TOKEN_ALGORITHMS)
        except JoseError:
            # The provider may have rotated its keys since they were cached.
            token = jwt.decode(id_token, _keys(discovery.jwks_uri, fresh=True), algorithms=ID_TOKEN_ALGORITHMS)
    except JoseError as exc:
        raise SSOError("signature", exc.error) from None
    except ValueError:
        raise SSOError("signature", "malformed") from None
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time()),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery.issuer},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        claim = str(getattr(exc, "claim", "") or "")
        raise SSOError(
            "expired" if exc.error == "expired_token" else f"claim_{claim or 'invalid'}", exc.error
        ) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SSOError("claim_aud", "azp")
    return claims


def verified_email(claims: dict[str, Any]) -> str | None:
    """The email the provider vouches for, or None.

    ``email_verified`` must be true. Microsoft Entra ID does not send it; there the optional claim
    ``xms_edov`` (the email's domain is verified by the tenant) stands for it. A claim missing is not true.
    """
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") is True or ("email_verified" not in claims and claims.get("xms_edov") is True):
        return email.strip().lower()
    return None


def asserts_mfa(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr")
    methods = {str(m) for m in amr} if isinstance(amr, list) else set()
    return bool(methods & MFA_AMR) or str(claims.get("acr", "")) in MFA_ACR
