"""WCAG AA contrast (4.5:1 for normal text) of the colours Chromium actually computes:
the header's links and the "waiting" count of an SMS batch."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Relative luminance and contrast ratio as WCAG 2.x defines them; a translucent colour is
# first laid over the nearest opaque background of its ancestors.
CONTRAST_JS = """
(el) => {
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const over = (top, bottom) => {
    const a = top.length > 3 ? top[3] : 1;
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a));
  };
  const background = (node) => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length > 3 && c[3] === 0) continue;
      layers.push(c);
      if (c.length === 3 || c[3] === 1) break;
    }
    return layers.reduceRight((acc, c) => over(c, acc), [255, 255, 255]);
  };
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bg = background(el);
  const style = getComputedStyle(el);
  const fg = over(parse(style.color), bg);
  const opacity = Number(style.opacity);
  const seen = over([...fg, opacity], bg);
  const [hi, lo] = [lum(seen), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}
"""


def test_header_links_and_waiting_text_reach_wcag_aa(page) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OWNER)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    ratios = {"account menu": page.get_by_test_id("account-menu").evaluate(CONTRAST_JS)}
    for link in page.locator("nav .nav-link").all():
        ratios[f"nav link {link.inner_text()}"] = link.evaluate(CONTRAST_JS)
    # The batch page's "N waiting" count, with the page's own stylesheets.
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<div id="probe"><span class="text-info" data-count="waiting">3 waiting</span></div>')"""
    )
    ratios["waiting"] = page.locator("#probe [data-count=waiting]").evaluate(CONTRAST_JS)

    too_low = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 4.5}
    assert not too_low, too_low
    assert len(ratios) >= 8
