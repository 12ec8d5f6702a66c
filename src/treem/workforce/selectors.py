"""Reads of the workforce: the staffing dashboard (communes against the norms) and the lists."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from treem.geo.models import Unit, UnitLevel
from treem.workforce.filtersets import CourseFilterSet, StaffFilterSet
from treem.workforce.models import NormScope, Participant, StaffingNorm, StaffMember, TrainingCourse


def staff_list(*, user, filters: dict | None = None) -> QuerySet[StaffMember]:
    qs = StaffMember.objects.restrict(user, "view").select_related("unit", "agency")
    return StaffFilterSet(filters or None, queryset=qs).qs


def course_list(*, user, filters: dict | None = None) -> QuerySet[TrainingCourse]:
    qs = TrainingCourse.objects.restrict(user, "view").select_related("unit", "organiser")
    return CourseFilterSet(filters or None, queryset=qs).qs


def trainings_of(*, user, staff: StaffMember) -> QuerySet[Participant]:
    """The courses a staff member took part in, among those the user may see."""
    return (
        Participant.objects.restrict(user, "view")
        .filter(staff=staff)
        .select_related("course", "course__organiser")
        .order_by("-course__starts_on", "id")
    )


@dataclass
class NormStatus:
    norm: StaffingNorm
    have: int
    needed: int
    missing: int  # places short of the norm (villages count one by one)


@dataclass
class CommuneStaffing:
    commune: Unit
    villages: int
    statuses: list[NormStatus] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(s.missing for s in self.statuses)

    @property
    def flagged(self) -> bool:
        return self.missing > 0

    def status(self, code: str) -> NormStatus | None:
        return next((s for s in self.statuses if s.norm.code == code), None)


def staffing_dashboard(*, user, day: dt.date | None = None) -> list[CommuneStaffing]:
    """Each commune in force in the user's scope, with its staff against every norm in force.

    Staff are those the user may see, working on ``day`` (today). A norm "per commune" counts the
    people of its position in the commune; "per village" counts them village by village, so one
    village with three collaborators does not cover a village with none.
    """
    day = day or timezone.localdate()
    units = Unit.objects.restrict(user, "view").valid_on(day)
    communes = list(units.filter(level=UnitLevel.COMMUNE).order_by("path"))
    if not communes:
        return []
    villages_of: dict[int, list[int]] = defaultdict(list)
    for village_id, parent_id in units.filter(level=UnitLevel.VILLAGE, parent__in=communes).values_list(
        "pk", "parent_id"
    ):
        villages_of[parent_id].append(village_id)
    counts = Counter(
        StaffMember.objects.restrict(user, "view")
        .active_on(day)
        .values_list("unit_id", "position")
        .iterator()
    )
    norms = list(StaffingNorm.objects.filter(active=True).order_by("per", "code"))
    rows = []
    for commune in communes:
        row = CommuneStaffing(commune=commune, villages=len(villages_of[commune.pk]))
        for norm in norms:
            if norm.per == NormScope.COMMUNE:
                have = counts[(commune.pk, norm.position)]
                needed = norm.minimum
                missing = max(0, needed - have)
            else:
                per_village = [counts[(v, norm.position)] for v in villages_of[commune.pk]]
                have = sum(per_village)
                needed = norm.minimum * len(per_village)
                missing = sum(max(0, norm.minimum - n) for n in per_village)
            row.statuses.append(NormStatus(norm=norm, have=have, needed=needed, missing=missing))
        rows.append(row)
    return rows


@dataclass
class TrainingSummary:
    """Courses that started in a period and their participants (the consolidated report's line)."""

    courses: int = 0
    participants: int = 0
    attended: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # attended, per kind of participant


def training_summary(*, user, start: dt.date, end: dt.date) -> TrainingSummary:
    """Courses the user may see starting from ``start`` to ``end``, with their participants and
    those who attended, by kind (staff, collaborators, …); three grouped queries."""
    courses = course_list(user=user).filter(starts_on__gte=start, starts_on__lte=end)
    participants = Participant.objects.filter(course__in=courses.values("pk"))
    summary = TrainingSummary(courses=courses.count(), participants=participants.count())
    for row in participants.filter(attended=True).values("kind").annotate(n=Count("id")).order_by("kind"):
        summary.by_kind[row["kind"]] = row["n"]
    summary.attended = sum(summary.by_kind.values())
    return summary
