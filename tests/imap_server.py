"""A throwaway Dovecot IMAP server for tests: its own config, users and maildirs in a temporary folder.

``dovecot -F -c <conf>`` runs in the foreground as the current user with nothing from /etc/dovecot: a
passwd-file with plaintext test users, maildirs under the folder, no SSL, cleartext login allowed (the
setting's name differs between Dovecot 2.3 and 2.4). Messages go in by IMAP APPEND; it stops by its PID.
Tests that use it skip, saying why, when Debian's dovecot-imapd is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

DOVECOT_BINARIES = ("/usr/sbin/dovecot", "dovecot")


def dovecot_binary() -> str | None:
    for candidate in DOVECOT_BINARIES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def dovecot_version(binary: str) -> tuple[int, ...]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in out.split()[0].split(".")[:2])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ImapServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Puts a message in ``user``'s folder as a mail client would (IMAP APPEND), unread."""
        with MailBoxUnencrypted(self.host, self.port, timeout=10).login(user, self.users[user], folder) as box:
            box.append(raw, folder, flag_set=())

    def unseen(self, user: str, folder: str = "INBOX") -> int:
        with MailBoxUnencrypted(self.host, self.port, timeout=10).login(user, self.users[user], folder) as box:
            return len(box.uids("UNSEEN"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None


def _accounts() -> tuple[str, str, str]:
    """(the user mail and internal processes run as, its group, the login processes' user).

    As root (CI), Dovecot refuses to run its login processes or touch mail as root: the package's own
    unprivileged users serve; otherwise everything runs as the current user.
    """
    if os.geteuid() == 0:
        return "dovecot", "dovecot", "dovenull"
    user = getpass.getuser()
    return user, grp.getgrgid(os.getgid()).gr_name, user


def _config(folder: Path, port: int, binary: str) -> str:
    user, group, login_user = _accounts()
    cleartext = "auth_allow_cleartext = yes" if dovecot_version(binary) >= (2, 4) else "disable_plaintext_auth = no"
    version_line = (
        "dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n" if dovecot_version(binary) >= (2, 4) else ""
    )
    return f"""{version_line}base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
{cleartext}
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
mail_location = maildir:{folder}/mail/%u
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


@contextlib.contextmanager
def running_imap_server(users: dict[str, str]) -> Iterator[ImapServer]:
    """Dovecot with ``users`` (name: password) in a folder of its own (readable by its unprivileged users,
    which pytest's private tmp_path is not), removed afterwards."""
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("Debian's dovecot-imapd is not installed (apt-get install dovecot-imapd; .ci/run does)")
    folder = Path(tempfile.mkdtemp(prefix="imap-test-"))
    folder.chmod(0o755)
    user, group, _ = _accounts()
    for name in ("run", "state", "mail", "home"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    for name in ("mail", "home"):
        shutil.chown(folder / name, user, group)
    (folder / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
    port = free_port()
    conf = folder / "dovecot.conf"
    conf.write_text(_config(folder, port, binary))
    server = ImapServer(folder=folder, port=port, users=dict(users))
    server.process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if server.process.poll() is not None:
                log = (folder / "dovecot.log").read_text() if (folder / "dovecot.log").exists() else ""
                stderr = server.process.stderr.read().decode() if server.process.stderr else ""
                raise RuntimeError(f"dovecot did not start: {stderr}{log}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("dovecot did not listen within 15 s")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
