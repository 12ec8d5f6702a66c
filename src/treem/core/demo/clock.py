"""A simulated clock for the demo: a year of activity written as it would have happened.

The services stamp what they do with ``timezone.now()`` (a case's opening, a plan's submission,
audit events, notifications) and refuse dates in the future. To build a year of history through
those same services — every rule, audit event and notification applying — the demo moves the
clock back to the moment of each action, never past the real present, and puts it back after.
Only the demo loader uses this; it runs before the server starts, in one thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

_real_now = timezone.now


def real_now() -> dt.datetime:
    return _real_now()


@contextlib.contextmanager
def simulated_clock():
    """Within the block, ``at(moment)`` sets what ``timezone.now()`` answers (never the future)."""
    clock = _Clock()
    try:
        yield clock
    finally:
        timezone.now = _real_now


class _Clock:
    def __init__(self) -> None:
        self.present = _real_now()

    def at(self, moment: dt.datetime) -> dt.datetime:
        moment = min(moment, self.present)
        timezone.now = lambda: moment
        return moment

    def reset(self) -> None:
        timezone.now = _real_now
