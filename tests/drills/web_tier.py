"""The web tier of the multi-node drill: gunicorn instances (the Procfile's ``web`` command) behind Debian's
nginx, configured from ``deploy/nginx.conf.example`` with only the addresses and the certificate changed.

nginx runs in the foreground (``daemon off``) from a configuration in the drill's folder, which also
holds its pid file, logs and temporary folders, so it needs no system path and can run as any user.
Its access log names the upstream(s) each request went to: the evidence that it routed around.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.drills.conftest import ROOT, procfile_command
from tests.s3_server import free_port

NGINX_SAMPLE = ROOT / "deploy" / "nginx.conf.example"
# What the sample names, and what the drill puts in their place.
SAMPLE_WEB = ("10.0.0.11:8000", "10.0.0.12:8000")
SAMPLE_LISTEN = "listen 443 ssl http2;"
SAMPLE_CERTIFICATE = "/etc/letsencrypt/live/portal.example.com/fullchain.pem"
SAMPLE_KEY = "/etc/letsencrypt/live/portal.example.com/privkey.pem"
SAMPLE_NAME = "server_name portal.example.com;"
REDIRECT_BLOCK = "# --- plain HTTP: redirect to HTTPS ---"  # the sample's last server block; not needed here
ACCESS_LOG_FORMAT = "$msec $request_method $uri $status $upstream_addr|$upstream_status"


def nginx_path() -> str:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), "")


def port_range() -> tuple[int, int]:
    """The drill's ports: ``DRILL_PORTS=first-last`` (helpers sharing a machine each get a range)."""
    first, _, last = os.environ.get("DRILL_PORTS", "8350-8449").partition("-")
    return int(first), int(last)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own authority, so the load generator can verify against it) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "drill.crt", folder / "drill.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf.example no longer has exactly one {old!r}"
    return text.replace(old, new)


def nginx_configuration(folder: Path, *, listen: int, web_ports: list[int], cert: Path, key: Path) -> str:
    """The sample site inside a main configuration whose paths are all in ``folder``."""
    site = NGINX_SAMPLE.read_text()
    site = site[: site.index(REDIRECT_BLOCK)]
    for sample, port in zip(SAMPLE_WEB, web_ports, strict=True):
        site = _replace_once(site, f"server {sample} ", f"server 127.0.0.1:{port} ")
    site = _replace_once(site, SAMPLE_LISTEN, f"listen 127.0.0.1:{listen} ssl;")
    site = _replace_once(site, SAMPLE_NAME, "server_name 127.0.0.1;")
    site = _replace_once(site, SAMPLE_CERTIFICATE, str(cert))
    site = _replace_once(site, SAMPLE_KEY, str(key))
    temp = folder / "nginx-temp"
    temp.mkdir(exist_ok=True)
    # As root, nginx's workers would switch to "nobody", who cannot read the drill's folder: keep them as root.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log info;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    log_format drill '{ACCESS_LOG_FORMAT}';
    access_log {folder}/nginx-access.log drill;
{site}
}}
"""


@dataclass
class Routed:
    """What nginx's access log says about the requests it passed on."""

    requests: int
    by_upstream: Counter[str]  # the upstream that gave the answer
    routed_around: int  # requests nginx tried on one upstream, then answered from another


def read_access_log(path: Path, *, since: float = 0.0, until: float = float("inf")) -> Routed:
    """The requests logged between two epoch times (nginx logs each when it is answered)."""
    by_upstream: Counter[str] = Counter()
    routed_around = total = 0
    for line in path.read_text().splitlines():
        moment, _method, _uri, _status, upstreams = line.split(" ", 4)  # the drill's paths hold no space
        if not since <= float(moment) < until:
            continue
        addresses = upstreams.split("|")[0]
        tried = [a.strip() for a in addresses.split(",") if a.strip() and a.strip() != "-"]
        total += 1
        if tried:
            by_upstream[tried[-1]] += 1
        routed_around += len(tried) > 1
    return Routed(total, by_upstream, routed_around)


@dataclass
class WebTier:
    """Gunicorn instances, each on its own port, and nginx in front of them, in ``folder``."""

    folder: Path
    env: dict[str, str]
    instances: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    url: str = ""
    certificate: Path | None = None

    def start(self, count: int) -> None:
        first, last = port_range()
        for number in range(1, count + 1):
            port = free_port(first, last)
            first = port + 1
            log = (self.folder / f"web{number}.log").open("wb")
            self.instances.append(
                subprocess.Popen(
                    procfile_command("web", port=port),
                    cwd=ROOT,  # the Procfile names deploy/gunicorn.conf.py relative to the project
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: master and workers die together
                )
            )
            self.ports.append(port)
        listen = free_port(first, last)
        self.certificate, key = self_signed_certificate(self.folder)
        conf = self.folder / "nginx.conf"
        conf.write_text(
            nginx_configuration(self.folder, listen=listen, web_ports=self.ports, cert=self.certificate, key=key)
        )
        self.nginx = subprocess.Popen(
            [nginx_path(), "-c", str(conf), "-p", str(self.folder), "-g", "daemon off;"],
            stdout=(self.folder / "nginx.out").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"https://127.0.0.1:{listen}"
        for port in self.ports:
            self._wait_for(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
        self._wait_for(f"{self.url}/healthz")

    def _wait_for(self, url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> None:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            for process in [*self.instances, *([self.nginx] if self.nginx else [])]:
                if process.poll() is not None:
                    raise AssertionError(f"a web-tier process exited with {process.returncode}\n{self.tail()}")
            try:
                answer = requests.get(url, headers=headers, timeout=3, verify=str(self.certificate))
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{url} did not answer within {timeout:.0f} s\n{self.tail()}")

    def upstream(self, number: int) -> str:
        return f"127.0.0.1:{self.ports[number - 1]}"

    def kill(self, number: int) -> None:
        """kill -9 of a gunicorn instance: master and workers, no graceful anything."""
        process = self.instances[number - 1]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def routed(self, *, since: float = 0.0, until: float = float("inf")) -> Routed:
        return read_access_log(self.folder / "nginx-access.log", since=since, until=until)

    def stop(self) -> None:
        for process in [*([self.nginx] if self.nginx else []), *self.instances]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        out = []
        for log in sorted([*self.folder.glob("web*.log"), *self.folder.glob("nginx-error.log")]):
            text = [line for line in log.read_text(errors="replace").splitlines() if "[info]" not in line][-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)
