"""Linking with the national population database (cơ sở dữ liệu quốc gia về dân cư).

``PopulationRegistry`` is the interface the rest of treem uses: ``lookup`` a person by personal
identification number and ``verify`` that a name and date of birth belong to a number.
``HttpPopulationRegistry`` speaks the HTTP contract of docs/population-api.md with timeouts and
bounded retries; ``population_standin`` serves the same contract on loopback for the demo and the
tests. No real government endpoint is called by this code.

Matching rule (``match_person``, shared by the stand-in): names are compared after folding (lower
case, no diacritics, đ → d, single spaces), because commune lists are often typed without
diacritics; the date of birth must be equal (the year only when the record has no date); the sex
is compared when both sides know it.

``child_check_population`` records the outcome on the child (``id_check_status``,
``id_checked_at``) with an audit event; ``children_check_population`` does it for a bounded batch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit import context as audit_context
from treem.audit.services import audit_record
from treem.children.choices import IdCheckStatus, Sex
from treem.children.identity import (
    normalise_personal_id,
    validate_personal_id,
    validate_personal_id_format,
)
from treem.children.models import Child
from treem.core.scope import scope_require
from treem.core.text import fold

logger = logging.getLogger(__name__)

API_PREFIX = "/v1"
BATCH_LIMIT_MAX = 10_000
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class PopulationError(Exception):
    """The national population database could not give an answer; ``str()`` is for people."""


class PopulationUnavailable(PopulationError):
    """Not reachable, too slow, or failing (5xx) after every retry: try again later."""


class PopulationRefused(PopulationError):
    """The service refused the request (credentials, a malformed request): retrying cannot help."""


class PopulationNotConfigured(PopulationError):
    """No address of the service is configured (``TREEM_POPULATION_URL``)."""


@dataclass(frozen=True)
class Person:
    """A person as the national population database records them."""

    personal_id: str
    full_name: str
    birth_date: dt.date
    sex: str = Sex.UNKNOWN

    def as_json(self) -> dict[str, Any]:
        return {
            "personal_id": self.personal_id,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": str(self.sex),
        }

    @classmethod
    def from_json(cls, data: Any) -> Person:
        """Read a person of the contract; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a person must be a JSON object")
        personal_id = normalise_personal_id(str(data.get("personal_id") or ""))
        try:
            # The national database's own answer: its numbers are the reference, taken as written.
            validate_personal_id_format(personal_id)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc
        full_name = " ".join(str(data.get("full_name") or "").split())
        if not personal_id or not full_name:
            raise ValueError("personal_id and full_name are required")
        birth_date = dt.date.fromisoformat(str(data.get("birth_date") or ""))
        sex = data.get("sex") or Sex.UNKNOWN
        if sex not in Sex.values:
            raise ValueError(f"sex must be one of {', '.join(Sex.values)}")
        return cls(personal_id=personal_id, full_name=full_name, birth_date=birth_date, sex=sex)


@dataclass(frozen=True)
class VerifyResult:
    """``status``: verified, mismatch or not_found (unavailable when recorded after a failure);
    ``fields``: the fields that differ (full_name, birth_date, birth_year, sex)."""

    status: str
    fields: tuple[str, ...] = ()
    detail: str = ""


def match_person(
    person: Person | None,
    *,
    full_name: str,
    birth_date: dt.date | None,
    birth_year: int | None = None,
    sex: str | None = None,
) -> VerifyResult:
    """The contract's matching rule (see the module docstring)."""
    if person is None:
        return VerifyResult(IdCheckStatus.NOT_FOUND)
    differ = []
    if fold(full_name) != fold(person.full_name):
        differ.append("full_name")
    if birth_date is not None:
        if birth_date != person.birth_date:
            differ.append("birth_date")
    elif birth_year is not None and birth_year != person.birth_date.year:
        differ.append("birth_year")
    known = (Sex.MALE, Sex.FEMALE)
    if sex in known and person.sex in known and sex != person.sex:
        differ.append("sex")
    return VerifyResult(IdCheckStatus.MISMATCH if differ else IdCheckStatus.VERIFIED, tuple(differ))


def checked_personal_id(value: str | None) -> str:
    """The number to send: normalised, present, 12 digits beginning with a province code (the
    registry's rule, ``identity.validate_personal_id``), or a ValidationError saying why."""
    personal_id = normalise_personal_id(value)
    if not personal_id:
        raise ValidationError(
            {"personal_id": [_("The child has no personal identification number to check.")]}
        )
    try:
        validate_personal_id(personal_id)
    except ValidationError as exc:
        raise ValidationError({"personal_id": exc.messages}) from exc
    return personal_id


