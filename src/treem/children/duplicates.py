"""Possible duplicates in the child database: finding pairs, merging them, dismissing them.

Finding (``find_duplicates``) never compares every pair of a province. Inside a commune (a
household belongs to one commune, so the same household is inside it) three blocks propose pairs:
the same first letter of the folded given name with years of birth at most one apart and given
names alike (the given names of a commune are few, so their similarities are computed once); the
same date of birth, or the date with day and month swapped, whatever the names; a record without a
date of birth against those of its year whose names are alike in some order or spacing (a
rapidfuzz score matrix). Two more passes cross communes, both as ``GROUP BY`` queries: the same
personal ID number (always a duplicate, score 1.0) and the same folded full name with the same year
of birth (a child who moved and was registered again). Two records holding different, well-formed
ID numbers are two children: never proposed.

Score = name similarity * evidence. Name similarity (``name_similarity``, on folded names) = 0.7 *
similarity of the given names + 0.3 * similarity of the rest (family and middle names, spaces
dropped), each the higher of rapidfuzz's Indel ratio and one minus the share of letters dropped,
added or replaced (two swapped letters counting half); the best of the names as written, in
another order, with adjacent words joined (a space dropped or added) or with a middle name left
out, a variant costing a little (``VARIANT_WEIGHT``). Evidence starts at 0.5 and adds: same date of
birth 0.25 (day and month swapped 0.2; same year when a date is missing 0.14); same sex 0.1
(unknown 0.05; a different sex halves the evidence); a caregiver with the same name 0.1; same
household or village 0.05. Identical names and dates of birth of the same sex score 0.85. The
review page shows this sum field by field (``pair_explanation``).

Merging keeps the chosen record, moves the other's caregivers, special circumstances, support and
consents onto it, fills the kept record's empty fields from the other, and takes the other out of
the registry (``merged_into``, ``is_active=False``); nothing is deleted and both records' sources
stay readable (the other record keeps its ``source``/``source_key``; the audit event of the kept
record names them).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from treem.audit.services import audit_record, diff, snapshot
from treem.children.choices import Sex
from treem.children.identity import has_known_province
from treem.children.models import Caregiver, Child, CircumstanceMembership, Consent, Support
from treem.children.models_duplicates import DuplicateCandidate, DuplicateStatus
from treem.core.scope import ScopeError, scope_require
from treem.core.text import fold

DEFAULT_THRESHOLD = 0.75
GIVEN_WEIGHT = 0.7
# A date of birth missing on one side: the same year is weak evidence. The same name, year and
# sex alone stay below the threshold (0.5 + 0.14 + 0.1 = 0.74): names repeat within a commune.
YEAR_ONLY_WEIGHT = 0.14
UNDATED_CUTOFF = 80  # rapidfuzz score (0–100) an undated pair's names need to be compared at all
CHUNK = 900  # ids per IN (...) list: under SQLite's 999 variables

REASON_LABELS = {
    "same_personal_id": gettext_lazy("Same personal identification number"),
    "same_name": gettext_lazy("Same name (ignoring diacritics)"),
    "similar_name": gettext_lazy("Similar name"),
    "word_order": gettext_lazy("The same names in another order"),
    "joined_words": gettext_lazy("The same name with words joined or split"),
    "missing_middle_name": gettext_lazy("The same name with a middle name missing"),
    "birth_day_month_swapped": gettext_lazy("Date of birth with day and month swapped"),
    "same_birth_date": gettext_lazy("Same date of birth"),
    "same_birth_year": gettext_lazy("Same year of birth"),
    "near_birth_year": gettext_lazy("Years of birth one apart"),
    "same_sex": gettext_lazy("Same sex"),
    "different_sex": gettext_lazy("Different sex"),
    "shared_caregiver": gettext_lazy("A caregiver with the same name"),
    "same_household": gettext_lazy("Same household"),
    "same_village": gettext_lazy("Same village"),
    "other_commune": gettext_lazy("Living in different communes"),
}

# Fields of the kept record filled from the other one when empty (village and household only when
# both records are in the same commune).
FILLABLE_FIELDS = (
    "personal_id",
    "birth_date",
    "ethnicity",
    "birth_registered",
    "birth_registration_place",
    "school",
    "grade",
    "health_insurance",
)


# progress(stage, done, total): a job's ``JobRun.progress``.
Progress = Callable[..., None]


def reason_labels(codes: Iterable[str]) -> list[str]:
    return [str(REASON_LABELS.get(code, code)) for code in codes]


@dataclass(frozen=True)
class Pair:
    """A candidate pair (``child_a`` < ``child_b``)."""

    child_a: int
    child_b: int
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Record:
    id: int
    given: str
    rest: str
    name: str
    sex: str
    birth_date: object
    birth_year: int
    commune_id: int
    village_id: int | None
    household_id: int | None
    personal_id: str = ""
    caregivers: frozenset[str] = field(default_factory=frozenset)


_FIELDS = (
    "id",
    "name_folded",
    "sex",
    "birth_date",
    "birth_year",
    "commune_id",
    "village_id",
    "household_id",
    "personal_id",
)


def _record(row: tuple) -> _Record | None:
    pk, name, sex, birth_date, birth_year, commune_id, village_id, household_id, personal_id = row
    words = (name or "").split()
    if not words:
        return None
    return _Record(
        id=pk,
        given=words[-1],
        rest=" ".join(words[:-1]),
        name=name,
        sex=sex,
        birth_date=birth_date,
        birth_year=birth_year,
        commune_id=commune_id,
        village_id=village_id,
        household_id=household_id,
        personal_id=personal_id or "",
    )


# The words of names repeat a great deal (family and middle names, common given names): the
# similarities of word pairs and of whole names are kept for the process (pure functions).
@lru_cache(maxsize=1 << 18)
def _ratio(a: str, b: str) -> float:
    """Similarity of two words (or names without spaces): rapidfuzz's Indel ratio, or one minus
    the share of letters dropped, added or replaced (a swap of two letters counting half),
    whichever is higher."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    # Two letters swapped are one slip: half an edit (Levenshtein counts it twice, OSA once).
    osa = OSA.distance(a, b)
    slip = osa - (Levenshtein.distance(a, b) - osa) / 2
    return max(fuzz.ratio(a, b) / 100, 1 - slip / max(len(a), len(b)))


