"""This app's parts of lower apps' pages (core/page_panels.py): a fax's mails, a Telphin account's setting."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.models import ProviderAccount
from accounts.provider_specs.telphin import TELPHIN
from fax.models import Direction, Fax

from .delivery import RESENDABLE
from .forms import ProviderMailtoForm
from .models import ProviderMailto
from .routing import rule_for


def _can(request: HttpRequest, permission: str) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.can(permission)


def fax_deliveries_panel(request: HttpRequest, fax: Any) -> str:
    if not isinstance(fax, Fax) or fax.direction != Direction.INCOMING:
        return ""
    deliveries = list(fax.mail_deliveries.order_by("pk"))
    can_manage = _can(request, "manage_fax_routing")
    context = {
        "fax": fax,
        "deliveries": deliveries,
        "resendable": RESENDABLE,
        "can_manage": can_manage,
        "has_rule": bool(deliveries) or rule_for(fax) is not None,
    }
    return render_to_string("fax_to_email/_fax_deliveries.html", context, request=request)


def provider_mailto_panel(request: HttpRequest, account: Any) -> str:
    if not isinstance(account, ProviderAccount) or not TELPHIN.owns(account) or not _can(request, "manage_providers"):
        return ""
    setting = ProviderMailto.objects.filter(account=account).first()
    form = ProviderMailtoForm(initial={"addresses": "\n".join(setting.addresses) if setting else ""})
    context = {"account": account, "setting": setting, "form": form}
    return render_to_string("fax_to_email/_provider_mailto.html", context, request=request)


def fax_list_actions_panel(request: HttpRequest, obj: Any) -> str:
    """The way from the fax list to the routing rules (admins) or to one's own choice (everyone)."""
    if _can(request, "manage_fax_routing"):
        return render_to_string("fax_to_email/_fax_list_link.html", {"url_name": "fax-mail-rules"}, request=request)
    if getattr(request, "membership", None) is not None:
        return render_to_string("fax_to_email/_fax_list_link.html", {"url_name": "fax-mail-me"}, request=request)
    return ""
