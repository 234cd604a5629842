from celery import shared_task

from core.tasks import Task

from . import services


@shared_task(name="accounts.purge_expired_invitations", soft_time_limit=100, time_limit=120)
def invitations_purge_expired() -> str:
    return f"deleted {services.invitations_purge_expired()}"


@shared_task(name="accounts.check_provider_account", soft_time_limit=60, time_limit=90)
def provider_account_check(account_id: int) -> str:
    from .models import ProviderAccount
    from .provider_checks import provider_account_check as check

    account = ProviderAccount.objects.filter(pk=account_id, is_active=True).select_related("team").first()
    if account is None:
        return "gone"
    return "ok" if check(account=account).ok else "failing"


@shared_task(name="accounts.check_provider_accounts", soft_time_limit=30, time_limit=60)
def provider_accounts_check_all() -> str:
    from .models import ProviderAccount

    ids = list(ProviderAccount.objects.filter(is_active=True).values_list("pk", flat=True))
    for pk in ids:
        provider_account_check.delay(pk)
    return f"queued {len(ids)}"


@shared_task(base=Task, name="accounts.refresh_balance", soft_time_limit=20, time_limit=30)
def balance_refresh_task(account_id: int) -> str:
    from .balance import balance_refresh

    return balance_refresh(account_id=account_id)


@shared_task(name="accounts.send_password_reset", soft_time_limit=30, time_limit=60)
def password_reset_email_task(*, email: str, domain: str, use_https: bool, language: str) -> str:
    from .password_reset import password_reset_email_send

    password_reset_email_send(email=email, domain=domain, use_https=use_https, language=language)
    return "done"
