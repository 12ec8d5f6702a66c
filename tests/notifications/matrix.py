"""Access lines of the inbox, and of the statistics on abuse (pages of the cases app added by the
same session; tests/cases/matrix.py belongs to another)."""

from __future__ import annotations

from tests.matrix import Endpoint
from treem.notifications.models import Notification


def records(side, tag: str, personas: dict) -> None:
    side.notification = Notification.objects.create(
        recipient=side.user, text=f"Hồ sơ bên {tag} sắp đến hạn", link="/", category="test"
    )


def marker(obj):
    return obj.text if isinstance(obj, Notification) else None


ENDPOINTS = (
    Endpoint(
        "notifications:list",
        open_to_all="one's own inbox",
        shown=lambda side: [side.notification],
    ),
    Endpoint(
        "notifications:open",
        "post",
        open_to_all="one's own notification (another's is 404)",
        record="notification",
        ok=302,
    ),
    Endpoint("notifications:read_all", "post", open_to_all="marks one's own notifications read", ok=302),
    Endpoint("notifications:preferences", open_to_all="one's own e-mail preferences"),
    Endpoint(
        "notifications:preferences",
        "post",
        open_to_all="one's own e-mail preferences (an empty form turns every e-mail off)",
        ok=302,
        events=1,
    ),
    # Statistics on abuse: case workers (exact) and leadership (publication); nobody else.
    Endpoint("cases:statistics", denied="no_role_a"),
    Endpoint("cases:statistics_export", denied="no_role_a", events=1),
)
