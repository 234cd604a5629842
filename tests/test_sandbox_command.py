"""`manage.py sandbox` serves all four provider emulators over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_manage_py_sandbox_serves_all_four_providers() -> None:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/_sandbox/requests", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        # Each emulator answers its own way to a request without credentials.
        pasifik = requests.post(base + "/pasifik/en/api/user/getsettings/", json={}, timeout=5)
        telsam = requests.post(base + "/telsam/fax", json={}, headers={"Accept": "application/json"}, timeout=5)
        verimor = requests.get(base + "/verimor/fdrs", timeout=5)
        telphin = requests.get(base + "/telphin/api/ver1.0/extension/122/fax/out/", timeout=5)
        assert [r.status_code for r in (pasifik, telsam, verimor, telphin)] == [401, 401, 400, 401]
        assert "Gecersiz anahtar" in verimor.text or "key" in verimor.text.lower()
        logged = requests.get(base + "/_sandbox/requests", timeout=5).json()
        assert {entry["provider"] for entry in logged} == {"pasifik", "telsam", "verimor", "telphin"}
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "pasifik, telsam, verimor, telphin" in output
