"""A page for a feature area that is not built yet, behind the same access checks."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from accounts.access import TeamView


class FeaturePage(TeamView, TemplateView):
    template_name = "feature_placeholder.html"
    title = ""
    intro = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, intro=self.intro)
        return context

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.get(request, *args, **kwargs)
