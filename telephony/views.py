from django.utils.translation import gettext_lazy as _

from telcoportal.placeholders import FeaturePage


class CallListView(FeaturePage):
    title = _("Calls")
    intro = _("Call records with filters, charts and recordings.")


class LiveCallsView(FeaturePage):
    permissions_by_method = {"POST": "disconnect_calls"}
    title = _("Live calls")
    intro = _("Calls in progress, refreshed every few seconds, with disconnect.")


class PbxView(FeaturePage):
    title = _("PBX")
    intro = _("SIP peers, extensions and active calls.")
