"""Filters for the shared form templates (``_form.html``)."""

from django import template

register = template.Library()


@register.filter
def has_required(form) -> bool:
    """Whether a form shows at least one required field (then the page says what * means)."""
    fields = getattr(form, "visible_fields", None)
    return bool(fields) and any(f.field.required for f in fields())
