"""The production gunicorn settings: both process managers use them, and the access log keeps no query string."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
CODE = "auth-code-0123456789"


def test_the_procfile_and_the_systemd_unit_use_the_config_file() -> None:
    assert "-c deploy/gunicorn.conf.py" in (ROOT / "Procfile").read_text()
    assert "-c /srv/telcoportal/deploy/gunicorn.conf.py" in (ROOT / "deploy" / "telcoportal-web.service").read_text()


def test_the_access_log_of_an_oauth_callback_holds_no_code(caplog: pytest.LogCaptureFixture) -> None:
    cfg = Config()
    namespace: dict[str, object] = {}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)  # how gunicorn reads it
    for name in ("accesslog", "access_log_format", "timeout", "max_requests"):
        cfg.set(name, namespace[name])
    logger = Logger(cfg)
    logger.access_log.propagate = True
    callback = f"/team/providers/telsam/callback/?code={CODE}&state=s"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": callback,
        "PATH_INFO": "/team/providers/telsam/callback/",
        "QUERY_STRING": callback.split("?", 1)[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://portal.example.com{callback}",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    lines = [r.getMessage() for r in caplog.records if r.name == "gunicorn.access"]
    assert lines, "gunicorn wrote no access line"
    assert "GET /team/providers/telsam/callback/ HTTP/1.1" in lines[0]
    assert CODE not in lines[0]
