"""The list pages' filter forms and rows: Django's form templates vs the lean renderer vs a cached form, in one run.

    DATABASE_URL=postgres://… [CACHE_URL=redis://127.0.0.1:6379/14] .venv/bin/python bench/list_pages.py

Uses the team bench/cdr_page.py fills ("CDR benchmark"; run that first) and gives it, once, an SMS batch of
--recipients recipients and --contacts SMS contacts. For each list page (calls, SMS batches, a batch's recipients,
SMS contacts, faxes, audit log) it prints, medians of --repeat:

- form: the page's filter form drawn as its template draws it (``bootstrap`` per field) with Django's
  ``DjangoTemplates`` renderer, with ``core.form_renderer.LeanWidgetRenderer`` (the portal's), and what a cache
  of the drawn form per (team, language, query string) would cost on a hit (the key, one ``cache.get``);
- page: the whole request through the test client before (Django's form templates, model selects through a
  server-side cursor, recipients and contacts drawn cell by cell) and after, alternating, so both see the same load.

Nothing is asserted; the figures are ratios within the run (docs/performance.md, "Whole pages").
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cdr_page import median_ms  # noqa: E402

DJANGO_RENDERER = "django.forms.renderers.DjangoTemplates"


def seed(team: Any, recipients: int, contacts: int) -> int:
    """The team's bench batch (made once) and contacts; returns the batch's id."""
    from messaging.models import Contact, SmsBatch, SmsChunk, SmsRecipient

    batch = team.sms_batches.filter(sender="BENCH").first()
    if batch is None:
        account = team.provider_accounts.order_by("pk").first()
        batch = SmsBatch.objects.create(
            team=team, account=account, sender="BENCH", text="Merhaba", alphabet="Default",
            recipient_count=recipients, state=SmsBatch.State.SUBMITTED,
        )  # fmt: skip
        chunk = SmsChunk.objects.create(batch=batch, index=0, size=recipients, state=SmsChunk.State.SUBMITTED)
        states = ["delivered", "undelivered", "waiting"]
        SmsRecipient.objects.bulk_create(
            SmsRecipient(batch=batch, chunk=chunk, phone=f"+90532{1000000 + i}", state=states[i % 3])
            for i in range(recipients)
        )
    if not team.contacts.exists():
        Contact.objects.bulk_create(
            Contact(team=team, name=f"Kişi {i}", phone=f"+90533{1000000 + i}") for i in range(contacts)
        )
    return batch.pk


def filter_forms(team: Any, batch_id: int) -> dict[str, Callable[[], Any]]:
    """Each list page's filter form, bound to a typical query, as its view makes it."""
    from accounts.filters import AuditEventFilter
    from fax.filters import FaxFilter
    from messaging.filters import BatchFilter, ContactFilter, RecipientFilter
    from telephony.filters import CallFilter

    calls = {"preset": "7d", "direction": "in", "number": "0532"}
    return {
        "/calls/": lambda: CallFilter(calls, queryset=team.call_records.all(), team=team).form,
        "/sms/": lambda: BatchFilter({"state": "submitted"}, queryset=team.sms_batches.all()).form,
        f"/sms/{batch_id}/": lambda: RecipientFilter({"state": "delivered"}, queryset=None).form,
        "/sms/contacts/": lambda: ContactFilter({"q": "Kişi"}, queryset=team.contacts.all(), team=team).form,
        "/fax/": lambda: FaxFilter({"direction": "in"}, queryset=team.faxes.all(), team=team).form,
        "/team/audit/": lambda: AuditEventFilter({"actor": "a"}, queryset=team.audit_events.all()).form,
    }


def draw(make_form: Callable[[], Any], renderer: Any = None, djangos_choices: bool = False) -> str:
    """The filter form made, validated and drawn as the list templates draw it; not drawn without a renderer."""
    from django.forms import ModelChoiceField

    from core.templatetags.ui import bootstrap

    form = make_form()
    form.is_valid()
    if djangos_choices:  # QuerySet.iterator(): a server-side cursor on PostgreSQL
        for field in form.fields.values():
            if isinstance(field, ModelChoiceField):
                field.iterator = type(field).iterator
                field.widget.choices = field.choices
    if renderer is None:  # what a cached form would still pay: made, validated, its choices read
        return "".join(str([*iter(getattr(field.field, "choices", ()))]) for field in form)
    form.renderer = renderer
    return "".join(bootstrap(field) for field in form)


