"""One search box for the whole site: a child by name or ID number, a case by its number, a report
by its tracking code — always within what the user may see.

Apps fill the registry (``register_finder`` in their ``AppConfig.ready``); core imports none of
them. A finder is ``finder(user, text) -> list[Hit]``, already limited to the user's restricted
querysets; an exact identifier (number, code) comes first and a single exact hit opens its page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_TEXT = 100
HITS_PER_FINDER = 10


@dataclass(frozen=True)
class Hit:
    kind: str  # a translated word: "Child", "Case", "Report"
    title: str  # what identifies the record to the user (never a case's content)
    detail: str  # a second line: commune, year of birth…
    href: str
    exact: bool = False  # the text was the record's own identifier


Finder = Callable[[object, str], list[Hit]]
_FINDERS: list[Finder] = []


def register_finder(finder: Finder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def site_search(user, text: str) -> list[Hit]:
    """Every finder's hits for ``text``: exact identifiers first, then in the finders' order."""
    text = " ".join((text or "").split())[:MAX_TEXT]
    if not text or not (user and user.is_authenticated and user.is_active):
        return []
    hits: list[Hit] = []
    for finder in _FINDERS:
        hits.extend(finder(user, text)[:HITS_PER_FINDER])
    return sorted(hits, key=lambda hit: not hit.exact)
