"""Every list page's filter form reads the same with the lean form renderer as with Django's templates: the values
a person typed come back (escaped), errors are shown, labels are in Turkish; and no CSRF token is ever shared."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.factories import AuditEventFactory, ProviderAccountFactory
from tests.messaging.factories import ContactFactory, ContactGroupFactory, SmsChunkFactory, SmsRecipientFactory

pytestmark = pytest.mark.django_db

TYPED = "<b>Çağrı & 'İş'</b>"
Q = quote(TYPED)  # in a query string
GET_FORM = re.compile(r'<form method="get".*?</form>', re.DOTALL)
DJANGO_TEMPLATES = "django.forms.renderers.DjangoTemplates"


@pytest.fixture
def turkish_client(alice, team_a) -> Client:
    alice.language = "tr"
    alice.save()
    client = client_for(alice)
    client.cookies["django_language"] = "tr"
    return client


@pytest.fixture
def pages(team_a) -> list[str]:
    account = ProviderAccountFactory(team=team_a, label="Ana hat", kind="pasifik")
    chunk = SmsChunkFactory(batch__team=team_a, batch__account=account)
    SmsRecipientFactory(chunk=chunk)
    ContactFactory(team=team_a, name=TYPED)
    group = ContactGroupFactory(team=team_a, name="Müşteriler")
    AuditEventFactory(team=team_a)
    return [
        f"/calls/?preset=all&number={Q}&min_duration=-5&date_from=2026-13-45&direction=in&account={account.pk}",
        "/calls/",
        f"/sms/?state=bogus&sender={Q}&since=2026-01-05&until=yarın&number=0532",
        f"/sms/{chunk.batch.pk}/?state=nope&number={Q}",
        f"/sms/contacts/?q={Q}&group={group.pk}",
        "/sms/contacts/?group=999999",
        f"/fax/?direction=in&status=x&date_from=dün&number={Q}&account={account.pk}",
        f"/team/audit/?action=bogus&actor={Q}&since=2026-02-30",
        f"/fax/contacts/?q={Q}&group=999999",
    ]


def _filter_forms(client: Client, path: str) -> list[str]:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="tr")
    assert response.status_code == 200, path
    return GET_FORM.findall(response.content.decode())


def test_every_filter_form_is_the_html_djangos_templates_write(turkish_client: Client, pages, settings) -> None:
    lean = {path: _filter_forms(turkish_client, path) for path in pages}
    settings.FORM_RENDERER = DJANGO_TEMPLATES
    django = {path: _filter_forms(turkish_client, path) for path in pages}

    for path in pages:
        assert lean[path], path
        assert lean[path] == django[path], path


def test_what_a_person_typed_comes_back_with_the_errors_in_turkish(turkish_client: Client, pages) -> None:
    [calls] = _filter_forms(turkish_client, pages[0])

    assert 'value="&lt;b&gt;Çağrı &amp; &#x27;İş&#x27;&lt;/b&gt;"' in calls
    assert "<b>Çağrı" not in calls
    assert re.search(r'<select name="direction"[^>]*>.*<option value="in" selected>', calls, re.DOTALL)
    assert 'aria-invalid="true"' in calls and "is-invalid" in calls
    assert "Süre" in calls or "Numara" in calls  # the labels are Turkish
    assert "Number" not in calls

    [batches] = _filter_forms(turkish_client, pages[2])
    assert 'name="sender"' in batches and "&lt;b&gt;Çağrı" in batches
    assert "invalid-feedback" in batches  # "bogus" is no state, "yarın" no date: said under the field


def test_every_field_marked_invalid_points_at_its_error(turkish_client: Client, pages) -> None:
    described = 0
    for path in pages:
        for form in _filter_forms(turkish_client, path):
            for target in re.findall(r'aria-describedby="([^"]+)"', form):
                assert f'id="{target}"' in form, (path, target)  # a screen reader reads the error with the field
                described += 1
    assert described >= 6


def test_a_page_with_a_filter_form_never_hands_one_persons_csrf_token_to_another(
    turkish_client: Client, pages, bob_client: Client
) -> None:
    path = "/sms/contacts/"  # a filter form (GET, no token) beside the group forms (POST, a token)
    tokens = []
    for client in (turkish_client, bob_client, turkish_client):
        body = client.get(path).content.decode()
        assert GET_FORM.search(body) and "csrfmiddlewaretoken" not in GET_FORM.search(body).group(0)
        [token, *_] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        tokens.append((client, token))
    from django.middleware.csrf import _unmask_cipher_token

    secrets = [_unmask_cipher_token(token) for _, token in tokens]
    assert secrets[0] != secrets[1]  # each person's own secret
    assert secrets[0] == secrets[2]  # and the same person's again on the next page
    assert tokens[0][1] != tokens[2][1]  # masked afresh on every page: nothing of the page was replayed


def test_the_filter_selects_list_the_same_options_read_by_one_plain_query(team_a, team_b) -> None:
    from django import forms

    from core.forms import ChoicesInOneQuery
    from fax.book_forms import FaxContactSearchForm
    from fax.filters import FaxFilter
    from messaging.filters import ContactFilter
    from telephony.filters import CallFilter

    for label in ("Yedek hat", "Ana hat"):
        ProviderAccountFactory(team=team_a, label=label, kind="pasifik")
    ProviderAccountFactory(team=team_b, label="Başka ekip", kind="pasifik")
    ContactGroupFactory(team=team_a, name="Müşteriler")
    fields = {
        "calls": CallFilter(None, queryset=None, team=team_a).form.fields["account"],
        "faxes": FaxFilter(None, queryset=None, team=team_a).form.fields["account"],
        "contacts": ContactFilter(None, queryset=None, team=team_a).form.fields["group"],
        "fax contacts": FaxContactSearchForm(team=team_a).fields["group"],
    }
    for name, field in fields.items():
        assert isinstance(field, forms.ModelChoiceField) and field.iterator is ChoicesInOneQuery, name
        expected = [(str(value), str(label)) for value, label in type(field).iterator(field)]  # Django's own
        assert [(str(value), str(label)) for value, label in field.widget.choices] == expected, name
        assert len(field.widget.choices) == len(expected), name
    shown = [str(label) for _, label in fields["calls"].widget.choices]
    assert shown == ["Any account", "Ana hat (Pasifik Telekom)", "Yedek hat (Pasifik Telekom)"]  # the team's, in order
