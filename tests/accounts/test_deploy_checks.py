"""The deployment checklist refuses a production that only works on one machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accounts.checks import production_is_not_one_machine
from tests.test_project import ROOT, _production_env

ONE_MACHINE = {
    "DATABASE_URL": "sqlite:////tmp/telcoportal-check.sqlite3",
    "CELERY_BROKER_URL": "filesystem://",
    "CACHE_URL": "locmemcache://",
    "MEDIA_SHARED": "0",
}
IDS = {
    "DATABASE_URL": "telcoportal.W010",
    "CELERY_BROKER_URL": "telcoportal.W011",
    "CACHE_URL": "telcoportal.W012",
    "MEDIA_SHARED": "telcoportal.W013",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_production_env(), **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_one_machine_production_fails_the_checklist_with_every_reason() -> None:
    result = check_deploy(**ONE_MACHINE)
    assert result.returncode != 0
    for check_id in IDS.values():
        assert check_id in result.stderr, result.stderr


PRODUCTION = {
    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "telcoportal"}},
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r/1"}},
    "MEDIA_SHARED": True,
}
ONE_MACHINE_SETTINGS = {
    "telcoportal.W010": ("DATABASES", {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}),
    "telcoportal.W011": ("CELERY_BROKER_URL", "memory://"),
    "telcoportal.W012": ("CACHES", {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}),
    "telcoportal.W013": ("MEDIA_SHARED", False),
}


# Only the setting is read here; no query runs while DATABASES is overridden.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize("check_id", sorted(ONE_MACHINE_SETTINGS))
def test_each_one_machine_setting_alone_is_named(check_id: str) -> None:
    from django.test import override_settings

    name, value = ONE_MACHINE_SETTINGS[check_id]
    with override_settings(DEBUG=False, **PRODUCTION):
        assert production_is_not_one_machine(None) == []
        with override_settings(**{name: value}):
            assert [w.id for w in production_is_not_one_machine(None)] == [check_id]


def test_media_in_a_bucket_counts_as_shared() -> None:
    bucket = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "telcoportal-media",
        "AWS_S3_ENDPOINT_URL": "https://minio.example.com:9000",
    }
    result = check_deploy(**{**bucket, "MEDIA_SHARED": "0"})
    assert result.returncode == 0, result.stderr
    assert "telcoportal.W013" not in result.stderr
    assert "telcoportal.W013" in check_deploy(MEDIA_SHARED="0").stderr  # the same, with a local folder


def test_the_checks_stay_quiet_in_development(settings) -> None:
    settings.DEBUG = True
    assert production_is_not_one_machine(None) == []
    settings.DEBUG = False
    assert {w.id for w in production_is_not_one_machine(None)} >= {"telcoportal.W011", "telcoportal.W012"}


def test_the_makefile_target_passes_production_urls() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = makefile[makefile.index("check-prod:") :].split("\n\n")[0]
    for variable in ONE_MACHINE:
        assert f"{variable}=" in target