def _words_similarity(a: list[str], b: list[str]) -> float:
    """The given name (last word) weighs GIVEN_WEIGHT, the family and middle names the rest."""
    return GIVEN_WEIGHT * _ratio(a[-1], b[-1]) + (1 - GIVEN_WEIGHT) * _ratio("".join(a[:-1]), "".join(b[:-1]))


# A variant of the name costs a little, so the name as written wins a tie.
VARIANT_WEIGHT = {"word_order": 0.98, "joined_words": 0.98, "missing_middle_name": 0.92}
MAX_PERMUTED_WORDS = 5


def _joined(words: list[str], target: int) -> Iterator[list[str]]:
    """``words`` with adjacent words joined until ``target`` words are left, every way."""
    if len(words) <= target:
        if len(words) == target:
            yield words
        return
    for i in range(len(words) - 1):
        yield from _joined([*words[:i], words[i] + words[i + 1], *words[i + 2 :]], target)


@lru_cache(maxsize=1 << 17)
def name_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two folded names are (0–1), and the variant that made them alike: "" (as
    written), "word_order", "joined_words" (a space dropped or added) or "missing_middle_name"."""
    if a == b:
        return 1.0, ""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return 0.0, ""
    written = best = _words_similarity(wa, wb)
    kind, kind_raw = "", written

    def consider(x: list[str], y: list[str], variant: str) -> None:
        # The variant that explains the difference best names it; its score costs a little.
        nonlocal best, kind, kind_raw
        # At most the given names' share plus a perfect rest: when that cannot beat the best so
        # far (and so neither the best nor the variant named, kind_raw >= best), skip the rest.
        if GIVEN_WEIGHT * _ratio(x[-1], y[-1]) + (1 - GIVEN_WEIGHT) <= best:
            return
        score = _words_similarity(x, y)
        if score > kind_raw:
            kind, kind_raw = variant, score
        best = max(best, score * VARIANT_WEIGHT[variant])

    if len(wa) == len(wb) and 1 < len(wb) <= MAX_PERMUTED_WORDS:
        for order in itertools.permutations(wb):
            if list(order) != wb:
                consider(wa, list(order), "word_order")
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(short) < len(long_):
        if len(long_) - len(short) <= 2:
            for joined in _joined(long_, len(short)):
                consider(short, joined, "joined_words")
        if len(long_) == len(short) + 1 and len(short) >= 2:
            for i in range(1, len(long_) - 1):
                consider(short, long_[:i] + long_[i + 1 :], "missing_middle_name")
    return best, kind


@lru_cache(maxsize=1 << 16)  # a record meets many others: its number is checked once
def _valid_id(value: str) -> bool:
    return len(value) == 12 and value.isdigit() and has_known_province(value)


def kept_apart(a: _Record, b: _Record) -> bool:
    """Two well-formed, different personal ID numbers: two people, whatever else agrees."""
    return a.personal_id != b.personal_id and _valid_id(a.personal_id) and _valid_id(b.personal_id)


def swapped_date(day: dt.date) -> dt.date | None:
    """The date with day and month swapped, where that is another valid date."""
    if day.day == day.month or day.day > 12:
        return None
    return dt.date(day.year, day.day, day.month)


@dataclass(frozen=True)
class Explanation:
    """How a pair's score is made: name similarity times evidence (what agrees, with its weight)."""

    name: float
    variant: str
    evidence: float
    parts: tuple[tuple[str, str], ...]  # (reason code, its effect on the evidence: "+0.25", "÷2", "")
    score: float

    @property
    def reasons(self) -> list[str]:
        return [code for code, _effect in self.parts]


