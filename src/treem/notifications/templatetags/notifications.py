"""``{% notification_bell %}``: the navbar's bell with the count of unread notifications.

It is also where a page counts as opened: notifications of the user that link to the page being
shown are marked read (``services.notifications_mark_opened``). The bell ran one count per page
before; it now runs that one indexed query (count and matches together) and a second, the
update, only when an unread notification links here.
"""

from django import template

from treem.notifications.services import notifications_mark_opened

register = template.Library()


def opened_paths(request) -> list[str]:
    """The forms of the page's address a notification's link may have."""
    path = request.path
    paths = {path, request.get_full_path()}
    paths.add(path[:-1] if path.endswith("/") and len(path) > 1 else f"{path}/")
    return sorted(paths)


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    unread = 0
    if signed_in:
        # Only a page read (GET) counts as opening; a form sent back with errors does not.
        paths = opened_paths(request) if request.method == "GET" else []
        unread, _marked = notifications_mark_opened(acting_user=user, paths=paths)
    return {"signed_in": signed_in, "unread": unread}
