"""The multi-node drill's load: people signed in through the login form, clicking through real pages over
HTTPS through the proxy, as a browser would (cookies, CSRF token, Referer).

A request is *answered* when it gets what the page gives a signed-in person: 200 for a page, a redirect
(not to the login page) after a form. Anything else (a 502, a reset connection, a timeout, the login page)
is retried once, as a person would press reload or submit again after reading the error page (``RETRY_AFTER``
later, not in the same millisecond); a request still not answered then is an error. Every first attempt that
failed is kept with its time: the web tier's recovery is measured from them.
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PAGES = {  # a person's mix
    "dashboard": ["/", "/dashboard/sms/", "/dashboard/faxes/", "/dashboard/calls/"],
    "calls": ["/calls/", "/calls/?preset=7d"],
    "SMS": ["/sms/", "/sms/?state=completed"],
    "fax": ["/fax/", "/fax/?direction=out"],
}
TIMEOUT = (5, 30)  # connect, read
# A person's reaction to an error page. Retried at once, a POST failed by the kill went out again before
# nginx had seen the dead instance close its idle keep-alive connections, was written into one of them and
# reset: nginx never resends a POST that reached a machine, so the retry was a 502 too (CI, 2026-12-01).
RETRY_AFTER = 1.0
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    """Every request of every person, counted once whatever its retries."""

    requests: int = 0
    retried: int = 0  # failed once, answered on the retry
    errors: list[str] = field(default_factory=list)  # not answered even on the retry
    failed_at: list[float] = field(default_factory=list)  # monotonic times at which first attempts failed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, *, failed_first: float | None, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            if failed_first is not None:
                self.failed_at.append(failed_first)
                if error is None:
                    self.retried += 1
            if error is not None:
                self.errors.append(error)


class Person:
    """One signed-in browser."""

    def __init__(self, base: str, certificate: Path, email: str, password: str, tally: Tally) -> None:
        self.base, self.tally = base, tally
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy, and REQUESTS_CA_BUNDLE would override the drill's certificate
        self.session.verify = str(certificate)
        self.session.headers["Referer"] = f"{base}/"
        self.email, self.password = email, password

    def log_in(self) -> None:
        form = self.get("/accounts/login/")
        answer = self.post(
            "/accounts/login/", {"username": self.email, "password": self.password}, form=form, signed_in=False
        )
        assert "/accounts/login" not in answer.headers["Location"], f"{self.email} could not log in"

    def get(self, path: str) -> str:
        """A page; answered with a 200 (a signed-out person is redirected to the log-in page instead)."""
        return self._request("GET", path, lambda r: r.status_code == 200).text

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        form: str,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        signed_in: bool = True,
    ) -> requests.Response:
        """Submits a form read from ``form`` (its CSRF token); answered when it redirects, not to the log-in page."""
        token = TOKEN.search(form)
        assert token, f"no CSRF token in the form before POST {path}"
        payload = {**data, "csrfmiddlewaretoken": token.group(1)}

        def answered(r: requests.Response) -> bool:
            return r.status_code == 302 and (not signed_in or "/accounts/login" not in r.headers.get("Location", ""))

        return self._request("POST", path, answered, data=payload, files=files)

    def _request(
        self, method: str, path: str, answered: Callable[[requests.Response], bool], **kwargs: Any
    ) -> requests.Response:
        failed_first: float | None = None
        problem = ""
        for _attempt in range(2):
            try:
                response = self.session.request(
                    method, self.base + path, allow_redirects=False, timeout=TIMEOUT, **kwargs
                )
            except requests.RequestException as exc:
                problem = f"{method} {path}: {type(exc).__name__}: {str(exc)[:300]}"
            else:
                if answered(response):
                    self.tally.count(failed_first=failed_first, error=None)
                    return response
                problem = f"{method} {path}: HTTP {response.status_code} {response.headers.get('Location', '')}"
            if failed_first is None:
                failed_first = time.monotonic()  # when it failed: a long upload may have begun well before
                time.sleep(RETRY_AFTER)
        self.tally.count(failed_first=failed_first, error=problem)
        raise Unanswered(problem)


class Unanswered(Exception):
    pass


def browse(person: Person, stop: threading.Event, seed: int, think: tuple[float, float] = (0.2, 0.8)) -> None:
    """Clicks through the mix until ``stop``, pausing between clicks."""
    chooser = random.Random(seed)
    while not stop.is_set():
        page = chooser.choice(list(PAGES))
        with contextlib.suppress(Unanswered):  # counted in the tally; the person goes on clicking
            person.get(chooser.choice(PAGES[page]))
        stop.wait(chooser.uniform(*think))
