"""What a new user reads and runs first: the README's links, the drills' requirements, the test commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.sources import APP_PACKAGES

ROOT = Path(__file__).resolve().parent.parent


def test_every_relative_link_of_the_readme_is_a_file_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    links = [t for t in re.findall(r"\]\(([^)#\s]+)", readme) if "://" not in t and not t.startswith("mailto:")]
    assert "docs/architecture.md" in links
    missing = [t for t in links if not (ROOT / t).resolve().is_relative_to(ROOT) or not (ROOT / t).exists()]
    assert missing == []
    tracked = subprocess.run(["git", "ls-files", "docs/architecture.md"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout.strip() == "docs/architecture.md"


def test_the_drills_and_the_readme_both_say_postgresql_and_redis() -> None:
    from tests.drills.conftest import NEEDS

    assert "PostgreSQL" in NEEDS and "Redis" in NEEDS
    drills = " ".join((ROOT / "README.md").read_text().split("`tests/drills/`", 1)[1].split(".")[:3])
    assert "PostgreSQL" in drills and "Redis" in drills


def test_the_suite_runs_in_random_order() -> None:
    import tomllib
    from importlib.metadata import entry_points

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert any(re.match(r"pytest-randomly\b", dep) for dep in extras)  # a fresh clone gets it
    assert "randomly" in {e.name for e in entry_points(group="pytest11")}  # and pytest loads it by default
    assert "no:randomly" not in (ROOT / "pyproject.toml").read_text()


def test_make_test_late_runs_the_suite_at_2330_and_0130_istanbul_and_ci_runs_it() -> None:
    make = subprocess.run(["make", "-n", "test-late"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "pytest --at 23:30" in make and "pytest --at 01:30" in make
    assert "make test-late" in (ROOT / ".ci" / "run").read_text().splitlines()


def test_make_demo_gives_its_processes_one_shared_cache() -> None:
    """The worker reads the SMS balance into the cache and the pages read it from there: a per-process cache
    would leave New SMS saying "reading the balance…" for ever in the demo."""
    import os

    import environ

    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    echo = "sh -c 'echo \"$$CACHE_URL\"' --"  # stands in for python: prints what each command would get
    run = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "-o", ".env", "demo", f"PY={echo}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    urls = set(run.stdout.split())
    assert len(urls) == 1  # migrate, demo_setup, fax_demo and rundemo (so its web server and worker) alike
    config = environ.Env.cache_url_config(urls.pop())
    assert config["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert Path(config["LOCATION"]).is_relative_to(ROOT / "var")


def test_every_environment_variable_of_the_settings_is_documented_for_deployment() -> None:
    settings = (ROOT / "telcoportal" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings))
    assert {"PROVIDER_URL_ALLOWLIST", "UPLOAD_MAX_BYTES", "UPLOAD_MAX_ROWS"} <= names
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in deploy) == []


def test_make_test_checks_the_import_contracts_before_the_tests_and_they_hold() -> None:
    make = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "lint-imports" in make and make.index("lint-imports") < make.index("bin/pytest")
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "kept, 0 broken" in lint.stdout


def test_make_test_type_checks_the_apps_before_the_tests_and_they_hold() -> None:
    """mypy with django-stubs over every app package (the [tool.mypy] of pyproject.toml), before pytest."""
    import tomllib

    make = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "bin/mypy" in make and make.index("bin/mypy") < make.index("bin/pytest")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert "mypy_django_plugin.main" in config["plugins"]
    assert set(APP_PACKAGES) | {"sandbox"} <= set(config["files"])
    assert config["warn_unused_ignores"] is True
    checked = subprocess.run([str(Path(sys.executable).parent / "mypy")], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_type_checker_skips_no_module_of_the_project() -> None:
    """No ignore_errors in [tool.mypy]: every app module type-checks (only untyped libraries are let off)."""
    import tomllib

    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    assert [override["module"] for override in overrides if override.get("ignore_errors")] == []
    let_off = {module.split(".")[0] for override in overrides for module in override["module"]}
    assert not let_off & (set(APP_PACKAGES) | {"sandbox"})
