"""Logging filter that scrubs secrets from every record, whatever logged it."""

from __future__ import annotations

import logging
import re

from providers.transport import REDACTED, Redactor

_redact = Redactor()

# An OAuth callback's authorization code (and its state) reach the portal in the query string, so
# request lines (runserver, gunicorn's access log) carry them: the code is a credential until used.
_CALLBACK_QUERY = re.compile(r"/callback/?\?[^\s\"']+", re.IGNORECASE)
_CODE_OR_STATE = re.compile(r"((?:^|[?&])(?:code|state)=)[^&]+", re.IGNORECASE)


def redact_log_text(text: str) -> str:
    """``text`` without known secret values nor an OAuth callback's code and state."""
    text = _redact(text)
    return _CALLBACK_QUERY.sub(lambda m: _CODE_OR_STATE.sub(rf"\g<1>{REDACTED}", m.group(0)), text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_log_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
