"""Starts the real OpenID Connect provider of tests/oidc_provider/server.js (panva's oidc-provider on Node).

``node_modules`` is installed by ``.ci/run`` (``npm ci``); without it, or without Node, the tests that need
the provider are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID = "telcoportal"
CLIENT_SECRET = "a-long-client-secret-for-the-tests-0123456789"
OTHER_CLIENT_ID = "another-portal"
REDIRECT_URI = "http://testserver/sso/callback/"

# The people the provider knows, by email (see server.js).
USERS = {
    "ada@acme.test": {"email_verified": True, "amr": ["pwd"], "name": "Ada Lovelace"},
    "mia@acme.test": {"email_verified": True, "amr": ["pwd", "mfa"], "name": "Mia Multi"},
    "new@acme.test": {"email_verified": True, "amr": ["pwd"], "name": "New Person"},
    "out@elsewhere.test": {"email_verified": True, "amr": ["pwd"]},
    "eve@acme.test": {"email_verified": False, "amr": ["pwd"]},
    "noclaim@acme.test": {"amr": ["pwd"]},  # no email_verified at all, as Microsoft Entra ID
}


def skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed: the OpenID Connect provider of the SSO tests runs on it"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc_provider/node_modules is missing: run `npm ci` in tests/oidc_provider (.ci/run does)"
    return None


def python_clock_offset() -> float:
    """How far this process's clock is from the real one (``pytest --at`` travels it; the provider follows)."""
    try:
        from time_machine import escape_hatch
    except ImportError:  # pragma: no cover - time-machine is a test dependency
        return 0.0
    if not escape_hatch.is_travelling():
        return 0.0
    return time.time() - escape_hatch.time.time()


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[str]


@contextmanager
def running_provider(
    *,
    clock_skew: float = 0.0,
    id_token_ttl: int = 3600,
    redirect_uri: str = REDIRECT_URI,
    claims_in_id_token: bool = False,
) -> Iterator[RunningProvider]:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri]},
        {"client_id": OTHER_CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT_URI]},
    ]
    env = {
        **os.environ,
        "OIDC_PORT": "0",
        "OIDC_CLIENTS": json.dumps(clients),
        "OIDC_USERS": json.dumps(USERS),
        "OIDC_CLOCK_SKEW": str(round(python_clock_offset() + clock_skew)),
        "OIDC_ID_TOKEN_TTL": str(id_token_ttl),
        "OIDC_CLAIMS_IN_ID_TOKEN": "1" if claims_in_id_token else "0",
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        ["node", str(HERE / "server.js")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server listens (or dies: then "")
        if not line.startswith("listening "):
            raise RuntimeError(f"the OIDC provider did not start: {line!r}")
        yield RunningProvider(issuer=line.split(" ", 1)[1].strip(), process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def follow_to_callback(authorization_url: str) -> str:
    """Follows the provider's real redirects (login and consent answered by server.js) back to the portal.

    Returns the callback's path and query, for the Django test client.
    """
    browser = requests.Session()
    url = authorization_url
    for _hop in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        location = response.headers.get("Location")
        assert response.status_code in (302, 303), f"{url}: {response.status_code} {response.text[:300]}"
        assert location
        url = urljoin(url, location)
        if url.startswith(REDIRECT_URI):
            parts = urlsplit(url)
            return f"{parts.path}?{parts.query}"
    raise AssertionError("the provider never sent the browser back")


def code_of(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["code"][0]
