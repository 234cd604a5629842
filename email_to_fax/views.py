"""The email-to-fax settings page (admin+) and the mails it took in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import TeamView

from .forms import MailboxForm
from .intake import example_address
from .mailboxes import demo_folder
from .models import InboundMail, Mailbox
from .receiver_addresses import mailbox_domain, receiver_domain
from .services import mailbox_update

RECENT_MAILS = 20


class MailboxView(TeamView, TemplateView):
    permission = "manage_fax_mailbox"
    template_name = "email_to_fax/mailbox.html"

    def mailbox(self) -> Mailbox:
        return Mailbox.objects.filter(team=self.team).first() or Mailbox(team=self.team)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mailbox = kwargs.get("mailbox") or self.mailbox()
        context.setdefault("form", MailboxForm(instance=mailbox, team=self.team))
        context.update(
            mailbox=mailbox,
            domain=mailbox_domain(mailbox),
            receiver_domain=receiver_domain(),
            example=example_address(mailbox),
            folder=demo_folder(mailbox) if mailbox.kind == "folder" else None,
            mails=InboundMail.objects.filter(team=self.team).select_related("member")[:RECENT_MAILS],
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        mailbox = self.mailbox()
        form = MailboxForm(request.POST, instance=mailbox, team=self.team)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, mailbox=mailbox))
        mailbox_update(form=form, actor=self.user, request=request)
        messages.success(request, _("Email to fax settings saved."))
        return redirect("email-to-fax")


class InboundMailView(TeamView, TemplateView):
    """One mail the mailbox took in: what it became, or why it was refused."""

    permission = "manage_fax_mailbox"
    team_model = InboundMail
    template_name = "email_to_fax/mail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mail = self.get_team_object()
        context.update(mail=mail, faxes=[mf.fax for mf in mail.mail_faxes.select_related("fax").order_by("fax_id")])
        return context
