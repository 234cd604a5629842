"""The load bench's baseline: the commit before the speed issue's first change, checked out beside this one.

``bench/all.py`` calls ``prepare()`` when no ``--baseline-root`` is given, so ``make bench`` prints the load
figures against it on a clean clone: a detached ``git worktree`` of ``BASELINE_COMMIT`` under ``var/bench/``
with a venv of its own (its own dependencies), and this checkout's ``bench/load.py`` copied in (the seeding and
the generator must be the same on both sides; the baseline's pages, settings and gunicorn config are its own).
Made once; later runs reuse it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "231d000"  # the parent of 85b734b, the first change (the number-filter indexes)


def prepare(root: Path = ROOT, commit: str = BASELINE_COMMIT) -> Path | None:
    """The baseline checkout, made if missing; ``None`` (and why, printed) when git cannot make it."""
    folder = root / "var" / "bench" / f"baseline-{commit}"
    python = folder / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"preparing the load bench's baseline at {commit} in {folder} (once) …", flush=True)
        if not folder.exists():
            made = subprocess.run(
                ["git", "-C", str(root), "worktree", "add", "--detach", str(folder), commit],
                capture_output=True, text=True,
            )  # fmt: skip
            if made.returncode != 0:
                print(f"no baseline: git could not check out {commit}: {made.stderr.strip()}", flush=True)
                return None
        venv = folder / ".venv"
        if venv.is_symlink():  # that commit tracked a .venv link to a developer's venv
            venv.unlink()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(folder)], check=True)
    shutil.copyfile(root / "bench" / "load.py", folder / "bench" / "load.py")
    return folder
