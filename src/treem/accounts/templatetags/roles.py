"""``{{ group.name|role_label }}``: a role's translated name, never its slug."""

from django import template

from treem.accounts.roles import role_label as _role_label

register = template.Library()


@register.filter
def role_label(slug: str) -> str:
    return _role_label(slug)
