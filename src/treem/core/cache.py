"""The shared cache of what many pages show (the home page's counts, "To do" and figures).

It lives in Django's default cache, a table of the database (settings.CACHES, ``treem_cache``):
every web worker and node sees the same entries, and the demo needs no other server.

Freshness: one key, ``WRITES_KEY``, holds a random token that ``data_changed`` replaces on every
audited write (``audit.services.audit_record`` calls it, in the writer's transaction, so the new
token commits or rolls back with the write itself). Every entry is stored with the token it was
made under and is used only while that token is still current: whatever is written, the next
page view counts anew. Entries also expire after ``TREEM_HOME_CACHE_SECONDS``, because time alone
changes some figures (a deadline passes, a day ends). Keys are per user and per scope
(``user_key``: the user, their permissions, units and language), so nobody is ever shown another
person's figures, and a change of roles or units is a new key at once.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from treem.core.scope import user_scope_paths

WRITES_KEY = "treem:writes"
logger = logging.getLogger(__name__)


def enabled() -> bool:
    return settings.TREEM_HOME_CACHE_SECONDS > 0


def data_changed() -> None:
    """Every cached figure made before now is stale (called on every audited write)."""
    if enabled():
        cache.set(WRITES_KEY, secrets.token_hex(8), timeout=None)


def user_key(user, *parts: object) -> str:
    """A key of ``user``'s own: their id, what they may do and see, the language and the day."""
    scope = repr(
        (
            user.pk,
            sorted(user.get_all_permissions()),
            bool(getattr(user, "sees_all_units", False)),
            user_scope_paths(user),
            translation.get_language(),
            timezone.localdate().isoformat(),
            parts,
        )
    )
    return "treem:u:" + hashlib.sha256(scope.encode()).hexdigest()


def cached_parts(parts: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each part's value, from ``{key: compute}``: the writes token and every entry are read in one
    query; a part missing or made before the last write is computed and stored."""
    if not enabled():
        return {key: compute() for key, compute in parts.items()}
    found = cache.get_many([WRITES_KEY, *parts])
    token = found.get(WRITES_KEY)
    if token is None:  # nothing written since the cache table was made (or it was emptied)
        token = secrets.token_hex(8)
        if not cache.add(WRITES_KEY, token, timeout=None):
            token = cache.get(WRITES_KEY)
    values, fresh = {}, {}
    for key, compute in parts.items():
        entry = found.get(key)
        if entry is not None and entry[0] == token:
            values[key] = entry[1]
        else:
            values[key] = compute()
            fresh[key] = (token, values[key])
    if fresh and token is not None:
        try:
            cache.set_many(fresh, timeout=settings.TREEM_HOME_CACHE_SECONDS)
        except (pickle.PicklingError, TypeError, AttributeError):
            # A part holding something that cannot be stored is shown, counted anew next time.
            logger.exception("A part of the page could not be kept in the shared cache")
    return values
