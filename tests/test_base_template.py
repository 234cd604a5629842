"""What the base layout costs every full page: its navigation's links are reversed once per process."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client
from django.urls import URLResolver, get_script_prefix, set_script_prefix

from core.templatetags.ui import fixed_url

NAVIGATION = {"dashboard", "sms-list", "calls-list", "calls-stats", "calls-live", "pbx", "fax-list", "team-settings",
              "notifications", "profile", "sessions", "security", "api-tokens", "logout", "set_language"}  # fmt: skip


def _reversed_names(client: Client, path: str) -> set[str]:
    original = URLResolver._reverse_with_prefix  # type: ignore[attr-defined]  # Django's, not in its stubs
    names: set[str] = set()

    def spy(resolver: URLResolver, lookup_view: str, *args: object, **kwargs: object) -> str:
        names.add(lookup_view)
        return original(resolver, lookup_view, *args, **kwargs)

    with mock.patch.object(URLResolver, "_reverse_with_prefix", autospec=True, side_effect=spy):
        assert client.get(path).status_code == 200
    return names


def test_a_page_reverses_none_of_the_navigation_links_once_they_were_drawn(alice_client: Client) -> None:
    _reversed_names(alice_client, "/notifications/")
    assert not _reversed_names(alice_client, "/notifications/") & NAVIGATION


@pytest.fixture
def portal_prefix() -> Iterator[None]:
    before = get_script_prefix()
    set_script_prefix("/portal/")
    yield
    set_script_prefix(before)


def test_a_link_follows_the_script_prefix_it_is_drawn_under(portal_prefix: None) -> None:
    assert fixed_url("calls-list") == "/portal/calls/"
    set_script_prefix("/")
    assert fixed_url("calls-list") == "/calls/"
