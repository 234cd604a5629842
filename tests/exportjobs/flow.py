"""A background export started as a person starts it: the list's link, its confirmation page, its Start button."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from exportjobs.models import ExportJob


def start_export(client: Client, confirm_url: str, *, headers: dict[str, str] | None = None) -> Any:
    """The confirmation page (which starts nothing), then Start in the format the list's link asked for; the
    answer is the redirect to the job's page."""
    before = ExportJob.objects.count()
    page = client.get(confirm_url, headers=headers or {})
    assert page.status_code == 200 and b'id="export-start"' in page.content, page
    assert ExportJob.objects.count() == before, "a GET started an export"
    file_format = parse_qs(urlsplit(confirm_url).query).get("export", ["csv"])[0]
    return client.post(confirm_url, {"file_format": file_format}, headers=headers or {})
