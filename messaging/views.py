from django.utils.translation import gettext_lazy as _

from telcoportal.placeholders import FeaturePage


class BatchListView(FeaturePage):
    title = _("SMS")
    intro = _("SMS batches and their delivery will be listed here.")


class ComposeView(FeaturePage):
    permission = "send"
    title = _("New SMS")
    intro = _("Compose and send SMS to many recipients.")


class ContactListView(FeaturePage):
    permissions_by_method = {"POST": "manage_contacts"}
    title = _("Contacts")
    intro = _("Contacts and groups for SMS.")
