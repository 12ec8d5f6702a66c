"""Lockout after repeated failed logins, per account and per address (django-axes).

django-axes counts failures for each of ``AXES_LOCKOUT_PARAMETERS`` (here the user name and the
client address, each on its own) but compares every count with one limit. Staff of an office
often share one public address, so the address gets its own, higher limit here.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone


def _sum(attempts: QuerySet) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per account and another per address."""

    def _by_account_and_address(self, request, credentials) -> tuple[QuerySet, QuerySet]:
        # get_user_attempts returns one queryset per lockout parameter, in the settings' order.
        by_account, by_address = self.get_user_attempts(request, credentials)
        return by_account, by_address

    def get_failures(self, request, credentials=None) -> int:
        """The account's failures, or the account limit itself once the address reached its own.

        Axes compares this number with ``AXES_FAILURE_LIMIT`` (the account limit).
        """
        by_account, by_address = self._by_account_and_address(request, credentials)
        failures = _sum(by_account)
        if _sum(by_address) >= settings.TREEM_LOGIN_FAILURES_PER_ADDRESS:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget the account's failures but not the address's.

        Otherwise one known password would let a guesser clear the count of the address it
        guesses other accounts from.
        """
        by_account, _by_address = self._by_account_and_address(request, credentials)
        count, _ = by_account.delete()
        return count


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked accounts and addresses before the password is even checked.

    ``authenticate()`` without a request (the shell, scripts) is no attempt from an address:
    it is left to the next backend instead of failing as django-axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@dataclass(frozen=True)
class FailureCount:
    """Failed logins of one account or from one address within the lockout period."""

    key: str  # the user name or the address
    failures: int
    last_attempt: object
    locked: bool


def _recent_attempts() -> QuerySet:
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return attempts


def failure_counts(limit: int = 200) -> tuple[list[FailureCount], list[FailureCount]]:
    """Accounts and addresses with recent failed logins, most recent first, locked ones marked."""
    attempts = _recent_attempts()

    def grouped(field: str, threshold: int) -> list[FailureCount]:
        rows = (
            attempts.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .order_by("-last", field)[:limit]
        )
        return [
            FailureCount(
                key=row[field],
                failures=row["failures"],
                last_attempt=row["last"],
                locked=row["failures"] >= threshold,
            )
            for row in rows
        ]

    return (
        grouped("username", settings.AXES_FAILURE_LIMIT),
        grouped("ip_address", settings.TREEM_LOGIN_FAILURES_PER_ADDRESS),
    )


def failure_total(*, username: str | None = None, ip_address: str | None = None) -> int:
    """All recorded failures of an account or from an address (what an unlock forgets)."""
    if username:
        return _sum(AccessAttempt.objects.filter(username=username))
    return _sum(AccessAttempt.objects.filter(ip_address=ip_address))


def account_locked(username: str) -> bool:
    return _sum(_recent_attempts().filter(username=username)) >= settings.AXES_FAILURE_LIMIT
