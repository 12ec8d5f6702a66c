"""Finding a child: the ranked search (``ranked_queryset``, ``ranked_children``) and its typo stage.

The ranked search is the one search of the registry page, the API (``ChildFilterSet.q``), the
site's search box and the child pickers (cases, surveys): exact name with its diacritics first,
then the same name without diacritics, names starting with the typed words, the words in any
order, near spellings; within a rank the user's own communes, then Vietnamese alphabetical order
(``vietnamese_sort_key``). The first ``RANK_WINDOW`` rows are ranked in Python; the database gives
the rest in the same ranks as far as it can tell them apart. A year or a date narrows by birth; an
ID number, a record number (``#12``) or a case number finds its child directly.

The typo stage (``child_search``) follows.

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

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db import OperationalError, connections, transaction
from django.db.models import Case, Q, QuerySet, Value, When

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


def child_search(
    *, queryset: QuerySet[Child], text: str, limit: int = 20, trigram: bool = True
) -> list[Child]:
    """Children of ``queryset`` whose name is close to ``text`` despite a typo, closest first
    (``trigram=False``: the bounded scan only, never the slower trigram stage)."""
    words = fold(text).split()
    if not words or limit <= 0:
        return []
    # A plain queryset over the same rows: the caller's may be distinct() or ordered.
    base = Child.objects.filter(pk__in=queryset.values("pk"))
    ranked = _rank(_scan_candidates(base, words), words)
    if not ranked and trigram and connections[base.db].vendor == "postgresql":
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


# --- ranked search: one order for the registry page, the API and every child picker --------------

RANK_EXACT, RANK_FOLDED, RANK_PREFIX, RANK_WORDS, RANK_NEAR = range(5)
# The first RANK_WINDOW rows are ranked exactly (in Python, with the Vietnamese sort key); rows
# beyond follow by the same ranks, as far as the database can tell them apart, then by the name
# without diacritics. Near spellings are looked for when fewer than NEAR_MIN names match exactly.
RANK_WINDOW = 200
NEAR_MIN = 20
NEAR_LIMIT = 50

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_CASE_NUMBER = re.compile(r"^\d{4}-\d{6}$")

# Vietnamese alphabetical order: the 29 letters (f, j, w and z of foreign names in their Latin
# places), then the tones ngang, huyền, sắc, hỏi, ngã, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: i + 1 for i, letter in enumerate(_ALPHABET)}
_TONE_RANK = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_SHAPED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def vietnamese_sort_key(name: str) -> tuple:
    """A key putting names in Vietnamese alphabetical order: letters first (a < ă < â … d < đ),
    then tones (ngang < huyền < sắc < hỏi < ngã < nặng); a space sorts before any letter."""
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", " ".join((name or "").lower().split())):
        if unicodedata.combining(char):
            if char in _TONE_RANK and tones:
                tones[-1] = _TONE_RANK[char]
            elif letters:
                base = _ALPHABET[letters[-1] - 1] if 0 < letters[-1] <= len(_ALPHABET) else ""
                shaped = _SHAPED.get((base, char))
                if shaped:
                    letters[-1] = _LETTER_RANK[shaped]
            continue
        if char == " ":
            letters.append(0)
        else:
            letters.append(_LETTER_RANK.get(char, 100 + ord(char)))
        tones.append(0)
    return (tuple(letters), tuple(tones), name or "")


def exact_form(text: str) -> str:
    """``text`` compared as typed: composed, lower-case, single spaces (diacritics kept)."""
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


@dataclass(frozen=True)
class ParsedQuery:
    """What a search text asks for: name words, a birth year or date, or a number."""

    text: str = ""
    words: tuple[str, ...] = ()
    birth_year: int | None = None
    birth_date: dt.date | None = None
    personal_id: str = ""
    record: int | None = None
    case_number: str = ""


def parse_query(text: str) -> ParsedQuery:
    """Split a search text into name words and what narrows or names a record directly."""
    text = (text or "").strip()
    compact = text.replace(" ", "")
    if compact.startswith("#") and compact[1:].isdigit() and len(compact) < 13:
        return ParsedQuery(text=text, record=int(compact[1:]))
    if compact.isdigit() and len(compact) >= 6:
        return ParsedQuery(text=text, personal_id=compact)
    if _CASE_NUMBER.match(compact):
        return ParsedQuery(text=text, case_number=compact)
    words, year, day = [], None, None
    for token in text.split():
        date_match = _DATE.match(token)
        if date_match and day is None:
            d, m, y = (int(part) for part in date_match.groups())
            try:
                day = dt.date(y, m, d)
                continue
            except ValueError:
                pass
        if _YEAR.match(token) and year is None:
            year = int(token)
            continue
        words.append(token)
    kept = " ".join(words)
    return ParsedQuery(
        text=kept,
        words=tuple(fold(kept).split()),
        birth_year=day.year if day else year,
        birth_date=day,
    )


def own_commune_paths(user) -> list[str]:
    """Paths of the communes (and villages) the user is assigned to: their own, listed first."""
    if user is None or not getattr(user, "pk", None):
        return []
    from treem.geo.models import UnitLevel

    return sorted(
        user.unit_assignments.filter(unit__level__in=[UnitLevel.COMMUNE, UnitLevel.VILLAGE]).values_list(
            "unit__path", flat=True
        )
    )


def _own_q(paths: list[str]) -> Q:
    return reduce(or_, (Q(commune__path__startswith=p) | Q(village__path__startswith=p) for p in paths))


def name_rank(query: ParsedQuery, full_name: str, name_folded: str) -> int:
    """The rank of a name matching every typed word at the start of one of its words."""
    folded = " ".join(query.words)
    if name_folded == folded:
        return RANK_EXACT if exact_form(full_name) == exact_form(query.text) else RANK_FOLDED
    if name_folded.startswith(folded):
        return RANK_PREFIX
    return RANK_WORDS


def _near_rank(words: tuple[str, ...], name_folded: str) -> tuple[int, int, int]:
    """Near spellings rank last, the closest first, then those with the words in the typed order."""
    name = name_folded.split()
    distance = name_distance(list(words), name)
    in_order = len(name) >= len(words) and all(
        part.startswith(word) or edit_distance(word, part, allowed_edits(word)) <= allowed_edits(word)
        for word, part in zip(words, name, strict=False)
    )
    return (RANK_NEAR, NEAR_LIMIT if distance is None else distance, 0 if in_order else 1)


def ranked_queryset(*, queryset: QuerySet[Child], text: str, user=None) -> QuerySet[Child]:
    """``queryset`` narrowed to what ``text`` finds, best first (see ``ranked_children``)."""
    return _ranked(queryset, text, user)[0]


def _ranked(queryset: QuerySet[Child], text: str, user) -> tuple[QuerySet[Child], list[int] | None]:
    """The ranked queryset, and the primary keys of its first rows in order where the ranking
    computed them all (every row when fewer than RANK_WINDOW match), else None."""
    query = parse_query(text)
    if query.record is not None:
        return queryset.filter(pk=query.record), None
    if query.personal_id:
        if len(query.personal_id) == 12:
            return queryset.filter(personal_id=query.personal_id), None
        return queryset.filter(personal_id__startswith=query.personal_id), None
    if query.case_number:
        if user is None or not user.has_perm("cases.view_case"):
            return queryset.none(), None
        from treem.cases.models import Case as ProtectionCase

        cases = ProtectionCase.objects.restrict(user, "view").filter(number=query.case_number)
        return queryset.filter(pk__in=cases.values("child_id")), None
    if query.birth_date:
        # A child whose day of birth is unknown may still be the one: the year must agree.
        queryset = queryset.filter(
            Q(birth_date=query.birth_date) | Q(birth_date__isnull=True, birth_year=query.birth_year)
        )
    elif query.birth_year:
        queryset = queryset.filter(birth_year=query.birth_year)
    elif not query.words:
        return queryset, None

    folded = " ".join(query.words)
    matches = reduce(and_, (word_start(word) for word in query.words), Q())
    paths = own_commune_paths(user)
    own = Case(When(_own_q(paths), then=Value(0)), default=Value(1)) if paths else Value(1)
    coarse = (
        Case(
            When(name_folded=folded, then=Value(RANK_FOLDED)),
            When(name_folded__startswith=folded, then=Value(RANK_PREFIX)),
            default=Value(RANK_WORDS),
        )
        if folded
        else Value(RANK_WORDS)
    )
    window = list(
        queryset.filter(matches)
        .annotate(search_rank=coarse, search_own=own)
        .order_by("search_rank", "search_own", "name_folded", "pk")
        .values_list("pk", "full_name", "name_folded", "search_own")[:RANK_WINDOW]
    )
    ranked = [
        ((name_rank(query, full_name, name),), own_row, full_name, pk)
        for pk, full_name, name, own_row in window
    ]
    if query.words and len(window) < NEAR_MIN:
        found = {pk for pk, *_rest in window}
        near = [
            child.pk
            # Names that match already: near spellings from the bounded scan only (the trigram
            # stage, for when nothing matches, can take hundreds of milliseconds at a million).
            for child in child_search(
                queryset=queryset.exclude(pk__in=found),
                text=" ".join(query.words),
                limit=NEAR_LIMIT,
                trigram=not window,
            )
        ]
        if near:
            near_rows = queryset.filter(pk__in=near).annotate(search_own=own)
            ranked += [
                (_near_rank(query.words, name), own_row, full_name, pk)
                for pk, full_name, name, own_row in near_rows.values_list(
                    "pk", "full_name", "name_folded", "search_own"
                )
            ]
    ranked.sort(key=lambda row: (row[0], row[1], vietnamese_sort_key(row[2]), row[3]))
    positions = [pk for *_rest, pk in ranked]
    if not positions:
        return queryset.none(), []
    in_window = Q(pk__in=positions)
    # Rows outside the window answer the first WHEN and stop there (one hashed look-up each).
    position = Case(
        When(~in_window, then=Value(len(positions))),
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(positions)),
        default=Value(len(positions)),
    )
    found = queryset.filter(matches | in_window) if folded else queryset
    ordered = found.annotate(search_position=position, search_rank=coarse, search_own=own).order_by(
        "search_position", "search_rank", "search_own", "name_folded", "pk"
    )
    return ordered, positions


def ranked_children(
    *, user, text: str, limit: int = 20, queryset: QuerySet[Child] | None = None
) -> list[Child]:
    """The children ``text`` finds among those ``user`` may see (or ``queryset``, already scoped),
    best first: an ID number, a record number (``#12``) or a case number finds its child
    directly; a year or a date (``an 2015``, ``an 12/3/2015``) narrows by birth; names rank
    exact (with diacritics) < same without diacritics < starting with the typed words < the
    words in any order < near spellings; within a rank the user's own communes first, then
    Vietnamese alphabetical order."""
    if queryset is None:
        queryset = Child.objects.restrict(user, "view")
    if limit <= 0:
        return []
    ranked, positions = _ranked(queryset, text, user)
    if positions is not None and (limit <= len(positions) or len(positions) < RANK_WINDOW):
        # The first rows are known already: read just those (the same rows, in the same order).
        by_pk = queryset.in_bulk(positions[:limit])
        return [by_pk[pk] for pk in positions[:limit] if pk in by_pk]
    return list(ranked[:limit])
