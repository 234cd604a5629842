from django import template

from fax.numbers import display_number

register = template.Library()


@register.filter
def fax_number(value: str) -> str:
    return display_number(str(value or ""))
