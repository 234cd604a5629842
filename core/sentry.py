"""Optional error reporting to Sentry (SENTRY_DSN): events leave with the logs' secret scrubbing applied."""

from __future__ import annotations

from typing import Any

from providers.transport import REDACTED, SECRET_FIELDS, SECRET_HEADERS

from .logging import redact_log_text

_SECRET_NAMES = {name.lower() for name in (*SECRET_FIELDS, *SECRET_HEADERS, "credentials", "token", "secret_key")}


def scrub(value: Any) -> Any:
    """``value`` with every string redacted as the logs are, and the value of every secret-named key dropped."""
    if isinstance(value, str):
        return redact_log_text(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and key.lower() in _SECRET_NAMES else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    return scrub(event)


def init(dsn: str, *, environment: str, release: str | None = None, **options: Any) -> None:
    """Starts the SDK (its Django, Celery and logging integrations turn on by themselves)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,  # no user, no cookies, no client address
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
        **options,
    )
