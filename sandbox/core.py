"""The sandbox framework: one WSGI app that serves every provider emulator.

Each provider is a :class:`ProviderSandbox` mounted under its own prefix
(``/pasifik/``, ``/telsam/``, ``/verimor/``, ``/telphin/``). The app records
every request it receives (so contract tests can assert the exact request),
and applies injected faults: latency, timeouts, 429 with ``Retry-After``, 5xx,
malformed or truncated bodies, expired tokens.

Faults are injected per request (``sandbox.inject(...)`` or
``POST /_sandbox/faults``) or per run (``fault_rate``: a share of requests
that fail at random with a seeded generator, for demo and drills).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule, Submount
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

FAULT_KINDS = (
    "latency",  # answer normally after ``delay`` seconds
    "timeout",  # hold the request for ``delay`` seconds, then answer 504
    "429",  # Too Many Requests with Retry-After
    "500",
    "502",
    "503",
    "malformed",  # 200 with a body that is not what the document promises
    "truncated",  # the real answer cut in half
    "expired-token",  # the provider's own 401 for an expired/invalid token
)


class Clock:
    """Sandbox time: real time plus an offset tests can advance.

    :meth:`reset` goes back to the offset the clock was made with, so a test's
    advances never leak into the next test (``Sandbox.reset`` calls it).
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._initial = timedelta(0) if start is None else start - datetime.now(UTC)
        self._offset = self._initial
        self._frozen_at: datetime | None = None

    def reset(self) -> None:
        self._offset = self._initial
        self._frozen_at = None

    def freeze(self) -> None:
        """Stops real time (until :meth:`reset`): only :meth:`advance` moves the clock.

        For tests that count what the emulators produce as time passes (live
        calls that end and join the history), which must not change mid-test.
        """
        self._frozen_at = datetime.now(UTC)

    def now(self) -> datetime:
        return (self._frozen_at or datetime.now(UTC)) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


@dataclass
class RecordedRequest:
    provider: str
    method: str
    path: str  # path inside the provider's mount, e.g. "/en/api/sms/submit/"
    full_path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, list[str]]
    files: dict[str, dict[str, Any]]  # field -> {filename, content_type, size, content}

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Fault:
    kind: str
    provider: str | None = None
    path: str | None = None  # substring of the provider-relative path
    method: str | None = None
    times: int = 1
    delay: float = 2.0
    retry_after: int = 1

    def matches(self, provider: str, method: str, path: str) -> bool:
        return (
            (self.provider is None or self.provider == provider)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or self.path in path)
        )


