from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaxConfig(AppConfig):
    name = "fax"
    verbose_name = _("Fax")
