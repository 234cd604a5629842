from django.utils.translation import gettext_lazy as _

from telcoportal.placeholders import FeaturePage


class FaxListView(FeaturePage):
    title = _("Fax")
    intro = _("Faxes sent and received across every provider.")


class FaxComposeView(FeaturePage):
    permission = "send"
    title = _("New fax")
    intro = _("Send a fax with a preview of what will be transmitted.")
