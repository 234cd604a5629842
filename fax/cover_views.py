"""Cover page templates: the team's list, add, change (with a sample drawn as it will be faxed), delete."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from PIL import Image

from accounts.access import TeamView

from .cover_forms import CoverTemplateForm
from .models import CoverTemplate
from .services import cover
from .services.cover import CoverFields

PERMISSION = "manage_cover_pages"


class CoverTemplateListView(TeamView, TemplateView):
    permission = PERMISSION
    template_name = "fax/covers/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "templates": self.team.fax_cover_templates.all()}


class CoverTemplateEditView(TeamView, TemplateView):
    """Adds a template (no ``pk``) or changes one; ``delete`` in the POST deletes it."""

    permission = PERMISSION
    team_model = CoverTemplate
    template_name = "fax/covers/form.html"

    def current(self) -> CoverTemplate | None:
        return self.get_team_object() if "pk" in self.kwargs else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        template = self.current()
        return self.show(CoverTemplateForm(team=self.team, template=template), template)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        template = self.current()
        if template is not None and request.POST.get("delete"):
            cover.cover_template_delete(template=template, actor=self.user, request=request)
            messages.success(request, _("Cover page deleted."))
            return redirect("fax-covers")
        form = CoverTemplateForm(request.POST, request.FILES, team=self.team, template=template)
        if not form.is_valid():
            return self.show(form, template, status=400)
        data = form.cleaned_data
        saved = cover.cover_template_save(
            team=self.team,
            actor=self.user,
            name=data["name"],
            language=data["language"],
            shown_fields=data["shown_fields"],
            header=data["header"],
            footer=data["footer"],
            logo=form.logo_content,
            remove_logo=bool(data.get("remove_logo")),
            template=template,
            request=request,
        )
        messages.success(request, _("Cover page saved."))
        return redirect("fax-cover-edit", pk=saved.pk)

    def show(self, form: CoverTemplateForm, template: CoverTemplate | None, status: int = 200) -> HttpResponse:
        return self.render_to_response({"form": form, "template": template}, status=status)


class CoverTemplateSampleView(TeamView, TemplateView):
    """The template drawn with sample values, as a PNG the width of a thumbnail."""

    permission = PERMISSION
    team_model = CoverTemplate

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        template = self.get_team_object()
        fields = CoverFields(
            to_name=_("Recipient's name"),
            to_number="902125550123",
            from_name=self.user.get_full_name() or self.user.email,
            our_number="902125550100",
            subject=_("Subject of the fax"),
            note=_("A note to the recipient."),
            when=timezone.now(),
            pages=3,
        )
        png = cover.cover_page_png(team=self.team, template=template, fields=fields)
        with Image.open(io.BytesIO(png)) as page:
            page.thumbnail((600, 900), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            page.save(out, format="PNG")
        response = HttpResponse(out.getvalue(), content_type="image/png")
        response["Cache-Control"] = "private, no-cache"
        return response