class PopulationRegistry(ABC):
    """What treem needs from the national population database."""

    @abstractmethod
    def lookup(self, personal_id: str) -> Person | None:
        """The person with this number, or None when the database has nobody with it."""

    @abstractmethod
    def verify(
        self,
        personal_id: str,
        full_name: str,
        birth_date: dt.date | None,
        *,
        birth_year: int | None = None,
        sex: str | None = None,
    ) -> VerifyResult:
        """Whether the name and date of birth (or year) belong to the number."""


class HttpPopulationRegistry(PopulationRegistry):
    """The HTTP contract of docs/population-api.md, with a timeout per attempt and at most
    ``retries`` further attempts (waiting ``backoff``, then twice as long each time) after a
    timeout, a connection failure, 429 or 5xx. 4xx answers are not retried."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 5.0,
        retries: int = 2,
        *,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PopulationNotConfigured(
                _("The address of the national population database must start with http:// or https://.")
            )
        if timeout <= 0 or retries < 0 or backoff < 0:
            raise ValueError("timeout must be positive, retries and backoff not negative")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"HttpPopulationRegistry({self.base_url!r}, timeout={self.timeout}, retries={self.retries})"

    def lookup(self, personal_id: str) -> Person | None:
        personal_id = checked_personal_id(personal_id)
        status, data = self._call("GET", f"{API_PREFIX}/people/{personal_id}")
        if status == 404 and _error_code(data) == "not_found":
            return None
        self._refuse_unless_ok(status, data)
        try:
            return Person.from_json(data)
        except ValueError as exc:
            raise PopulationUnavailable(self._unreadable(str(exc))) from exc

    def verify(
        self,
        personal_id: str,
        full_name: str,
        birth_date: dt.date | None,
        *,
        birth_year: int | None = None,
        sex: str | None = None,
    ) -> VerifyResult:
        personal_id = checked_personal_id(personal_id)
        body = {
            "personal_id": personal_id,
            "full_name": full_name,
            "birth_date": birth_date.isoformat() if birth_date else None,
            "birth_year": birth_year,
            "sex": sex if sex in (Sex.MALE, Sex.FEMALE) else None,
        }
        status, data = self._call("POST", f"{API_PREFIX}/verify", body)
        self._refuse_unless_ok(status, data)
        answer = data.get("status") if isinstance(data, dict) else None
        fields = data.get("fields", []) if isinstance(data, dict) else None
        allowed = (IdCheckStatus.VERIFIED, IdCheckStatus.MISMATCH, IdCheckStatus.NOT_FOUND)
        if answer not in allowed or not isinstance(fields, list):
            raise PopulationUnavailable(self._unreadable(repr(data)[:200]))
        return VerifyResult(IdCheckStatus(answer), tuple(str(f) for f in fields))

    # --- transport ------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        """Send one request with retries; return (status, JSON) of a non-retryable answer."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {
            "Accept": "application/json",
            "Authorization": f"Bearer {self.token}",
            "User-Agent": "treem",
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
        request_id = audit_context.current().request_id
        if request_id:
            headers["X-Request-ID"] = request_id
        reason = ""
        attempts = self.retries + 1
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
                self.base_url + path, data=payload, headers=headers, method=method
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return response.status, _json(response.read())
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRYABLE_STATUSES:
                    return exc.code, _json(exc.read())
                reason = f"HTTP {exc.code}"
            except TimeoutError:
                reason = _("no answer within %(seconds)s s") % {"seconds": self.timeout}
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    reason = _("no answer within %(seconds)s s") % {"seconds": self.timeout}
                else:
                    reason = str(exc.reason)
            except OSError as exc:  # connection reset, broken pipe, incomplete read…
                reason = exc.__class__.__name__
            logger.warning(
                "population database %s %s: attempt %s failed: %s", method, path, attempt + 1, reason
            )
        raise PopulationUnavailable(
            _("The national population database did not answer after %(attempts)s attempts (%(reason)s).")
            % {"attempts": attempts, "reason": reason}
        )

    def _refuse_unless_ok(self, status: int, data: Any) -> None:
        if status == 200:
            return
        if status in (401, 403):
            raise PopulationRefused(
                _(
                    "The national population database refused treem's credentials (HTTP %(status)s): "
                    "check TREEM_POPULATION_TOKEN."
                )
                % {"status": status}
            )
        if status == 404:  # a "not found" without the contract's error code: a wrong address
            raise PopulationRefused(
                _(
                    "The national population database answered HTTP 404 to a request of the contract: "
                    "check TREEM_POPULATION_URL."
                )
            )
        message = data.get("message", "") if isinstance(data, dict) else ""
        raise PopulationRefused(
            _("The national population database refused the request (HTTP %(status)s): %(message)s")
            % {"status": status, "message": message or _("no explanation given")}
        )

    def _unreadable(self, what: str) -> str:
        return _("The national population database gave an answer treem cannot read (%(what)s).") % {
            "what": what
        }


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _error_code(data: Any) -> str:
    return data.get("error", "") if isinstance(data, dict) else ""