def form_figures(make_form: Callable[[], Any], renderers: dict[str, Any], repeat: int) -> dict[str, float]:
    return {
        "before": median_ms(lambda: draw(make_form, renderers["django"], djangos_choices=True), repeat),
        "django": median_ms(lambda: draw(make_form, renderers["django"]), repeat),
        "lean": median_ms(lambda: draw(make_form, renderers["lean"]), repeat),
        "made": median_ms(lambda: draw(make_form), repeat),
    }


@contextmanager
def as_before() -> Iterator[None]:
    """The list pages as they were before the lean forms and rows: Django's form templates, model selects read
    through ``QuerySet.iterator()``, the recipients' and contacts' rows drawn cell by cell by django-tables2."""
    from django.forms.models import ModelChoiceIterator
    from django.test import override_settings

    from core.forms import ChoicesInOneQuery
    from messaging.tables import ContactTable, RecipientTable

    lean_iter = ChoicesInOneQuery.__iter__
    lean_templates = {table: table._meta.template_name for table in (ContactTable, RecipientTable)}
    ChoicesInOneQuery.__iter__ = ModelChoiceIterator.__iter__  # type: ignore[method-assign]
    for table in lean_templates:
        table._meta.template_name = "tables/table.html"
    try:
        with override_settings(FORM_RENDERER=DJANGO_RENDERER):
            yield
    finally:
        ChoicesInOneQuery.__iter__ = lean_iter  # type: ignore[method-assign]
        for table, template_name in lean_templates.items():
            table._meta.template_name = template_name


def page_figures(client: Any, path: str, repeat: int) -> dict[str, float]:
    """The whole request's median wall time and the process's CPU time for it, before and after, alternating so
    both see the same load (the CPU time is what a loaded machine disturbs least)."""
    times: dict[str, list[float]] = {"before": [], "after": [], "before cpu": [], "after cpu": []}
    for _ in range(repeat + 1):
        for name, setting in (("before", as_before), ("after", nullcontext)):
            with setting():
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times[name].append((time.perf_counter() - began) * 1000)
                times[f"{name} cpu"].append((time.process_time() - began_cpu) * 1000)
            assert response.status_code == 200, path
    return {name: statistics.median(values[1:]) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="CDR benchmark")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.forms.renderers import DjangoTemplates
    from django.test import Client
    from django.utils import translation

    from accounts.models import Membership
    from core.form_renderer import LeanWidgetRenderer

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    member = Membership.objects.filter(team__name=args.team).select_related("user", "team").order_by("pk").first()
    if member is None:
        raise SystemExit(f"no team named {args.team!r}: fill it with bench/cdr_page.py first")
    team = member.team
    batch_id = seed(team, args.recipients, args.contacts)
    client = Client()
    client.force_login(member.user)
    renderers = {"django": DjangoTemplates(), "lean": LeanWidgetRenderer()}
    print(f"cache: {settings.CACHES['default']['BACKEND']}; medians of {args.repeat}")
    print(
        f"{'page':<16}{'form: before':>14}{'django':>10}{'lean':>10}{'made':>10}{'cached':>10}"
        f"{'page: before':>14}{'after':>10}{'after/before':>13}{'cpu: before':>13}{'after':>10}{'after/before':>13}"
    )
    for path, make_form in filter_forms(team, batch_id).items():
        form_ms = form_figures(make_form, renderers, args.repeat)
        html = draw(make_form, renderers["lean"])
        key = "filter-form:" + hashlib.sha256(f"{team.pk}:{translation.get_language()}:{path}?x".encode()).hexdigest()
        cache.set(key, html, 600)
        form_ms["cached"] = median_ms(lambda key=key: cache.get(key), args.repeat)
        page_ms = page_figures(client, path, args.repeat)
        print(
            f"{path:<16}{form_ms['before']:>12.2f}ms{form_ms['django']:>8.2f}ms{form_ms['lean']:>8.2f}ms"
            f"{form_ms['made']:>8.2f}ms{form_ms['cached']:>8.2f}ms"
            f"{page_ms['before']:>12.2f}ms{page_ms['after']:>8.2f}ms{page_ms['after'] / page_ms['before']:>12.2f}×"
            f"{page_ms['before cpu']:>11.2f}ms{page_ms['after cpu']:>8.2f}ms"
            f"{page_ms['after cpu'] / page_ms['before cpu']:>12.2f}×"
        )


if __name__ == "__main__":
    main()
