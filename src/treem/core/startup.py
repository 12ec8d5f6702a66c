"""Fail fast: the web process runs the system checks when it starts in production and refuses to
serve if one fails (the worker and every management command run them already). The message names
each failing setting (``treem.E101`` for missing field keys, for instance)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_to_start_if_misconfigured() -> None:
    if settings.DEBUG:
        return
    problems = [message for message in checks.run_checks() if message.is_serious()]
    if problems:
        lines = "\n".join(f"  {m.id}: {m.msg}" + (f" ({m.hint})" if m.hint else "") for m in problems)
        raise ImproperlyConfigured(f"treem refuses to start in production:\n{lines}")
