"""PROVIDER_URL_ALLOWLIST: its syntax, and the check that names a wrong entry."""

from __future__ import annotations

import ipaddress

import pytest

from accounts.checks import provider_url_allowlist_valid
from providers.urlsafety import AllowList, Origin, is_public


def test_entries_are_origins_or_networks() -> None:
    allowlist = AllowList.parse(["http://127.0.0.1:8001", "https://Test.Provider.example", "10.20.0.0/16", " "])
    assert allowlist.origins == {Origin("http", "127.0.0.1", 8001), Origin("https", "test.provider.example", 443)}
    assert allowlist.networks == (ipaddress.ip_network("10.20.0.0/16"),)


@pytest.mark.parametrize("entry", ["http://a.example/path", "a.example", "http://u:p@a.example", "http://a:99999"])
def test_a_wrong_entry_is_named_by_the_check(settings, entry: str) -> None:
    settings.PROVIDER_URL_ALLOWLIST = [entry]
    [error] = provider_url_allowlist_valid(None)
    assert error.id == "telcoportal.E002" and repr(entry) in error.msg


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
     "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe",
     "2002:7f00:1::"],
)  # fmt: skip
def test_addresses_that_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))
