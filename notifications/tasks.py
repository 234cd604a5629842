from celery import shared_task

from core.tasks import Task

from . import services


@shared_task(base=Task, name="notifications.send_email", soft_time_limit=30, time_limit=60)
def notification_email_send(notification_id: int) -> str:
    return services.notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.check_balance", soft_time_limit=60, time_limit=90)
def balance_check(account_id: int) -> str:
    from accounts.models import ProviderAccount

    account = ProviderAccount.objects.filter(pk=account_id, is_active=True).select_related("team").first()
    if account is None:
        return "gone"
    return services.balance_check(account=account)


@shared_task(name="notifications.check_balances", soft_time_limit=30, time_limit=60)
def balances_check_all() -> str:
    ids = services.balance_accounts()
    for pk in ids:
        balance_check.delay(pk)
    return f"queued {len(ids)}"
