"""``{% notification_bell %}``: the navbar's bell with the count of unread notifications."""

from django import template

from treem.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {"signed_in": signed_in, "unread": unread_count(user) if signed_in else 0}
