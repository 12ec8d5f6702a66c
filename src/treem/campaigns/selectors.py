"""Reads of campaigns: the yearly calendar and the yearly summary per agency."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from treem.accounts.models import Agency
from treem.campaigns import lunar
from treem.campaigns.filtersets import CampaignFilterSet
from treem.campaigns.models import Campaign, Channel, RecurringEvent


def campaign_list(*, user, filters: dict | None = None) -> QuerySet[Campaign]:
    qs = Campaign.objects.restrict(user, "view").select_related("unit", "agency", "event")
    return CampaignFilterSet(filters or None, queryset=qs).qs


def year_in_range(year: int) -> bool:
    return lunar.FIRST_YEAR <= year <= lunar.LAST_YEAR


@dataclass
class CalendarEntry:
    starts_on: dt.date
    ends_on: dt.date
    event: RecurringEvent | None = None
    campaign: Campaign | None = None

    @property
    def name(self) -> str:
        return self.event.name if self.event else self.campaign.title


@dataclass
class CalendarMonth:
    number: int
    first_day: dt.date
    entries: list[CalendarEntry] = field(default_factory=list)


def calendar_year(*, user, year: int) -> list[CalendarMonth]:
    """The twelve months of ``year``: each recurring event on its solar date, and the user's
    campaigns (those starting in an earlier year show in January)."""
    months = [CalendarMonth(number=m, first_day=dt.date(year, m, 1)) for m in range(1, 13)]
    events = RecurringEvent.objects.restrict(user, "view").filter(active=True)
    for event in events:
        for day in event.dates_in(year):
            ends = day + dt.timedelta(days=event.duration_days - 1)
            months[day.month - 1].entries.append(CalendarEntry(starts_on=day, ends_on=ends, event=event))
    jan_1, dec_31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    campaigns = (
        Campaign.objects.restrict(user, "view")
        .filter(starts_on__lte=dec_31, ends_on__gte=jan_1)
        .select_related("agency", "unit")
    )
    for campaign in campaigns:
        shown = max(campaign.starts_on, jan_1)
        months[shown.month - 1].entries.append(
            CalendarEntry(starts_on=campaign.starts_on, ends_on=campaign.ends_on, campaign=campaign)
        )
    for month in months:
        month.entries.sort(key=lambda e: (e.starts_on, e.campaign is not None, e.name))
    return months


@dataclass
class AgencySummary:
    agency: Agency
    campaigns: int
    reach_people: int
    reach_children: int
    budget_used: int
    channels: dict[str, int]


def yearly_summary(*, user, year: int) -> tuple[list[AgencySummary], AgencySummary | None]:
    """Per agency, the campaigns the user may see that started in ``year``: how many, whom they
    reached, what they spent, and on which channels; and the totals."""
    qs = Campaign.objects.restrict(user, "view").filter(starts_on__year=year)
    rows = {
        row["agency"]: row
        for row in qs.values("agency").annotate(
            n=Count("id"),
            people=Sum("reach_people"),
            children=Sum("reach_children"),
            budget=Sum("budget_used"),
        )
    }
    channels: dict[int, Counter] = {pk: Counter() for pk in rows}
    for agency_id, used in qs.values_list("agency", "channels"):
        channels[agency_id].update(used or [])
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=rows)}
    summaries = [
        AgencySummary(
            agency=agencies[pk],
            campaigns=row["n"],
            reach_people=int(row["people"] or 0),  # PostgreSQL sums bigints as numeric
            reach_children=int(row["children"] or 0),
            budget_used=int(row["budget"] or 0),
            channels={c: channels[pk][c] for c in Channel.values},
        )
        for pk, row in rows.items()
    ]
    summaries.sort(key=lambda s: (s.agency.name, s.agency.pk))
    if not summaries:
        return [], None
    total_channels = Counter()
    for s in summaries:
        total_channels.update(s.channels)
    total = AgencySummary(
        agency=None,
        campaigns=sum(s.campaigns for s in summaries),
        reach_people=sum(s.reach_people for s in summaries),
        reach_children=sum(s.reach_children for s in summaries),
        budget_used=sum(s.budget_used for s in summaries),
        channels={c: total_channels[c] for c in Channel.values},
    )
    return summaries, total
