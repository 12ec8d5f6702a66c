""" "Việc cần làm": what waits for the signed-in person, most urgent first, on every home page.

Apps fill the registry (``register_worklist`` in their ``AppConfig.ready``); core imports none of
them. A provider is ``provider(user) -> list[WorkItem]`` built from the user's restricted querysets
(bounded: a few queries, a limited number of items); items never show a case's content or a
child's name beside a kind of harm — a case is named by its number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

ITEMS_SHOWN = 15


@dataclass(frozen=True)
class WorkItem:
    kind: str  # a translated word for what it is: "Report to screen", "Plan to approve"…
    title: str  # the record, by its number, code or title
    href: str
    due_at: dt.datetime | None = None
    count: int | None = None  # for an item that stands for several records (a list to open)

    def state(self, now: dt.datetime) -> str:
        if self.due_at is None:
            return "none"
        if self.due_at < now:
            return "overdue"
        if self.due_at < now + dt.timedelta(days=1):
            return "due_soon"
        return "pending"


Provider = Callable[[object], list[WorkItem]]
_PROVIDERS: list[Provider] = []


def register_worklist(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def work_items(user) -> list[WorkItem]:
    """Every work item of the user, overdue first, then by deadline, then those without one (what
    the home page keeps in the shared cache: states are worked out when the page is drawn)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    items = [item for provider in _PROVIDERS for item in provider(user)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda item: (item.due_at is None, item.due_at or far, item.kind, item.title))
    return items


def worklist(
    user, *, now: dt.datetime | None = None, items: list[WorkItem] | None = None
) -> tuple[list[tuple[WorkItem, str]], int]:
    """The user's work items (``items`` when already read) with each item's state at ``now``, and
    the number of items in all (only the first ``ITEMS_SHOWN`` are returned)."""
    items = work_items(user) if items is None else items
    now = now or timezone.now()
    return [(item, item.state(now)) for item in items[:ITEMS_SHOWN]], len(items)
