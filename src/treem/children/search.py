"""Finding a child by a name typed with a typo ("Did you mean…").

The registry's ordinary search (``ChildFilterSet.filter_q``) finds names (without diacritics) in
which every typed word starts a word: "nguyen an" finds "Nguyễn Văn An" and "Nguyễn Thị Anh", not
"Trần Văn Toàn". On PostgreSQL the GIN trigram index of migration 0003 serves these word-start
tests (the ``wordstart`` lookup: ``~ '(^| )an'`` needs the word-start trigram " an", which is rare
even for short words).
When that finds nothing, ``child_search`` looks for names a small typo away from the typed words:

1. A bounded scan of names in which every typed word but one starts a word, and a word starts
   with the first letter of the remaining one (a typo is usually in one word, rarely in its first
   letter).
2. On PostgreSQL, when that finds no close name, the names nearest by trigram word similarity
   (``pg_trgm``, ``%>``, same index), which also catches typos in several words. Vietnamese names
   share a few very common words, so this query can be slow on a whole province: it runs under a
   statement timeout and gives nothing rather than keep the officer waiting.
3. Each candidate is scored the same way on every database: each typed word must match a
   different word of the name, exactly, as a part of it, or within a small number of edits
   (letters inserted, deleted, replaced or swapped). Fewer edits rank first, then the name.

Candidates are always taken from the queryset given, so scope and filters apply unchanged.
"""

from __future__ import annotations

import logging
from functools import reduce
from operator import and_, or_

from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet

from treem.children.models import Child
from treem.core.text import fold

logger = logging.getLogger(__name__)

# At most this many names are read and scored by the scan; the trigram stage reads at most
# TRIGRAM_CANDIDATES and gives up after TRIGRAM_TIMEOUT_MS.
MAX_CANDIDATES = 2000
TRIGRAM_CANDIDATES = 200
TRIGRAM_TIMEOUT_MS = 800
# pg_trgm's default (0.6) misses a typo in two words of a three-word name (about 0.59).
TRIGRAM_THRESHOLD = 0.5
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE when statement_timeout stops a query


def child_search(*, queryset: QuerySet[Child], text: str, limit: int = 20) -> list[Child]:
    """Children of ``queryset`` whose name is close to ``text`` despite a typo, closest first."""
    words = fold(text).split()
    if not words or limit <= 0:
        return []
    # A plain queryset over the same rows: the caller's may be distinct() or ordered.
    base = Child.objects.filter(pk__in=queryset.values("pk"))
    ranked = _rank(_scan_candidates(base, words), words)
    if not ranked and connections[base.db].vendor == "postgresql":
        ranked = _rank(_trigram_candidates(base, " ".join(words)), words)
    ranked = ranked[:limit]
    by_pk = queryset.in_bulk(ranked) if ranked else {}
    return [by_pk[pk] for pk in ranked if pk in by_pk]


def _rank(candidates: list[tuple[int, str]], words: list[str]) -> list[int]:
    """Primary keys of the candidates close enough to the typed words, closest first."""
    scored = []
    for pk, name in candidates:
        distance = name_distance(words, name.split())
        if distance is not None:
            scored.append((distance, name, pk))
    return [pk for _distance, _name, pk in sorted(scored)]


def word_start(text: str) -> Q:
    """Names (without diacritics) with a word that starts with ``text`` (folded, one word)."""
    return Q(name_folded__wordstart=text)  # treem.core.lookups.WordStart


def _scan_candidates(base: QuerySet[Child], words: list[str]) -> list[tuple[int, str]]:
    """Names containing every typed word but one, and a word starting like that one (bounded)."""
    blocks = []
    for i, word in enumerate(words):
        others = [word_start(w) for j, w in enumerate(words) if j != i]
        blocks.append(reduce(and_, others, word_start(word[0])))
    return list(
        base.filter(reduce(or_, blocks))
        .order_by("name_folded", "pk")
        .values_list("pk", "name_folded")[:MAX_CANDIDATES]
    )


def _trigram_query(base: QuerySet[Child], text: str) -> QuerySet:
    from django.contrib.postgres.search import TrigramWordSimilarity

    return (
        base.filter(name_folded__trigram_word_similar=text)
        .annotate(similarity=TrigramWordSimilarity(text, "name_folded"))
        .order_by("-similarity", "pk")
        .values_list("pk", "name_folded")[:TRIGRAM_CANDIDATES]
    )


def _trigram_candidates(base: QuerySet[Child], text: str) -> list[tuple[int, str]]:
    """The names nearest to ``text`` by pg_trgm word similarity, or none if that takes too long."""
    settings = (
        ("pg_trgm.word_similarity_threshold", str(TRIGRAM_THRESHOLD)),
        ("statement_timeout", f"{TRIGRAM_TIMEOUT_MS}ms"),
    )
    try:
        with transaction.atomic(using=base.db), connections[base.db].cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            [(previous_timeout,)] = cursor.fetchall()
            for name, value in settings:  # is_local: for this transaction only
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            rows = list(_trigram_query(base, text))
            # The caller's transaction may go on (a savepoint here): give it its timeout back.
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous_timeout])
            return rows
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != QUERY_CANCELED:
            raise
        logger.warning("Trigram name search gave up after %s ms: %r", TRIGRAM_TIMEOUT_MS, text)
        return []


def allowed_edits(word: str) -> int:
    """Typos tolerated in a typed word: none in one letter, one up to 7 letters, two beyond."""
    if len(word) <= 1:
        return 0
    return 1 if len(word) <= 7 else 2


def edit_distance(a: str, b: str, bound: int) -> int:
    """Letters inserted, deleted, replaced or swapped (adjacent) to turn ``a`` into ``b``.

    Stops early: any result above ``bound`` is returned as ``bound + 1``.
    """
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return min(previous[-1], bound + 1)


def name_distance(typed: list[str], name: list[str]) -> int | None:
    """Total edits to match each typed word to a different word of the name; None if any cannot.

    A typed word that starts a name word costs nothing, as in the ordinary search.
    """
    if len(typed) > len(name):
        return None
    pairs = []
    for i, word in enumerate(typed):
        bound = allowed_edits(word)
        for j, candidate in enumerate(name):
            cost = 0 if candidate.startswith(word) else edit_distance(word, candidate, bound)
            if cost <= bound:
                pairs.append((cost, i, j))
    # Greedy one-to-one assignment, cheapest pairs first: names have a handful of words.
    pairs.sort()
    used_typed: set[int] = set()
    used_name: set[int] = set()
    total = 0
    for cost, i, j in pairs:
        if i in used_typed or j in used_name:
            continue
        used_typed.add(i)
        used_name.add(j)
        total += cost
    return total if len(used_typed) == len(typed) else None
