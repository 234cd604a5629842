"""Webhook receivers the tests start on loopback: real HTTP servers in a thread, each answering one way."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``status`` and ``body`` are the answer; ``stall`` holds the answer until the test ends (a timeout);
    ``location`` answers a redirect there."""

    status: int = 200
    body: bytes = b'{"ok":true}'
    location: str = ""
    stall: bool = False
    received: list[Received] = field(default_factory=list)
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiver(**answer: object) -> Iterator[Receiver]:
    state = Receiver(**answer)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.received.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
            if state.stall:
                state.release.wait(10)
                return
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
