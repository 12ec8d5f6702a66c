"""Binding the agencies a plan names to the register's agencies (reads only; the loader writes).

A plan written in 2024 names "Sở Y tế" or "Công an tỉnh"; the register holds "Sở Y tế thành phố
Đà Nẵng" and "Công an thành phố Đà Nẵng" since the 2025 reorganisation. A name is compared by its
core: without diacritics, punctuation, the name of the plan's province (or of the provinces it was
made from) and a trailing "tỉnh" / "thành phố". Names that changed otherwise are listed as data in
``data/agency-aliases.yaml`` (alias → registered name). Only agencies of the plan's unit and of the
units it succeeded are candidates; a name with several candidates is not guessed: it waits for
the coordinator.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import yaml

from treem.accounts.models import Agency
from treem.core.text import fold
from treem.geo.models import Unit, UnitSuccession

ALIASES_FILE = Path(__file__).parent / "data" / "agency-aliases.yaml"
_TRAILING = ("thanh pho", "tinh", "tp")


@cache
def known_aliases() -> tuple[tuple[str, str], ...]:
    """(alias, registered name) pairs of the bundled alias table."""
    data = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8")) or {}
    return tuple((row["alias"], row["name"]) for row in data.get("aliases") or [])


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def place_names(units: list[Unit]) -> list[str]:
    """The folded names of ``units``, with and without their kind ("thanh pho da nang", "da nang")."""
    names: set[str] = set()
    for unit in units:
        name = _plain(unit.name)
        names.add(name)
        for word in (_plain(unit.kind or ""), *_TRAILING):
            if word and name.startswith(word + " "):
                names.add(name[len(word) + 1 :])
    return sorted((n for n in names if n), key=len, reverse=True)


def core_name(name: str, places: list[str]) -> str:
    """The part of an agency's name that does not depend on the province it belongs to."""
    text = _plain(name)
    for place in places:
        if text.endswith(" " + place):
            text = text[: -len(place) - 1]
            break
    for word in _TRAILING:
        if text.endswith(" " + word):
            text = text[: -len(word) - 1]
            break
    return text


def plan_units(unit: Unit) -> list[Unit]:
    """The plan's unit and the units it succeeded (Quảng Nam for today's Đà Nẵng), oldest last."""
    units, seen, frontier = [unit], {unit.pk}, [unit.pk]
    while frontier:
        before = list(
            Unit.objects.filter(
                pk__in=UnitSuccession.objects.filter(successor__in=frontier).values("predecessor")
            ).exclude(pk__in=seen)
        )
        frontier = [u.pk for u in before]
        seen.update(frontier)
        units.extend(before)
    return units


class Matcher:
    """Finds the agencies of a plan's units that a name means, on a day."""

    def __init__(self, unit: Unit):
        self.units = plan_units(unit)
        self.places = place_names(self.units)
        self.agencies = list(Agency.objects.filter(unit__in=self.units).order_by("pk"))
        self.aliases: dict[str, set[str]] = {}
        for alias, name in known_aliases():
            self.aliases.setdefault(self.core(alias), set()).add(self.core(name))

    def core(self, name: str) -> str:
        return core_name(name, self.places)

    def cores(self, *names: str) -> tuple[set[str], bool]:
        """The cores ``names`` stand for, and whether an alias was needed."""
        own = {self.core(n) for n in names if n}
        via_alias = set().union(*(self.aliases.get(c, set()) for c in own)) - own
        return own | via_alias, bool(via_alias)

    def find(self, names: tuple[str, ...], day: dt.date, kind: str = "") -> tuple[list[Agency], bool]:
        """Agencies in force on ``day`` whose name or short name has one of the names' cores."""
        cores, by_alias = self.cores(*names)
        found = []
        for agency in self.agencies:
            if not _in_force(agency, day) or (kind and agency.kind != kind and kind != "other"):
                continue
            if {self.core(agency.name), self.core(agency.short_name or "")} & cores:
                found.append(agency)
        if not found and kind:
            return self.find(names, day)
        return found, by_alias


def _in_force(agency: Agency, day: dt.date) -> bool:
    return (agency.valid_from is None or agency.valid_from <= day) and (
        agency.valid_to is None or agency.valid_to >= day
    )
