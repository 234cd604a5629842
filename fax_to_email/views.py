"""Pages of fax to email: the team's routing rules (admin+), a member's own choice, the links in the mails."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.access import TeamView
from accounts.models import Membership, ProviderAccount, Team, User
from accounts.provider_specs.telphin import TELPHIN
from core.phones import display_digits

from . import services
from .delivery import delivery_resend
from .forms import ProviderMailtoForm, RoutingRuleForm
from .links import document_link_read, opt_out_link_read
from .message import DocumentUnreadable, received_pdf
from .models import Delivery, OptOut, RoutingRule


class RuleListView(TeamView, View):
    permission = "manage_fax_routing"

    def get(self, request: HttpRequest) -> HttpResponse:
        rules = self.team.fax_mail_rules.prefetch_related("members__user").order_by("-our_number")
        return render(request, "fax_to_email/rule_list.html", {"rules": rules})


class RuleFormView(TeamView, View):
    """Add a rule (no ``pk``) or change one (``pk``)."""

    permission = "manage_fax_routing"
    team_model = RoutingRule
    template_name = "fax_to_email/rule_form.html"

    def _rule(self) -> RoutingRule | None:
        return self.get_team_object() if "pk" in self.kwargs else None

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        rule = self._rule()
        form = RoutingRuleForm(team=self.team, rule=rule)
        return render(request, self.template_name, {"form": form, "rule": rule})

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        rule = self._rule()
        form = RoutingRuleForm(request.POST, team=self.team, rule=rule)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "rule": rule}, status=400)
        data = form.cleaned_data
        rule = services.rule_save(
            team=self.team,
            actor=self.user,
            our_number=data["our_number"],
            members=list(data["members"]),
            emails=data["emails"],
            attach_document=data["attach_document"],
            language=data["language"],
            rule=rule,
            request=request,
        )
        shown = display_digits(rule.our_number) if rule.our_number else _("every other number")
        messages.success(request, _("Routing rule for %(number)s saved.") % {"number": shown})
        return redirect("fax-mail-rules")


class RuleDeleteView(TeamView, View):
    permission = "manage_fax_routing"
    team_model = RoutingRule

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "fax_to_email/rule_delete.html", {"rule": self.get_team_object()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.rule_delete(rule=self.get_team_object(), actor=self.user, request=request)
        messages.success(request, _("Routing rule deleted."))
        return redirect("fax-mail-rules")


class DeliveryResendView(TeamView, View):
    """Send again a mail that failed, bounced or whose outcome is unknown: a person's decision, audited."""

    permission = "manage_fax_routing"
    team_model = Delivery
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = self.get_team_object()
        if delivery_resend(delivery=delivery, actor=self.user, request=request):
            messages.success(request, _("The mail to %(email)s is queued again.") % {"email": delivery.email})
        else:
            messages.info(request, _("That mail is already on its way."))
        return redirect("fax-detail", delivery.fax_id)


class MyFaxMailView(TeamView, View):
    """A member turns received faxes by email off (or on again) for themselves."""

    permission = "view"

    def get(self, request: HttpRequest) -> HttpResponse:
        opted_out = services.is_opted_out(team=self.team, user=self.user)
        return render(request, "fax_to_email/my_fax_mail.html", {"opted_out": opted_out})

    def post(self, request: HttpRequest) -> HttpResponse:
        opted_out = request.POST.get("receive") != "1"
        services.opt_out_set(team=self.team, user=self.user, opted_out=opted_out, request=request)
        if opted_out:
            messages.success(request, _("You will not get this team's received faxes by email."))
        else:
            messages.success(request, _("You will get this team's received faxes by email when a rule names you."))
        return redirect("fax-mail-me")


@method_decorator([login_not_required, never_cache], name="dispatch")
class OptOutLinkView(View):
    """The link in a mail: the signed team and member, confirmed with a button (a GET never changes anything)."""

    def _target(self, token: str) -> tuple[Team, User]:
        found = opt_out_link_read(token)
        if found is None:
            raise Http404
        membership = (
            Membership.objects.select_related("user", "team").filter(team_id=found[0], user_id=found[1]).first()
        )
        if membership is None:
            raise Http404
        return membership.team, membership.user

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        team, user = self._target(token)
        context = {"team": team, "done": OptOut.objects.filter(team=team, user=user).exists()}
        return render(request, "fax_to_email/opt_out_link.html", context)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        team, user = self._target(token)
        services.opt_out_set(team=team, user=user, opted_out=True, request=request)
        return render(request, "fax_to_email/opt_out_link.html", {"team": team, "done": True})


@method_decorator([login_not_required, never_cache], name="dispatch")
class DocumentLinkView(View):
    """The signed, expiring link of a mail whose document was too large to attach: checked on every use."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        delivery_id = document_link_read(token)
        delivery = (
            Delivery.objects.select_related("fax").filter(pk=delivery_id, attach_document=True).first()
            if delivery_id is not None
            else None
        )
        if delivery is None:
            raise Http404
        try:
            pdf, _pages, filename = received_pdf(delivery)
        except DocumentUnreadable:
            raise Http404 from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ProviderMailtoView(TeamView, View):
    """The provider's own fax-to-email addresses (Telphin), set from its account page."""

    permission = "manage_providers"
    team_model = ProviderAccount
    template_name = "fax_to_email/provider_mailto.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("provider-edit", self.get_team_object().pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account: ProviderAccount = self.get_team_object()
        if not TELPHIN.owns(account):
            messages.error(request, _("Only Telphin accounts keep their own fax-to-email addresses."))
            return redirect("provider-edit", account.pk)
        form = ProviderMailtoForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "account": account}, status=400)
        try:
            services.provider_mailto_set(
                account=account, addresses=form.cleaned_data["addresses"], actor=self.user, request=request
            )
        except services.MailtoError as exc:
            problem = _("%(provider)s did not take the addresses: %(reason)s")
            form.add_error(None, problem % {"provider": account.label, "reason": exc})
            return render(request, self.template_name, {"form": form, "account": account}, status=502)
        saved = _("Fax-to-email addresses of %(label)s saved at the provider.")
        messages.success(request, saved % {"label": account.label})
        return redirect("provider-edit", account.pk)
