from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaxToEmailConfig(AppConfig):
    name = "fax_to_email"
    verbose_name = _("Fax to email")

    def ready(self) -> None:
        from core.page_panels import page_panel_register
        from fax.signals import fax_document_received

        from .panels import fax_deliveries_panel, fax_list_actions_panel, provider_mailto_panel
        from .routing import deliveries_on_received

        # fax tells us (it never imports this app) when a received fax's document is stored.
        fax_document_received.connect(deliveries_on_received, dispatch_uid="fax_to_email.deliveries")
        page_panel_register("fax-detail", fax_deliveries_panel)
        page_panel_register("provider-account", provider_mailto_panel)
        page_panel_register("fax-list-actions", fax_list_actions_panel)
