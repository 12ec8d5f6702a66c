"""The map of communes: one point per commune in force (coordinates from the unit lists the
``vietnamadminunits`` package ships; no tile server), coloured by a figure the user chooses.

Apps register their figures (``register_measure`` in ``AppConfig.ready``): ``func(user, communes)``
returns ``{commune id: (count, text shown, hidden)}`` over what the user may see, with small counts
hidden where the figure is published (they are drawn grey, not by their value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from treem.geo.models import Unit, UnitLevel

WIDTH = 600.0
PADDING = 12.0
BUCKETS = 5


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    func: Callable[[object, QuerySet[Unit]], dict[int, tuple[int, str, bool]]]
    perms: tuple[str, ...] = ()


_MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> None:
    _MEASURES.setdefault(measure.key, measure)


def measures_for(user) -> list[Measure]:
    return [m for m in _MEASURES.values() if not m.perms or any(user.has_perm(p) for p in m.perms)]


@dataclass(frozen=True)
class Point:
    name: str
    x: float
    y: float
    text: str
    css: str


def _buckets(values: list[int]) -> list[int]:
    """Upper bounds of up to five classes of the non-zero values (quantiles)."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return []
    bounds = sorted(
        {
            ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (i + 1) / BUCKETS) - 1)]
            for i in range(BUCKETS)
        }
    )
    return bounds


FAR = 6.0  # a unit this many times further from the middle than the typical one is drawn apart


def _split_far(places: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """The communes of the mainland, and the far ones (an offshore special zone such as Hoàng Sa)
    listed beside the map instead of shrinking it to a corner."""
    if len(places) < 5:
        return places, []
    mid_lat = sorted(u.latitude for u in places)[len(places) // 2]
    mid_lon = sorted(u.longitude for u in places)[len(places) // 2]
    distance = {u.pk: math.hypot(u.latitude - mid_lat, u.longitude - mid_lon) for u in places}
    typical = sorted(distance.values())[len(places) // 2] or 1e-6
    near = [u for u in places if distance[u.pk] <= FAR * typical]
    return (near, [u for u in places if distance[u.pk] > FAR * typical]) if len(near) >= 2 else (places, [])


def commune_map(user, key: str | None = None) -> dict | None:
    """The points of the communes ``user`` sees, coloured by the measure ``key`` (the first one
    the user may see when None or unknown); None when fewer than two communes have coordinates."""
    choices = measures_for(user)
    if not choices:
        return None
    measure = next((m for m in choices if m.key == key), choices[0])
    communes = (
        Unit.objects.restrict(user, "view")
        .current()
        .filter(level=UnitLevel.COMMUNE, latitude__isnull=False, longitude__isnull=False)
        .only("pk", "name", "latitude", "longitude")
    )
    places = list(communes)
    if len(places) < 2:
        return None
    values = measure.func(user, communes)
    places, far = _split_far(places)
    lats = [u.latitude for u in places]
    lons = [u.longitude for u in places]
    middle = math.radians((min(lats) + max(lats)) / 2)
    span_x = max((max(lons) - min(lons)) * math.cos(middle), 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = (WIDTH - 2 * PADDING) / max(span_x, span_y)
    height = span_y * scale + 2 * PADDING
    bounds = _buckets([v[0] for v in values.values() if not v[2]])
    points = []
    for unit in places:
        count, text, hidden = values.get(unit.pk, (0, "0", False))
        if hidden:
            css = "map-hidden"
        elif count <= 0 or not bounds:
            css = "map-none"
        else:
            css = (
                f"map-b{next(i for i, bound in enumerate(bounds) if count <= bound) + BUCKETS - len(bounds)}"
            )
        points.append(
            Point(
                name=unit.name,
                x=round(PADDING + (unit.longitude - min(lons)) * math.cos(middle) * scale, 1),
                y=round(PADDING + (max(lats) - unit.latitude) * scale, 1),
                text=text,
                css=css,
            )
        )
    outside = []
    for unit in far:
        count, text, hidden = values.get(unit.pk, (0, "0", False))
        outside.append({"name": unit.name, "text": text})
    return {
        "outside": outside,
        "measure": measure,
        "choices": choices,
        "points": points,
        "width": WIDTH,
        "height": round(height, 1),
        "legend": [(f"map-b{i + BUCKETS - len(bounds)}", bound) for i, bound in enumerate(bounds)],
        "hidden_any": any(p.css == "map-hidden" for p in points),
    }


def sees_several_communes(user) -> bool:
    """Province-level people (leaders, coordinators) get the province at a glance."""
    return Unit.objects.restrict(user, "view").current().filter(level=UnitLevel.COMMUNE)[:2].count() > 1


def dashboard_section(request) -> dict | None:
    """The home page's map (``core.dashboard`` section), for users who see several communes."""
    data = commune_map(request.user, request.GET.get("map"))
    if data is None:
        return None
    return {"template": "geo/_map.html", "map": data, "order": 90}
