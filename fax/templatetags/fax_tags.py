from django import template

from core.phones import display_digits

register = template.Library()


@register.filter
def fax_number(value: str) -> str:
    return display_digits(str(value or ""))
