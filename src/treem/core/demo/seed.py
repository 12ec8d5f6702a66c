"""Loading the demo data set; safe to run again (it only adds what is missing)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from treem.accounts.models import Agency, AgencySuccession, UnitAssignment, User
from treem.accounts.roles import role_label
from treem.audit.services import audit_record
from treem.core.demo import data
from treem.geo.models import Unit, UnitLevel
from treem.geo.reorganisation import reorganise
from treem.geo.services import unit_save_with_path

DEMO_PASSWORD = os.environ.get("TREEM_DEMO_PASSWORD", "treem-demo-2026")


@dataclass
class DemoReport:
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)


def _unit(level: str, code: str, *, current: bool) -> Unit:
    qs = Unit.objects.filter(level=level, code=code)
    qs = qs.filter(valid_from__gte=data.REORG) if current else qs.filter(valid_to=data.BEFORE)
    return qs.get()


def _villages(commune: Unit, names: list[str]) -> None:
    for name in names:
        # Demo village names are unique; a village already carried to its new commune counts.
        if not Unit.objects.filter(level=UnitLevel.VILLAGE, name=name).exists():
            kind = (
                "Tổ dân phố" if name.startswith("Tổ") else "Khối phố" if name.startswith("Khối") else "Thôn"
            )
            unit_save_with_path(Unit(level=UnitLevel.VILLAGE, name=name, kind=kind, parent=commune, path="/"))


def _agencies(province: Unit, old_province: Unit) -> dict[str, Agency]:
    by_name = {}
    for name, short, kind in data.PROVINCIAL_AGENCIES:
        by_name[name], _ = Agency.objects.get_or_create(
            unit=province, name=name, valid_from=data.REORG, defaults={"short_name": short, "kind": kind}
        )
    for name, short, kind, successors, note in data.FORMER_AGENCIES:
        old, _ = Agency.objects.get_or_create(
            unit=old_province,
            name=name,
            valid_from=None,
            defaults={"short_name": short, "kind": kind, "valid_to": data.BEFORE},
        )
        for successor in successors:
            AgencySuccession.objects.get_or_create(
                predecessor=old,
                successor=by_name[successor],
                defaults={"effective": data.REORG, "note": note},
            )
    for code in (data.COMMUNE_BAN_THACH, data.COMMUNE_HAI_VAN):
        commune = _unit(UnitLevel.COMMUNE, code, current=True)
        Agency.objects.get_or_create(
            unit=commune,
            name=f"Ủy ban nhân dân {commune.name}",
            valid_from=data.REORG,
            defaults={"short_name": f"UBND {commune.name}", "kind": "commune_pc"},
        )
    return {a.short_name: a for a in Agency.objects.all()}


def _people(agencies: dict[str, Agency]) -> list[tuple[str, str, str, str]]:
    logins = []
    for username, full_name, role, unit_code, agency_short in data.PEOPLE:
        user = User.objects.filter(username=username).first()
        if unit_code is None:
            unit = None
        elif len(unit_code) == 2:
            unit = _unit(UnitLevel.PROVINCE, unit_code, current=True)
        else:
            unit = _unit(UnitLevel.COMMUNE, unit_code, current=True)
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                email=f"{username}@demo.treem.invalid",
                sees_all_units=unit is None,
                is_staff=role == "system_admin",
                is_superuser=role == "system_admin",
                agency=agencies.get(agency_short),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            if unit is not None:
                UnitAssignment.objects.create(user=user, unit=unit)
            audit_record(None, "accounts.user.created", user, unit=unit, changes={"demo": [None, True]})
        logins.append((username, full_name, str(role_label(role)), unit.name if unit else "—"))
    return logins


def seed_demo(*, stdout=None, verbosity: int = 1) -> DemoReport:
    """Load units, agencies, villages and people; carry old villages over to the new units."""
    if not Unit.objects.filter(
        level=UnitLevel.PROVINCE, code=data.NEW_PROVINCE, valid_from=data.REORG
    ).exists():
        call_command(
            "import_units",
            province=[data.NEW_PROVINCE, data.OLD_QUANG_NAM],
            no_progress=verbosity < 2,
            verbosity=verbosity,
            stdout=stdout,
        )
    with transaction.atomic():
        province = _unit(UnitLevel.PROVINCE, data.NEW_PROVINCE, current=True)
        old_province = _unit(UnitLevel.PROVINCE, data.OLD_QUANG_NAM, current=False)
        agencies = _agencies(province, old_province)
        for (level, code), names in data.VILLAGES_BEFORE.items():
            old = Unit.objects.filter(level=level, code=code, valid_to=data.BEFORE).first()
            if old is not None:
                _villages(old, names)
        for code, names in data.VILLAGES_AFTER.items():
            _villages(_unit(UnitLevel.COMMUNE, code, current=True), names)
        reorganise(effective=data.REORG)
        logins = _people(agencies)
    return DemoReport(logins=logins)
