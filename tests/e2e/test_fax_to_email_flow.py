"""An admin routes a fax number to a member; the sandbox receives a fax; the member's mailbox gets the PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest

from accounts.roles import Role
from fax import tasks
from fax.models import Fax
from fax_to_email.models import Delivery
from sandbox.media import fax_tiff_bytes
from sandbox.telphin import DEMO_EXTENSION_ID
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admins_routing_rule_sends_a_received_fax_to_the_members_mailbox_as_a_pdf(
    browser, live_server, sandbox_account, sandbox, smtp_server, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Fax Office")
    admin = MembershipFactory(team=team, user=UserFactory(email="ayse@example.com"), role=Role.ADMIN).user
    MembershipFactory(team=team, user=UserFactory(email="mert@example.com", full_name="Mert Kaya"), role=Role.VIEWER)
    account = sandbox_account(team, "telphin")
    inbox = sandbox.by_name["telphin"].received[DEMO_EXTENSION_ID]
    inbox.clear()  # only the fax this test sends in

    context, page = signed_in_page(browser, live_server, admin)
    page.goto("/fax/")
    page.get_by_test_id("fax-mail-link").click()
    page.get_by_test_id("no-rules").wait_for()
    page.get_by_test_id("rule-new").click()
    page.get_by_label("Our fax number").fill("+7 495 765 43 21")
    page.get_by_label("Mert Kaya <mert@example.com>").check()
    assert page.get_by_label("Attach the document (PDF)").is_checked()
    page.get_by_test_id("rule-save").click()
    page.get_by_text("Routing rule for +7 495 765-43-21 saved.").wait_for()
    assert "mert@example.com" in page.get_by_test_id("rules").inner_text()

    inbox.append(
        {
            "uuid": "e2e0c1a0-7a51-4c1e-9a0e-0000000000e2",
            "caller_id": "902125550123",
            "destination": "74957654321",
            "received_at": sandbox.clock.now() - timedelta(minutes=1),
            "content": fax_tiff_bytes("e2e", pages=2),
            "content_type": "image/tiff",
        }
    )
    assert tasks.fetch_incoming_for_account(account.pk) == "1 new"  # the inbox poll beat runs

    [mail] = smtp_server.wait_for(1, timeout=30)
    assert mail.rcpt_tos == ["mert@example.com"]
    assert mail.subject == "Fax from +90 212 555 01 23 to +7 495 765-43-21, 2 pages"
    [(filename, content_type, content)] = mail.attachments()
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    pdf = pdfium.PdfDocument(io.BytesIO(content))
    assert len(pdf) == 2
    pdf.close()

    fax = Fax.objects.get(team=team)
    page.goto(f"/fax/{fax.pk}/")
    row = page.get_by_test_id("delivery")
    assert re.search(r"mert@example\.com\s+Sent", row.inner_text())
    assert Delivery.objects.get(fax=fax).state == "sent"
    context.close()
