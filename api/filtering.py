"""The pages' own filter sets applied to an API list: the same filters, invalid values a 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import FilterSet
from rest_framework.exceptions import ValidationError


def filtered(filterset: FilterSet) -> QuerySet[Any]:
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    return filterset.qs