def registry_from_settings() -> HttpPopulationRegistry:
    """The configured registry (TREEM_POPULATION_URL, _TOKEN, _TIMEOUT, _RETRIES)."""
    url = getattr(settings, "TREEM_POPULATION_URL", "")
    if not url:
        raise PopulationNotConfigured(
            _("The national population database is not configured (TREEM_POPULATION_URL is empty).")
        )
    return HttpPopulationRegistry(
        url,
        getattr(settings, "TREEM_POPULATION_TOKEN", ""),
        timeout=float(getattr(settings, "TREEM_POPULATION_TIMEOUT", 5.0)),
        retries=int(getattr(settings, "TREEM_POPULATION_RETRIES", 2)),
    )


# --- services -------------------------------------------------------------------------------------


def child_check_population(*, acting_user, child: Child, registry: PopulationRegistry) -> VerifyResult:
    """Check a child's ID number, name and date of birth against the national database and record
    the outcome (verified, mismatch, not found, or unavailable when the service failed)."""
    scope_require(acting_user, child.commune, "children.change_child")
    return _check_and_record(actor=acting_user, child=child, registry=registry)


def _check_and_record(*, actor, child: Child, registry: PopulationRegistry) -> VerifyResult:
    if not child.is_active:
        raise ValidationError(_("This record is no longer in the registry."))
    personal_id = checked_personal_id(child.personal_id)
    # The call is made outside any transaction: no row stays locked while the network is slow.
    try:
        result = registry.verify(
            personal_id, child.full_name, child.birth_date, birth_year=child.birth_year, sex=child.sex
        )
    except PopulationUnavailable as exc:
        result = VerifyResult(IdCheckStatus.UNAVAILABLE, detail=str(exc))
    _record_check(actor=actor, child=child, result=result)
    return result


@transaction.atomic
def _record_check(*, actor, child: Child, result: VerifyResult) -> None:
    locked = Child.objects.select_for_update().get(pk=child.pk)
    before = (locked.id_check_status, locked.id_checked_at)
    locked.id_check_status, locked.id_checked_at = result.status, timezone.now()
    # updated_at is left alone: a check does not review the record's content (see quality.py).
    locked.save(update_fields=["id_check_status", "id_checked_at"])
    child.id_check_status, child.id_checked_at = locked.id_check_status, locked.id_checked_at
    changes: dict[str, Any] = {
        "id_check_status": [before[0], locked.id_check_status],
        "id_checked_at": [before[1], locked.id_checked_at],
    }
    if result.fields:
        changes["differing_fields"] = [None, list(result.fields)]
    audit_record(actor, "children.child.id_checked", locked, changes=changes, reason=result.detail)


@dataclass
class BatchResult:
    """What a batch check did: outcomes by status, records skipped, why it stopped early."""

    counts: Counter = field(default_factory=Counter)
    skipped_no_id: int = 0
    skipped_malformed: int = 0
    remaining: int = 0
    stopped: str = ""

    @property
    def checked(self) -> int:
        return sum(self.counts.values())


def children_check_population(
    *,
    acting_user,
    queryset: QuerySet[Child],
    registry: PopulationRegistry,
    limit: int = 500,
    stop_after_unavailable: int = 3,
) -> BatchResult:
    """Check at most ``limit`` children of ``queryset``, never checked or checked longest ago first.

    ``acting_user`` None is the system (a scheduled command): the queryset is then taken as given;
    otherwise it is limited to the children the user may change. Stops early when the service
    refuses treem (credentials) or is unavailable for ``stop_after_unavailable`` children in a row.
    """
    if not 1 <= limit <= BATCH_LIMIT_MAX:
        raise ValidationError(
            {"limit": [_("Check between 1 and %(max)s children at a time.") % {"max": BATCH_LIMIT_MAX}]}
        )
    if acting_user is not None:
        queryset = queryset.filter(pk__in=Child.objects.restrict(acting_user, "change").values("pk"))
    queryset = queryset.filter(is_active=True)
    result = BatchResult(skipped_no_id=queryset.filter(personal_id="").count())
    todo = queryset.exclude(personal_id="").order_by(F("id_checked_at").asc(nulls_first=True), "pk")
    total = todo.count()
    unavailable_in_a_row = 0
    done = 0
    for child in todo.select_related("commune")[:limit]:
        done += 1
        try:
            outcome = _check_and_record(actor=acting_user, child=child, registry=registry)
        except ValidationError:
            result.skipped_malformed += 1
            continue
        except PopulationRefused as exc:
            result.stopped = str(exc)
            done -= 1
            break
        result.counts[outcome.status] += 1
        unavailable_in_a_row = unavailable_in_a_row + 1 if outcome.status == IdCheckStatus.UNAVAILABLE else 0
        if unavailable_in_a_row >= stop_after_unavailable:
            result.stopped = outcome.detail
            break
    result.remaining = total - done
    return result