def _evidence(a: _Record, b: _Record, *, shared_caregiver: bool) -> tuple[float, list[tuple[str, str]]]:
    """What besides the name speaks for one child: the evidence (see the module docstring) and
    its parts. ``shared_caregiver`` is given, so that a bound can be had before caregivers are read."""
    evidence = 0.5
    parts: list[tuple[str, str]] = []

    def add(code: str, weight: float) -> None:
        nonlocal evidence
        evidence += weight
        if code:
            parts.append((code, f"+{weight:.2f}"))

    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            add("same_birth_date", 0.25)
        elif swapped_date(a.birth_date) == b.birth_date:
            add("birth_day_month_swapped", 0.2)
    elif a.birth_year == b.birth_year:
        add("same_birth_year", YEAR_ONLY_WEIGHT)
    if a.birth_year != b.birth_year:
        parts.append(("near_birth_year", ""))
    known = (Sex.MALE, Sex.FEMALE)
    if a.sex in known and b.sex in known:
        if a.sex == b.sex:
            add("same_sex", 0.1)
    else:
        add("", 0.05)  # a sex not recorded neither agrees nor disagrees
    if shared_caregiver:
        add("shared_caregiver", 0.1)
    if a.household_id and a.household_id == b.household_id:
        add("same_household", 0.05)
    elif a.village_id and a.village_id == b.village_id:
        add("same_village", 0.05)
    if a.commune_id != b.commune_id:
        parts.append(("other_commune", ""))
    if a.sex in known and b.sex in known and a.sex != b.sex:
        evidence /= 2
        parts.append(("different_sex", "÷2"))
    return evidence, parts


def may_reach(a: _Record, b: _Record, threshold: float) -> bool:
    """Whether the pair could score ``threshold`` with the best name and a shared caregiver: a
    pair that cannot is left before its names are compared (the score is at most the evidence)."""
    bound, _parts = _evidence(a, b, shared_caregiver=True)
    return round(min(1.0, bound), 4) >= threshold


