"""A cover page template: its name, the language of its labels, the fields it shows, logo, header, footer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .cover_page import FIELDS
from .models import CoverTemplate
from .services.cover import LogoError, logo_png

LOGO_MAX_BYTES = 2 * 1024 * 1024


class CoverTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    language = forms.ChoiceField(label=_("Language of the labels"), choices=settings.LANGUAGES, initial="tr")
    shown_fields = forms.MultipleChoiceField(
        label=_("Fields shown"),
        choices=[(key, label) for key, label in FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(FIELDS),
        required=False,
    )
    header = forms.CharField(
        label=_("Header text"), max_length=300, required=False, help_text=_("Under the logo: your name, address…")
    )
    footer = forms.CharField(
        label=_("Footer text"), max_length=300, required=False, help_text=_("At the foot of the page.")
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF, BMP or WebP, up to 2 MB; printed in black and white."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args: Any, team: Team, template: CoverTemplate | None = None, **kwargs: Any) -> None:
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": template.name,
                "language": template.language,
                "shown_fields": template.shown_fields,
                "header": template.header,
                "footer": template.footer,
            }
        super().__init__(*args, **kwargs)
        self.team, self.template = team, template
        self.logo_content: bytes | None = None
        if template is None or not template.logo_path:
            del self.fields["remove_logo"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = self.team.fax_cover_templates.filter(name=name)
        if self.template is not None:
            others = others.exclude(pk=self.template.pk)
        if others.exists():
            raise forms.ValidationError(_("The team already has a cover page of this name."), code="taken")
        return name

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size and upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is larger than 2 MB."), code="too_big")
        content = upload.read()
        try:
            logo_png(content)  # read by its content, whatever its name says
        except LogoError as exc:
            raise forms.ValidationError(str(exc), code="not_image") from None
        self.logo_content = content
        return upload
