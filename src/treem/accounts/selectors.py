"""Reads about accounts that are more than a filter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessFailureLog, AccessLog

from treem.accounts.models import User


@dataclass(frozen=True)
class LoginEntry:
    """One login attempt on an account, as its owner sees it."""

    at: dt.datetime
    succeeded: bool
    locked_out: bool
    ip_address: str | None
    user_agent: str
    logged_out_at: dt.datetime | None = None


def login_history(*, user: User, limit: int = 30) -> list[LoginEntry]:
    """The user's own successful and failed logins, newest first.

    Read from django-axes' access logs: ``AccessLog`` (one row per login, with the logout time)
    and ``AccessFailureLog`` (one row per failed attempt naming this user name, in any case).
    """
    username = user.get_username()
    succeeded = [
        LoginEntry(
            at=row.attempt_time,
            succeeded=True,
            locked_out=False,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            logged_out_at=row.logout_time,
        )
        for row in AccessLog.objects.filter(username=username).order_by("-attempt_time", "-pk")[:limit]
    ]
    failed = [
        LoginEntry(
            at=row.attempt_time,
            succeeded=False,
            locked_out=row.locked_out,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
        )
        for row in AccessFailureLog.objects.filter(username__iexact=username).order_by(
            "-attempt_time", "-pk"
        )[:limit]
    ]
    return sorted(succeeded + failed, key=lambda e: e.at, reverse=True)[:limit]