def explain_pair(a: _Record, b: _Record) -> Explanation:
    """The score of a pair, field by field (see the module docstring)."""
    name, variant = name_similarity(a.name, b.name)
    parts: list[tuple[str, str]] = [("same_name" if a.name == b.name else "similar_name", "")]
    if variant:
        parts.append((variant, ""))
    evidence, found = _evidence(a, b, shared_caregiver=bool(a.caregivers & b.caregivers))
    parts.extend(found)
    return Explanation(
        name=round(name, 4),
        variant=variant,
        evidence=round(evidence, 4),
        parts=tuple(parts),
        score=round(min(1.0, name * evidence), 4),
    )


def score_pair(a: _Record, b: _Record, *, given_ratio: float | None = None) -> tuple[float, list[str]]:
    """The score of a pair and the reasons behind it (see the module docstring)."""
    explained = explain_pair(a, b)
    return explained.score, explained.reasons


def _min_given_ratio(threshold: float) -> float:
    """Below this given-name similarity a pair cannot reach ``threshold`` (evidence is at most 1)."""
    return max(0.0, (threshold - (1 - GIVEN_WEIGHT)) / GIVEN_WEIGHT)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _attach_caregivers(records: Iterable[_Record]) -> None:
    by_id = {r.id: r for r in records}
    names: dict[int, set[str]] = defaultdict(set)
    for ids in _chunks(list(by_id)):
        for child_id, full_name in Caregiver.objects.filter(child_id__in=ids).values_list(
            "child_id", "full_name"
        ):
            names[child_id].add(fold(full_name))
    for child_id, found in names.items():
        by_id[child_id].caregivers = frozenset(found)


def _commune_pairs(records: list[_Record], *, threshold: float) -> Iterator[tuple[_Record, _Record, float]]:
    """Pairs of one commune inside a block whose given names are similar enough."""
    min_given = _min_given_ratio(threshold)
    by_initial: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_initial[record.given[0]].append(record)
    for bucket in by_initial.values():
        index: dict[tuple[str, int], list[_Record]] = defaultdict(list)
        for record in bucket:
            index[(record.given, record.birth_year)].append(record)
        givens = sorted({r.given for r in bucket})
        similar: dict[str, list[tuple[str, float]]] = {g: [(g, 1.0)] for g in givens}
        for g1, g2 in itertools.combinations(givens, 2):
            ratio = _ratio(g1, g2)
            if ratio >= min_given:
                similar[g1].append((g2, ratio))
                similar[g2].append((g1, ratio))
        for record in bucket:
            for other_given, ratio in similar[record.given]:
                for year in (record.birth_year - 1, record.birth_year, record.birth_year + 1):
                    for other in index.get((other_given, year), ()):
                        if other.id > record.id:
                            yield record, other, ratio


def _date_pairs(records: list[_Record]) -> Iterator[tuple[_Record, _Record]]:
    """Pairs of one commune born on the same day, or with day and month swapped, whatever the names."""
    by_date: dict[dt.date, list[_Record]] = defaultdict(list)
    for record in records:
        if record.birth_date:
            by_date[record.birth_date].append(record)
    for day, same in by_date.items():
        yield from itertools.combinations(same, 2)
        other = swapped_date(day)
        if other is not None and other > day:
            yield from itertools.product(same, by_date.get(other, ()))


def _spaceless(name: str, **_kwargs) -> str:
    return name.replace(" ", "")


def _undated_pairs(records: list[_Record]) -> Iterator[tuple[_Record, _Record]]:
    """Pairs of one commune in which a record has no date of birth: the same year of birth and
    names alike in some order or spacing (rapidfuzz's matrix of scores, computed in C++)."""
    by_year: dict[int, list[_Record]] = defaultdict(list)
    for record in records:
        by_year[record.birth_year].append(record)
    for same_year in by_year.values():
        undated = [r for r in same_year if not r.birth_date]
        if not undated or len(same_year) < 2:
            continue
        queries, choices = [r.name for r in undated], [r.name for r in same_year]
        by_words = process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, score_cutoff=UNDATED_CUTOFF)
        by_letters = process.cdist(
            queries, choices, scorer=fuzz.ratio, processor=_spaceless, score_cutoff=UNDATED_CUTOFF
        )
        for i, record in enumerate(undated):
            for j, other in enumerate(same_year):
                # An undated pair is met twice when both are undated: once is enough.
                alike = by_words[i][j] or by_letters[i][j]
                if alike and other.id != record.id and (other.birth_date or other.id > record.id):
                    yield record, other


