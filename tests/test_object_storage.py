"""Media in an S3-compatible bucket (moto's real server, tests/s3_server.py): what lands in the bucket, how it
reaches a browser (streamed with ranged GETs, or a presigned URL only after the permission check), and the
settings that choose it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.team_files import TeamFiles, team_files_remove
from api.tokens import token_create
from core import stored_files
from messaging import uploads
from telephony.models import CallRecord
from tests.api.conftest import bearer
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.fax.factories import fax_with_documents
from tests.sources import ROOT, source_files
from tests.stored_media import StoredMedia
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

on_s3 = pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
RECORDING = b"RIFF" + bytes(range(256)) * 40  # 10 KiB, every byte's position recognisable


@pytest.fixture
def recorded(storage_backend: StoredMedia, team_a) -> CallRecord:
    # Peaks already known: a play reads only what it serves (the waveform would read the file once more).
    call = CallRecordFactory(account__team=team_a, has_recording=True, recording_name="in-7.wav", recording_peaks=[0.5])
    call.recording.save(f"recordings/{team_a.pk}/in-7.wav", ContentFile(RECORDING), save=True)
    return call


def play(client, call: CallRecord, **headers: str):
    return client.get(reverse("calls-recording", args=[call.pk]), headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- bytes really land in the bucket ----------------------------------------------------------------


@on_s3
def test_a_saved_recording_is_an_object_in_the_bucket_with_a_private_acl(storage_backend, recorded) -> None:
    assert storage_backend.names() == [recorded.recording.name]
    assert storage_backend.read(recorded.recording.name) == RECORDING
    acl = storage_backend.server.client().get_object_acl(Bucket=storage_backend.bucket, Key=recorded.recording.name)
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only, nobody public
    assert all("URI" not in grant["Grantee"] for grant in acl["Grants"])


@on_s3
def test_a_second_file_of_the_same_name_gets_a_new_name_instead_of_overwriting(storage_backend) -> None:
    first = default_storage.save("exports/1/calls.csv", ContentFile(b"first"))
    second = default_storage.save("exports/1/calls.csv", ContentFile(b"second"))
    assert first != second
    assert [storage_backend.read(name) for name in (first, second)] == [b"first", b"second"]


# --- streamed with Range: a ranged GET, never the whole object --------------------------------------


@on_s3
def test_a_seek_is_one_ranged_get_of_the_asked_bytes(storage_backend, recorded, alice_client, monkeypatch) -> None:
    from storages.backends.s3 import S3Storage

    def whole_object(*args, **kwargs):
        raise AssertionError("the recording was opened as a file: django-storages downloads it whole")

    monkeypatch.setattr(S3Storage, "_open", whole_object)
    asked: list[str] = []
    real_get = stored_files.stored_chunks

    def spy(name, first, length, storage=None):
        asked.append(f"bytes={first}-{first + length - 1}")
        return real_get(name, first, length, storage)

    monkeypatch.setattr(stored_files, "stored_chunks", spy)
    response = play(alice_client, recorded, Range="bytes=5000-5099")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 5000-5099/{len(RECORDING)}"
    assert body(response) == RECORDING[5000:5100]
    assert asked == ["bytes=5000-5099"]


def test_the_recording_streams_whole_and_in_ranges_from_either_storage(storage_backend, recorded, alice_client) -> None:
    whole = play(alice_client, recorded)
    assert (whole.status_code, whole["Content-Length"]) == (200, str(len(RECORDING)))
    assert body(whole) == RECORDING == storage_backend.read(recorded.recording.name)
    tail = play(alice_client, recorded, Range="bytes=-10")
    assert (tail.status_code, body(tail)) == (206, RECORDING[-10:])
    assert play(alice_client, recorded, Range=f"bytes={len(RECORDING)}-").status_code == 416


def test_a_recording_missing_from_storage_is_not_found_not_a_500(storage_backend, recorded, alice_client) -> None:
    default_storage.delete(recorded.recording.name)
    assert storage_backend.names() == []
    assert play(alice_client, recorded).status_code == 404


# --- never a URL or a byte without the permission check ---------------------------------------------


@pytest.mark.parametrize("serve", ["stream", "presign"])
@on_s3
def test_another_team_or_a_viewer_gets_no_url_and_no_byte(
    storage_backend, recorded, settings, serve, bob_client, charlie, team_a, team_b
) -> None:
    def api_token(team, role: str, scope: str) -> dict[str, str]:
        member = MembershipFactory(team=team, role=role)
        return bearer(token_create(membership=member, name="test", scope=scope, days=30).raw)

    settings.MEDIA_SERVE = serve
    api_url = reverse("api:call-recording", args=[recorded.pk])
    refused = {
        "another team's page": client_for(charlie).get(reverse("calls-recording", args=[recorded.pk]) + "?download=1"),
        "another team's API": Client().get(api_url, headers=api_token(team_b, "owner", "admin")),
        "a viewer without listening": play(bob_client, recorded),
        "a viewer's API": Client().get(api_url, headers=api_token(team_a, "viewer", "read")),
    }
    for who, response in refused.items():
        assert response.status_code in (403, 404), who
        assert "Location" not in response, who
        content = body(response) if response.streaming else response.content
        assert RECORDING[:64] not in content and storage_backend.bucket.encode() not in content, who
        assert b"X-Amz-Signature" not in content, who


# --- presigned URLs, issued after the check ---------------------------------------------------------


@on_s3
def test_presign_redirects_the_allowed_listener_to_a_short_lived_signed_url(
    storage_backend, recorded, alice_client, settings
) -> None:
    settings.MEDIA_SERVE = "presign"
    settings.MEDIA_PRESIGN_SECONDS = 120
    response = play(alice_client, recorded)
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}" == storage_backend.server.endpoint
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert query["response-content-type"] == ["audio/wav"]
    assert query["response-content-disposition"] == ['inline; filename="in-7.wav"']
    # The bucket itself serves the bytes, Range included (the player seeks against it).
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == RECORDING
    ranged = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(ranged, timeout=10) as answer:
        assert (answer.status, answer.read()) == (206, RECORDING[100:200])


@on_s3
def test_presign_serves_a_fax_document_under_its_download_name(storage_backend, alice_client, team_a, settings) -> None:
    settings.MEDIA_SERVE = "presign"
    fax = fax_with_documents(team_a)
    response = alice_client.get(reverse("fax-document", args=[fax.pk]) + "?role=original&n=0")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-disposition"] == ['attachment; filename="contract.pdf"']
    with urllib.request.urlopen(response["Location"], timeout=10) as answer:
        assert answer.read() == storage_backend.read(fax.documents.get().file.name)


# --- files kept, listed and removed by folder -------------------------------------------------------


def test_kept_sms_files_are_in_storage_and_purged_after_a_day(storage_backend, team_a) -> None:
    token = uploads.stash(team=team_a, name="numbers.csv", data=b"905321234567\n")
    stored = f"{uploads.FOLDER}/{team_a.pk}/{token.split('/')[0]}"
    assert storage_backend.names(uploads.FOLDER) == [stored]
    assert storage_backend.read(stored) == b"905321234567\n"
    # The file's time is the storage's (the real clock), not the test's travelled one: count from it.
    written = default_storage.get_modified_time(stored)
    with time_machine.travel(written + timedelta(hours=1)):
        assert uploads.purge() == 0  # a fresh file stays
    with time_machine.travel(written + timedelta(days=1, hours=1)):
        assert uploads.purge() == 1
    assert storage_backend.names(uploads.FOLDER) == []


def test_a_teams_folder_is_removed_file_by_file_and_another_teams_stays(storage_backend, team_a, team_b) -> None:
    mine = [default_storage.save(f"recordings/{team_a.pk}/{n}/x.wav", ContentFile(b"a")) for n in (1, 2)]
    theirs = default_storage.save(f"recordings/{team_b.pk}/1/x.wav", ContentFile(b"b"))
    assert storage_backend.names("recordings/") == sorted([*mine, theirs])
    assert team_files_remove(TeamFiles(folders={f"recordings/{team_a.pk}"})) == 2
    assert storage_backend.names("recordings/") == [theirs]
    assert team_files_remove(TeamFiles(folders={"recordings/nobody"})) == 0  # no such folder: nothing to do


# --- settings -------------------------------------------------------------------------------------


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """The real settings module imported in a fresh interpreter with ``env``."""
    code = (
        "import json; from telcoportal import settings as s; "
        "print(json.dumps({'storage': s.STORAGES['default'], 'media_src': "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_", "MEDIA_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_environment_chooses_a_private_bucket_and_presign_opens_the_csp_to_it_only() -> None:
    minio = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "telcoportal-media",
        "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_S3_REGION_NAME": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "portal",
        "AWS_SECRET_ACCESS_KEY": "s3cret",
    }
    streamed = settings_with(**minio)
    assert streamed.returncode == 0, streamed.stderr
    chosen = json.loads(streamed.stdout)
    options = chosen["storage"]["OPTIONS"]
    assert chosen["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "telcoportal-media", "https://minio.internal:9000", "eu-central-1"
    )  # fmt: skip
    assert (options["default_acl"], options["querystring_auth"], options["file_overwrite"]) == ("private", True, False)
    assert chosen["media_src"] == ["'self'"]
    presigned = json.loads(settings_with(**minio, MEDIA_SERVE="presign").stdout)
    assert presigned["media_src"] == ["'self'", "https://minio.internal:9000"]
    on_aws = {**minio, "AWS_S3_ENDPOINT_URL": "", "AWS_S3_ADDRESSING_STYLE": "virtual", "MEDIA_SERVE": "presign"}
    assert json.loads(settings_with(**on_aws).stdout)["media_src"] == [
        "'self'", "https://telcoportal-media.s3.eu-central-1.amazonaws.com"
    ]  # fmt: skip


def test_the_default_is_the_local_folder_and_a_mistyped_choice_is_refused() -> None:
    local = json.loads(settings_with().stdout)
    assert local["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert "STORAGE_BACKEND must be local or s3" in settings_with(STORAGE_BACKEND="S3 ").stderr
    assert "MEDIA_SERVE must be stream" in settings_with(MEDIA_SERVE="presign").stderr  # presign needs a bucket


def test_no_module_opens_media_by_a_local_path() -> None:
    # A bucket has no local path: storage.path(), MEDIA_ROOT or a FileResponse over a storage file would work on
    # the local folder only (or read a whole object before its first byte). The settings and the deploy check
    # name MEDIA_ROOT, nothing else does.
    local_only = re.compile(r"storage\.path\(|MEDIA_ROOT|FileResponse\(\s*(?:default_)?storage\.open")
    allowed = {"telcoportal/settings.py", "accounts/checks.py"}
    offenders = []
    for path in source_files(".py"):
        name = path.relative_to(ROOT).as_posix()
        if "sandbox" not in path.parts and name not in allowed:
            offenders += [f"{name}: {m.group(0)}" for m in local_only.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
