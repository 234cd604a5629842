from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaxConfig(AppConfig):
    name = "fax"
    verbose_name = _("Fax")

    def ready(self) -> None:
        from notifications.messages import kind_formatters_register
        from notifications.models import Kind

        from .timeline import render_error, status_word

        # A fax notification's status code and error key read in the reader's language.
        kind_formatters_register(Kind.FAX_STUCK, status=status_word)
        kind_formatters_register(Kind.FAX_FAILED, error=render_error)
