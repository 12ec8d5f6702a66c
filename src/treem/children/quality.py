"""Data quality of the child database, for a commune or everything under a unit.

Every number is one aggregate query over the children the user may see (``Child.objects.restrict``):
completeness of key fields, ID numbers that disagree with the record, children without birth
registration, children aged 16 or more, records nobody changed for a year, pending duplicates.

ID numbers are checked in SQL with regular expressions built from ``identity``'s rules: for each
year of birth present, digit 4 must be one of the century's two digits and digits 5–6 the year's
last two; digit 4 must be even for a boy and odd for a girl; digits 1–3 must be 0 and a province
code of the national lists (``identity.province_codes``: records written before that rule).
Only the rows shown on the page go through ``identity.personal_id_findings`` for the wording.

Records of active children only (merged and departed records are history). Records are stale when
``updated_at`` is older than a year; a population check does not update it (see population.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.children import identity
from treem.children.choices import IdCheckStatus, Sex
from treem.children.identity import personal_id_findings
from treem.children.models import CHILD_AGE_LIMIT, MINOR_AGE_LIMIT, Child
from treem.children.models_duplicates import DuplicateCandidate
from treem.geo.models import Unit, UnitLevel

STALE_AFTER = dt.timedelta(days=365)
WELL_FORMED = r"^[0-9]{12}$"

COMPLETENESS = (
    ("with_birth_date", _("Date of birth")),
    ("with_personal_id", _("Personal identification number")),
    ("with_ethnicity", _("Ethnic group")),
    ("with_village", _("Village")),
    ("with_birth_registration", _("Birth registration status")),
)


def cutoff_birth_date(age: int, today: dt.date) -> dt.date:
    """The latest date of birth of someone aged ``age`` or more on ``today`` (as ``Child.age_on``)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - age, day=28)


def aged_at_least(age: int, today: dt.date) -> Q:
    """Children aged ``age`` or more on ``today``: by date of birth, or by year where it is unknown."""
    return Q(birth_date__isnull=False, birth_date__lte=cutoff_birth_date(age, today)) | Q(
        birth_date__isnull=True, birth_year__lte=today.year - age
    )