def find_duplicates(
    *, queryset: QuerySet[Child], threshold: float = DEFAULT_THRESHOLD, progress: Progress | None = None
) -> list[Pair]:
    """Candidate pairs among the active children of ``queryset`` scoring at least ``threshold``,
    best first (reads only; ``duplicates_refresh`` stores them). ``progress(stage, done, total)``
    is told of each commune compared, then of the passes across communes (a job's progress bar)."""
    if not 0 < threshold <= 1:
        raise ValidationError({"threshold": [_("The threshold must be above 0 and at most 1.")]})
    active = queryset.filter(is_active=True)
    report = progress or (lambda stage, done, total=None: None)
    communes = active.values("commune_id").distinct().order_by().count()
    report("communes", 0, communes)
    found: dict[tuple[int, int], Pair] = {}

    def keep(a: _Record, b: _Record, score: float, reasons: list[str]) -> None:
        key = (min(a.id, b.id), max(a.id, b.id))
        if score >= threshold and (key not in found or found[key].score < score):
            found[key] = Pair(key[0], key[1], score, tuple(reasons))

    # 1. Inside each commune, block by block (one streamed query, one commune in memory at a time).
    rows = active.order_by("commune_id", "id").values_list(*_FIELDS).iterator(chunk_size=5000)
    for done, (_commune, group) in enumerate(itertools.groupby(rows, key=lambda row: row[5]), start=1):
        records = [r for r in map(_record, group) if r is not None]
        candidates: dict[tuple[int, int], tuple[_Record, _Record]] = {}
        blocks = itertools.chain(
            ((a, b) for a, b, _ratio in _commune_pairs(records, threshold=threshold)),
            _date_pairs(records),
            _undated_pairs(records),
        )
        for a, b in blocks:
            candidates.setdefault((min(a.id, b.id), max(a.id, b.id)), (a, b))
        # Evidence is at most 1, so a pair whose names are less similar than the threshold is out.
        pairs = [
            (a, b)
            for a, b in candidates.values()
            if not kept_apart(a, b)
            and may_reach(a, b, threshold)
            and name_similarity(a.name, b.name)[0] >= threshold
        ]
        _attach_caregivers({r.id: r for pair in pairs for r in pair}.values())
        for a, b in pairs:
            keep(a, b, *score_pair(a, b))
        report("communes", done, communes)

    # 2. The same folded name and year of birth in different communes.
    report("across", 0, None)
    wanted = {
        (name, year)
        for name, year, _communes in active.values_list("name_folded", "birth_year")
        .annotate(communes=Count("commune", distinct=True))
        .filter(communes__gt=1)
        .order_by()
    }
    for names in _chunks(sorted({name for name, _year in wanted})):
        records = [
            r
            for r in map(_record, active.filter(name_folded__in=names).values_list(*_FIELDS))
            if r is not None and (r.name, r.birth_year) in wanted
        ]
        records.sort(key=lambda r: (r.name, r.birth_year))
        across = [
            (a, b)
            for _key, same in itertools.groupby(records, key=lambda r: (r.name, r.birth_year))
            for a, b in itertools.combinations(list(same), 2)
            if a.commune_id != b.commune_id and not kept_apart(a, b) and may_reach(a, b, threshold)
        ]
        # Caregivers only of the pairs left (namesakes of a year born on other days are not).
        _attach_caregivers({r.id: r for pair in across for r in pair}.values())
        for a, b in across:
            keep(a, b, *score_pair(a, b))

    # 3. The same personal ID number: always a duplicate.
    report("numbers", 0, None)
    numbers = list(
        active.exclude(personal_id="")
        .values_list("personal_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("personal_id", flat=True)
        .order_by()
    )
    for chunk in _chunks(numbers):
        rows = (
            active.filter(personal_id__in=chunk).values_list("personal_id", *_FIELDS).order_by("personal_id")
        )
        for _number, same in itertools.groupby(rows, key=lambda row: row[0]):
            records = [r for r in (_record(row[1:]) for row in same) if r is not None]
            _attach_caregivers(records)
            for a, b in itertools.combinations(records, 2):
                _score, reasons = score_pair(a, b)
                key = (min(a.id, b.id), max(a.id, b.id))
                found[key] = Pair(key[0], key[1], 1.0, ("same_personal_id", *reasons))

    return sorted(found.values(), key=lambda p: (-p.score, p.child_a, p.child_b))


@dataclass
class RefreshResult:
    found: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    already_decided: int = 0


@transaction.atomic
def duplicates_refresh(
    *,
    acting_user,
    queryset: QuerySet[Child],
    threshold: float = DEFAULT_THRESHOLD,
    unit=None,
    progress: Progress | None = None,
) -> RefreshResult:
    """Store the pairs ``find_duplicates`` finds in ``queryset`` as pending candidates.

    Pairs already decided (merged or "not a duplicate") are never proposed again; pending pairs
    that no longer score (records corrected, merged elsewhere) are withdrawn. ``acting_user`` None
    is the system (``treem find_duplicates``); a user searches only the children they may change,
    and only under ``unit`` when given. One audit event.
    """
    if acting_user is not None:
        if unit is not None:
            scope_require(acting_user, unit, "children.change_child")
        elif not acting_user.has_perm("children.change_child"):
            raise ScopeError("children.change_child")
        queryset = queryset.filter(pk__in=Child.objects.restrict(acting_user, "change").values("pk"))
    if unit is not None:
        queryset = queryset.filter(commune__path__startswith=unit.path)
    pairs = find_duplicates(queryset=queryset, threshold=threshold, progress=progress)
    if progress is not None:
        progress("saving", 0, None)
    result = RefreshResult(found=len(pairs))
    wanted = {(p.child_a, p.child_b): p for p in pairs}
    existing: dict[tuple[int, int], DuplicateCandidate] = {}
    for ids in _chunks(sorted({p.child_a for p in pairs})):
        for candidate in DuplicateCandidate.objects.filter(child_a_id__in=ids):
            key = (candidate.child_a_id, candidate.child_b_id)
            if key in wanted:
                existing[key] = candidate
    new, changed = [], []
    for key, pair in wanted.items():
        candidate = existing.get(key)
        if candidate is None:
            new.append(
                DuplicateCandidate(
                    child_a_id=pair.child_a,
                    child_b_id=pair.child_b,
                    score=pair.score,
                    reasons=list(pair.reasons),
                )
            )
        elif candidate.status != DuplicateStatus.PENDING:
            result.already_decided += 1
        elif candidate.score != pair.score or candidate.reasons != list(pair.reasons):
            candidate.score, candidate.reasons = pair.score, list(pair.reasons)
            changed.append(candidate)
    # A concurrent search may have stored the same pair a moment ago: keep theirs.
    DuplicateCandidate.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    DuplicateCandidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=500)
    result.created, result.updated = len(new), len(changed)
    stale = [
        pk
        for pk, a, b in DuplicateCandidate.objects.pending()
        .filter(child_a__in=queryset.values("pk"), child_b__in=queryset.values("pk"))
        .values_list("pk", "child_a_id", "child_b_id")
        if (a, b) not in wanted
    ]
    for ids in _chunks(stale):
        DuplicateCandidate.objects.filter(pk__in=ids).delete()
    result.removed = len(stale)
    audit_record(
        acting_user,
        "children.duplicates.searched",
        None,
        unit=unit,
        object_label=str(unit) if unit is not None else "",
        changes={
            "threshold": threshold,
            "found": result.found,
            "created": result.created,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    return result


def _lock_pending(acting_user, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """The pair, locked, once the user may decide it and while it waits for a decision."""
    locked = (
        DuplicateCandidate.objects.select_for_update()
        .select_related("child_a__commune", "child_b__commune")
        .filter(pk=candidate.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This pair is no longer proposed; look for duplicates again."))
    # Deciding changes both records, so the user must be able to change both.
    scope_require(acting_user, locked.child_a.commune, "children.change_child")
    scope_require(acting_user, locked.child_b.commune, "children.change_child")
    if locked.status != DuplicateStatus.PENDING:
        raise ValidationError(
            _("This pair was already decided: %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def duplicate_merge(*, acting_user, candidate: DuplicateCandidate, keep: Child) -> Child:
    """Merge a pending pair into ``keep`` (one of its two children); return the kept record."""
    candidate = _lock_pending(acting_user, candidate)
    if keep is None or keep.pk not in (candidate.child_a_id, candidate.child_b_id):
        raise ValidationError({"keep": [_("Choose one of the two records of this pair to keep.")]})
    # Both rows locked in id order, so two merges touching the same child cannot deadlock.
    locked = {
        c.pk: c
        for c in Child.objects.select_for_update()
        .select_related("commune")
        .filter(pk__in=[candidate.child_a_id, candidate.child_b_id])
        .order_by("pk")
    }
    kept = locked[keep.pk]
    other = locked[candidate.child_b_id if kept.pk == candidate.child_a_id else candidate.child_a_id]
    if not (kept.is_active and other.is_active):
        raise ValidationError(_("One of these records is no longer in the registry; it cannot be merged."))
    before_kept, before_other = snapshot(kept), snapshot(other)

    moved = _move_related(kept=kept, other=other)

    other.is_active, other.merged_into, other.updated_by = False, kept, acting_user
    other.inactive_reason = _("Merged into record %(id)s (%(name)s).") % {
        "id": kept.pk,
        "name": kept.full_name,
    }
    # Saved first: the personal ID number may then move to the kept record without a clash.
    other.save(update_fields=["is_active", "merged_into", "inactive_reason", "updated_by", "updated_at"])

    fields = list(FILLABLE_FIELDS)
    if kept.commune_id == other.commune_id:
        fields += ["village", "household"]
    for name in fields:
        mine, theirs = getattr(kept, name), getattr(other, name)
        if mine in (None, "") and theirs not in (None, ""):
            if name == "birth_date" and theirs.year != kept.birth_year:
                continue  # a different year is a judgement for the officer, not a blank to fill
            setattr(kept, name, theirs)
    kept.updated_by = acting_user
    kept.full_clean(exclude=["name_folded"])
    kept.save()

    candidate.status, candidate.kept = DuplicateStatus.MERGED, kept
    candidate.decided_by, candidate.decided_at = acting_user, timezone.now()
    candidate.save(update_fields=["status", "kept", "decided_by", "decided_at"])
    # Other proposals about the merged-away record are withdrawn (they will be found again
    # against the kept record); decided ones stay as history.
    withdrawn, _detail = (
        DuplicateCandidate.objects.pending()
        .filter(Q(child_a=other) | Q(child_b=other))
        .exclude(pk=candidate.pk)
        .delete()
    )

    merged_from = {
        "id": other.pk,
        "full_name": other.full_name,
        "commune": other.commune.name,
        "source": other.source,
        "source_key": other.source_key,
        "personal_id": other.personal_id,
    }
    audit_record(
        acting_user,
        "children.child.merged",
        kept,
        changes={
            **diff(before_kept, snapshot(kept)),
            "merged_from": [None, merged_from],
            "moved": [None, moved],
            "duplicate_candidate": [None, candidate.pk],
            "withdrawn_proposals": [None, withdrawn],
        },
    )
    audit_record(
        acting_user, "children.child.merged_away", other, changes=diff(before_other, snapshot(other))
    )
    return kept


def _move_related(*, kept: Child, other: Child) -> dict[str, int]:
    """Move the other record's caregivers, circumstances, support and consents onto ``kept``.

    What would only repeat what the kept record already says stays on the other record (still
    readable there): a caregiver of the same relationship and name, a second open membership of the
    same group, the same support recorded twice."""
    have = {(c.relationship, fold(c.full_name)) for c in kept.caregivers.all()}
    caregivers = [c.pk for c in other.caregivers.all() if (c.relationship, fold(c.full_name)) not in have]
    Caregiver.objects.filter(pk__in=caregivers).update(child=kept)

    open_groups = set(kept.circumstances.filter(left_on__isnull=True).values_list("group_id", flat=True))
    memberships = [
        m.pk for m in other.circumstances.all() if not (m.left_on is None and m.group_id in open_groups)
    ]
    CircumstanceMembership.objects.filter(pk__in=memberships).update(child=kept)

    same_support = set(kept.supports.values_list("kind", "given_on", "amount_vnd", "agency_id"))
    supports = [
        s.pk
        for s in other.supports.all()
        if (s.kind, s.given_on, s.amount_vnd, s.agency_id) not in same_support
    ]
    Support.objects.filter(pk__in=supports).update(child=kept)

    # Consents are legal records: all of them move.
    consents = Consent.objects.filter(child=other).update(child=kept)
    return {
        "caregivers": len(caregivers),
        "circumstances": len(memberships),
        "supports": len(supports),
        "consents": consents,
    }


@transaction.atomic
def duplicate_dismiss(*, acting_user, candidate: DuplicateCandidate, reason: str = "") -> DuplicateCandidate:
    """Mark a pending pair as "not a duplicate": it is never proposed again."""
    candidate = _lock_pending(acting_user, candidate)
    before = snapshot(candidate)
    candidate.status = DuplicateStatus.NOT_DUPLICATE
    candidate.decided_by, candidate.decided_at = acting_user, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        acting_user,
        "children.duplicate.dismissed",
        candidate,
        changes=diff(before, snapshot(candidate)),
        reason=(reason or "").strip(),
    )
    return candidate


# --- reads for the review pages ---------------------------------------------------------------------

COMPARED_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "personal_id",
    "ethnicity",
    "commune",
    "village",
    "household",
    "birth_registered",
    "school",
    "grade",
    "source",
    "source_key",
    "created_at",
    "updated_at",
)


def _display(child: Child, name: str) -> str:
    value = getattr(child, name)
    if value is None or value == "":
        return ""
    field = Child._meta.get_field(name)
    if getattr(field, "choices", None):
        return str(getattr(child, f"get_{name}_display")())
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def comparison_rows(*, candidate: DuplicateCandidate, visible: set[int]) -> list[dict]:
    """Field-by-field rows of a pair for the review page; a child outside ``visible`` shows nothing."""
    rows = []
    for name in COMPARED_FIELDS:
        values = [
            _display(child, name) if child.pk in visible else None
            for child in (candidate.child_a, candidate.child_b)
        ]
        rows.append(
            {
                "label": Child._meta.get_field(name).verbose_name,
                "a": values[0],
                "b": values[1],
                "differs": None not in values and values[0] != values[1],
            }
        )
    return rows


def pair_explanation(*, candidate: DuplicateCandidate) -> dict:
    """How the pair's score is made today, for the review page: the names' similarity, and each
    field that agrees with its weight in the evidence (numbers only, whoever may see the records)."""
    rows = {
        row[0]: row
        for row in Child.objects.filter(pk__in=[candidate.child_a_id, candidate.child_b_id]).values_list(
            *_FIELDS
        )
    }
    records = [_record(rows[pk]) for pk in (candidate.child_a_id, candidate.child_b_id) if pk in rows]
    if len(records) != 2 or None in records:
        return {}
    _attach_caregivers(records)
    explained = explain_pair(*records)
    same_id = bool(records[0].personal_id) and records[0].personal_id == records[1].personal_id
    return {
        "name": explained.name,
        "variant": str(REASON_LABELS[explained.variant]) if explained.variant else "",
        "evidence": explained.evidence,
        "score": 1.0 if same_id else explained.score,
        "same_personal_id": same_id,
        "agree": [(str(REASON_LABELS[code]), effect) for code, effect in explained.parts if effect],
    }