class ProviderSandbox:
    """Base class for one provider's emulator.

    Subclasses set ``name``, return werkzeug ``Rule``s from :meth:`rules` whose
    endpoints are method names of the subclass, and keep state in attributes
    created by :meth:`reset`. Handlers take ``(request, **url_values)`` and
    return a ``Response``.
    """

    name = "provider"  # the provider kind it emulates (its spec's ``kind``), also its path on the sandbox
    # The provider account ``demo_setup`` makes for it (field names as the account form names them).
    demo_credentials: ClassVar[dict[str, str]] = {}
    demo_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """(Re)creates the emulator's state, with its demo data."""

    def rules(self) -> Iterable[Rule]:
        return []

    def expired_token_response(self) -> Response:
        return json_response({"message": "Unauthenticated."}, status=401)

    def malformed_response(self) -> Response:
        return Response("<html><body>Bad Gateway", status=200, content_type="application/json")

    def dispatch(self, request: Request, endpoint: str, values: Mapping[str, Any]) -> Response:
        handler: Callable[..., Response] = getattr(self, endpoint)
        with self.lock:
            return handler(request, **values)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def text_response(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


@dataclass
class Sandbox:
    """All provider emulators behind one WSGI callable."""

    providers: list[ProviderSandbox]
    clock: Clock
    fault_rate: float = 0.0
    seed: int = 1
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self.by_name = {p.name: p for p in self.providers}
        rules: list[Any] = [
            Rule("/_sandbox/requests", endpoint="_requests", methods=["GET"]),
            Rule("/_sandbox/faults", endpoint="_faults", methods=["POST", "DELETE"]),
            Rule("/_sandbox/reset", endpoint="_reset", methods=["POST"]),
            Rule("/_sandbox/advance", endpoint="_advance", methods=["POST"]),
        ]
        for provider in self.providers:
            rules.append(Submount(f"/{provider.name}", [_tag(rule, provider.name) for rule in provider.rules()]))
        self.url_map = Map(rules, strict_slashes=False, merge_slashes=False)

    # --- control -----------------------------------------------------------

    def inject(self, kind: str, **kwargs: Any) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        fault = Fault(kind=kind, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()
        self.clock.reset()
        for provider in self.providers:
            with provider.lock:
                provider.reset()

    def requests_for(self, provider: str, path: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.provider == provider and (path is None or path in r.path)]

    def last_request(self, provider: str | None = None) -> RecordedRequest:
        for recorded in reversed(self.requests):
            if provider is None or recorded.provider == provider:
                return recorded
        raise LookupError("the sandbox has received no request")

    # --- WSGI --------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return json_response({"message": "Not Found"}, status=404)
        except MethodNotAllowed:
            return json_response({"message": "Method Not Allowed"}, status=405)
        except HTTPException as exc:  # e.g. a redirect for a missing slash
            return exc.get_response(request.environ)
        if endpoint.startswith("_"):
            return self._control(request, endpoint)
        provider_name, _, method_name = endpoint.partition(":")
        provider = self.by_name[provider_name]
        inner_path = request.path[len(provider_name) + 1 :]
        self._record(provider_name, inner_path, request)
        fault = self._take_fault(provider_name, request.method, inner_path)
        if fault is not None:
            early = self._apply_fault_before(fault, provider)
            if early is not None:
                return early
        response = provider.dispatch(request, method_name, values)
        if fault is not None and fault.kind == "truncated":
            body = response.get_data()
            response.set_data(body[: max(1, len(body) // 2)])
        return response

    def _record(self, provider: str, inner_path: str, request: Request) -> None:
        body = request.get_data(cache=True)
        files = {
            name: {
                "filename": storage.filename,
                "content_type": storage.content_type,
                "content": (content := storage.read()),
                "size": len(content),
            }
            for name, storage in request.files.items()
        }
        for storage in request.files.values():
            storage.stream.seek(0)
        recorded = RecordedRequest(
            provider=provider,
            method=request.method,
            path=inner_path,
            full_path=request.full_path,
            query={k: request.args.getlist(k) for k in request.args},
            headers=dict(request.headers.items()),
            body=body,
            form={k: request.form.getlist(k) for k in request.form},
            files=files,
        )
        with self._lock:
            self.requests.append(recorded)

    def _take_fault(self, provider: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(provider, method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
            if self.fault_rate and self._random.random() < self.fault_rate:
                return Fault(kind=self._random.choice(["429", "500", "503", "latency"]), delay=0.5)
        return None

    def _apply_fault_before(self, fault: Fault, provider: ProviderSandbox) -> Response | None:
        if fault.kind == "latency":
            time.sleep(fault.delay)
            return None
        if fault.kind == "timeout":
            time.sleep(fault.delay)
            return json_response({"message": "Gateway Timeout"}, status=504)
        if fault.kind == "429":
            return json_response(
                {"message": "Too Many Requests"}, status=429, headers={"Retry-After": str(fault.retry_after)}
            )
        if fault.kind in ("500", "502", "503"):
            return json_response({"message": "Server Error"}, status=int(fault.kind))
        if fault.kind == "malformed":
            return provider.malformed_response()
        if fault.kind == "expired-token":
            return provider.expired_token_response()
        return None  # truncated: applied after the handler

    def _control(self, request: Request, endpoint: str) -> Response:
        if endpoint == "_requests":
            provider = request.args.get("provider")
            items = [
                {
                    "provider": r.provider,
                    "method": r.method,
                    "path": r.path,
                    "query": r.query,
                    "headers": {k: v for k, v in r.headers.items() if k.lower() != "authorization"},
                    "form": r.form,
                    "files": {k: {"filename": f["filename"], "size": f["size"]} for k, f in r.files.items()},
                    "body_size": len(r.body),
                }
                for r in self.requests
                if provider is None or r.provider == provider
            ]
            return json_response(items)
        if endpoint == "_faults":
            if request.method == "DELETE":
                with self._lock:
                    self.faults.clear()
                return json_response({"faults": 0})
            spec = request.get_json(force=True, silent=True) or {}
            try:
                self.inject(str(spec.pop("kind", "")), **spec)
            except (TypeError, ValueError) as exc:
                return json_response({"message": str(exc)}, status=400)
            return json_response({"faults": len(self.faults)}, status=201)
        if endpoint == "_advance":
            spec = request.get_json(force=True, silent=True) or {}
            self.clock.advance(float(spec.get("seconds", 60)))
            return json_response({"now": self.clock.now().isoformat()})
        self.reset()
        return json_response({"reset": True})


def _tag(rule: Rule, provider: str) -> Rule:
    return Rule(rule.rule, endpoint=f"{provider}:{rule.endpoint}", methods=rule.methods)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class RunningSandbox:
    """A sandbox served over real HTTP from a background thread."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.server: BaseWSGIServer = make_server(host, port, sandbox, threaded=True, request_handler=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> RunningSandbox:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> RunningSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
