"""In the browser: a list too large to stream asks before its background export runs (the link and a reload start
nothing), and a double click on Start starts one job (Chromium sends one POST for it; two POSTs, and two at the
same moment, are tested in tests/exportjobs/)."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from exportjobs.models import ExportJob, ExportState
from fax.models import Status
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory
from tests.fax.factories import FaxFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_large_fax_list_confirms_its_export_and_a_double_click_starts_one_job(
    browser, live_server, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_BACKGROUND_ROWS = 2
    team = TeamFactory(name="Export Office")
    viewer = MembershipFactory(team=team, role=Role.VIEWER).user
    FaxFactory.create_batch(3, team=team, status=Status.SENT)
    context, page = signed_in_page(browser, live_server, viewer)
    try:
        page.goto("/fax/?status=sent")
        page.get_by_test_id("fax-export").click()
        page.get_by_role("heading", name="Faxes export").wait_for()
        assert page.locator("#export-filters").inner_text().split() == ["Status", "Sent"]
        assert page.get_by_label("CSV").is_checked()  # the link's format
        page.reload()
        assert not ExportJob.objects.exists()

        page.get_by_label("XLSX").check()
        page.locator("#export-start").dblclick()
        page.locator("#export-download").wait_for()
        job = ExportJob.objects.get()
        assert (job.state, job.file_format, job.rows_done, job.filters) == (
            ExportState.DONE, "xlsx", 3, {"status": ["sent"]},
        )  # fmt: skip
        assert page.url.endswith(f"/exports/{job.pk}/")
    finally:
        context.close()
