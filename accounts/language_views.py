"""The language switch: Django's ``set_language`` that also keeps a signed-in person's choice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language


@login_not_required
def language_choose(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and a signed-in person's choice is kept for the emails they get."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user: Any = request.user
    chosen = request.method == "POST" and language in dict(settings.LANGUAGES)
    if chosen and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
