from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailToFaxConfig(AppConfig):
    name = "email_to_fax"
    verbose_name = _("Email to fax")

    def ready(self) -> None:
        from fax.signals import fax_finished

        from .replies import fax_finished_reply_queue

        # fax cannot know this app: it says when a fax ends, and the sender of a mailed fax hears of it.
        fax_finished.connect(fax_finished_reply_queue, dispatch_uid="email_to_fax.finished_reply")

        from notifications.messages import kind_formatters_register
        from notifications.models import Kind

        from .models import MailboxState

        # The mailbox's state code reads as its label in the reader's language.
        kind_formatters_register(Kind.FAX_MAILBOX_FAILING, state=lambda code: str(MailboxState(code).label).lower())