def id_findings_q(*, birth_years: set[int]) -> Q:
    """Well-formed ID numbers that disagree with the record's sex, year of birth or a province code."""
    wrong = Q(sex=Sex.MALE, personal_id__regex=r"^[0-9]{3}[13579]") | Q(
        sex=Sex.FEMALE, personal_id__regex=r"^[0-9]{3}[02468]"
    )
    for year in sorted(birth_years):
        first = 2 * (year // 100 - 19)
        if not 0 <= first <= 8:
            wrong |= Q(birth_year=year)  # no digit can say so
            continue
        expected = rf"^[0-9]{{3}}[{first}{first + 1}]{year % 100:02d}"
        wrong |= Q(birth_year=year) & ~Q(personal_id__regex=expected)
    known = "|".join(sorted(identity.province_prefixes()))
    wrong |= ~Q(personal_id__regex=rf"^({known})")
    return Q(personal_id__regex=WELL_FORMED) & wrong


def _measures(*, today: dt.date, findings: Q) -> dict:
    stale_before = timezone.now() - STALE_AFTER
    aged_child = aged_at_least(CHILD_AGE_LIMIT, today)
    aged_adult = aged_at_least(MINOR_AGE_LIMIT, today)
    measures = {
        "total": Count("id"),
        "with_birth_date": Count("id", filter=Q(birth_date__isnull=False)),
        "with_personal_id": Count("id", filter=~Q(personal_id="")),
        "with_ethnicity": Count("id", filter=Q(ethnicity__isnull=False)),
        "with_village": Count("id", filter=Q(village__isnull=False)),
        "with_birth_registration": Count("id", filter=Q(birth_registered__isnull=False)),
        "not_registered": Count("id", filter=Q(birth_registered=False)),
        "aged_minor": Count("id", filter=aged_child & ~aged_adult),
        "aged_adult": Count("id", filter=aged_adult),
        "stale": Count("id", filter=Q(updated_at__lt=stale_before)),
        "malformed_id": Count("id", filter=~Q(personal_id="") & ~Q(personal_id__regex=WELL_FORMED)),
        "id_findings": Count("id", filter=findings),
    }
    for status in IdCheckStatus:
        measures[f"check_{status.value}"] = Count("id", filter=Q(id_check_status=status))
    return measures


@dataclass
class QualityReport:
    """The numbers of one unit (or one commune row of a summary)."""

    unit: Unit | None
    counts: dict[str, int]
    duplicates_pending: int = 0
    completeness: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        total = self.counts.get("total", 0)
        self.completeness = [
            {
                "key": key,
                "label": label,
                "count": self.counts.get(key, 0),
                "percent": round(100 * self.counts.get(key, 0) / total, 1) if total else None,
            }
            for key, label in COMPLETENESS
        ]

    @property
    def id_check(self) -> list[tuple[str, int]]:
        return [(status.label, self.counts.get(f"check_{status.value}", 0)) for status in IdCheckStatus]


def children_under(*, user, unit: Unit) -> QuerySet[Child]:
    """Active children the user may see living in ``unit`` or below it."""
    qs = Child.objects.restrict(user, "view").filter(is_active=True)
    if unit.level == UnitLevel.VILLAGE:
        return qs.filter(village=unit)
    return qs.filter(commune__path__startswith=unit.path)


def _findings_for(qs: QuerySet[Child]) -> Q:
    years = set(qs.order_by().values_list("birth_year", flat=True).distinct())
    return id_findings_q(birth_years=years)


def quality_report(*, user, unit: Unit, today: dt.date | None = None) -> QualityReport:
    """The data-quality numbers of everything the user may see under ``unit``."""
    today = today or timezone.localdate()
    qs = children_under(user=user, unit=unit)
    counts = qs.aggregate(**_measures(today=today, findings=_findings_for(qs)))
    pending = DuplicateCandidate.objects.restrict(user, "view").pending().touching(unit).count()
    return QualityReport(unit=unit, counts=counts, duplicates_pending=pending)


def quality_total(*, unit: Unit, rows: list[QualityReport], user) -> QualityReport:
    """The report of ``unit`` as the sum of its communes' rows (saves a second pass over the children)."""
    totals: dict[str, int] = {}
    for row in rows:
        for key, value in row.counts.items():
            totals[key] = totals.get(key, 0) + value
    totals.setdefault("total", 0)
    pending = DuplicateCandidate.objects.restrict(user, "view").pending().touching(unit).count()
    return QualityReport(unit=unit, counts=totals, duplicates_pending=pending)


def quality_by_commune(*, user, unit: Unit, today: dt.date | None = None) -> list[QualityReport]:
    """One report per commune under ``unit`` (one GROUP BY), communes without children included."""
    today = today or timezone.localdate()
    qs = children_under(user=user, unit=unit)
    measures = _measures(today=today, findings=_findings_for(qs))
    rows = {row.pop("commune_id"): row for row in qs.order_by().values("commune_id").annotate(**measures)}
    nothing = dict.fromkeys(measures, 0)
    pending: dict[int, int] = {}
    candidates = DuplicateCandidate.objects.restrict(user, "view").pending().touching(unit).order_by()
    for commune_id, n in candidates.values_list("child_a__commune_id").annotate(n=Count("id")):
        pending[commune_id] = pending.get(commune_id, 0) + n
    for commune_id, n in (
        candidates.exclude(child_a__commune=F("child_b__commune"))
        .values_list("child_b__commune_id")
        .annotate(n=Count("id"))
    ):
        pending[commune_id] = pending.get(commune_id, 0) + n
    communes = (
        Unit.objects.restrict(user, "view")
        .filter(level=UnitLevel.COMMUNE, path__startswith=unit.path)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today) | Q(pk__in=list(rows)))
        .order_by("name", "code", "pk")
    )
    return [
        QualityReport(
            unit=commune,
            counts=rows.get(commune.pk, nothing),
            duplicates_pending=pending.get(commune.pk, 0),
        )
        for commune in communes
    ]


LIST_LIMIT = 50


def finding_lists(*, user, unit: Unit, today: dt.date | None = None, limit: int = LIST_LIMIT) -> dict:
    """The first ``limit`` children of each finding, for the commune page (queries are bounded)."""
    today = today or timezone.localdate()
    qs = children_under(user=user, unit=unit).select_related("commune", "village")
    invalid = []
    for child in qs.filter(_findings_for(qs) | (~Q(personal_id="") & ~Q(personal_id__regex=WELL_FORMED)))[
        :limit
    ]:
        messages = [
            f.message
            for f in personal_id_findings(child.personal_id, sex=child.sex, birth_year=child.birth_year)
        ]
        if not messages:
            messages = [str(_("The number does not have 12 digits."))]
        invalid.append((child, messages))
    return {
        "invalid_ids": invalid,
        "not_registered": list(qs.filter(birth_registered=False)[:limit]),
        "aged_out": list(
            qs.filter(aged_at_least(CHILD_AGE_LIMIT, today)).order_by("birth_year", "name_folded", "pk")[
                :limit
            ]
        ),
        "stale": list(
            qs.filter(updated_at__lt=timezone.now() - STALE_AFTER).order_by("updated_at", "pk")[:limit]
        ),
    }
