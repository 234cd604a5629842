"""Logging filter that scrubs secrets from every record, whatever logged it."""

from __future__ import annotations

import logging

from providers.transport import Redactor

_redact = Redactor()


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
