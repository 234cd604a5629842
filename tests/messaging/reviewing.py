"""Going through the review page as a browser would: post back exactly the hidden fields it holds."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.urls import reverse


class _ReviewForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and found.get("id") == "review":
            self.inside = True
        elif self.inside and tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.data.setdefault(found["name"] or "", []).append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def review_data(html: str, step: str = "send") -> dict[str, Any]:
    parser = _ReviewForm()
    parser.feed(html)
    assert parser.data, "no review form on the page"
    return {**parser.data, "step": step}


def through_review(client: Any, response: Any, step: str = "send") -> Any:
    """Clicks Confirm (or Back) on the review page ``response``."""
    assert response.status_code == 200 and 'id="review"' in response.content.decode(), response.status_code
    return client.post(reverse("sms-new"), review_data(response.content.decode(), step))
