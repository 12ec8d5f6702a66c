"""``{% main_menu %}``: the menus of ``core.navigation`` for the signed-in user."""

from django import template

from treem.core.navigation import menu_for

register = template.Library()


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"menus": menu_for(user, getattr(request, "path", "")) if user else []}
