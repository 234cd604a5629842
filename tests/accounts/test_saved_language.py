"""The language a person chose follows them to a browser that has never seen it."""

from django.conf import settings

from accounts.models import User
from tests.conftest import client_for


def test_a_new_browser_gets_the_saved_language_and_keeps_it(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(language="tr")
    client = client_for(alice)  # a fresh browser: no language cookie

    response = client.get("/sms/")

    assert response.headers["Content-Language"] == "tr"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "tr"


def test_the_browser_s_own_choice_wins(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(language="tr")
    client = client_for(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/sms/")

    assert response.headers["Content-Language"] == "en"


def test_without_a_saved_language_nothing_changes(alice: User) -> None:
    response = client_for(alice).get("/sms/")

    assert response.headers["Content-Language"] == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
