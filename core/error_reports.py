"""Django's debug page and error emails, with every secret-looking local hidden in every frame.

The provider clients have no Django imports, so their frames (a constructor holding
``password``, a transport holding a token) cannot be marked ``sensitive_variables``;
this filter hides locals by name there too, the way Django hides settings.
"""

from __future__ import annotations

import re
from collections.abc import ItemsView
from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CRED|CODE", flags=re.I)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return {name: self.cleanse_setting(name, value) for name, value in variables}.items()
