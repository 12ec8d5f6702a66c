"""Template filters of the funding pages."""

from django import template

from treem.funding.services import show_vnd

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An amount of dong with grouping (1.500.000 đ); blank for None."""
    if value in (None, ""):
        return ""
    return show_vnd(int(value))
