"""Loading the demo data set; safe to run again (it only adds what is missing)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from treem.accounts.models import Agency, AgencySuccession, UnitAssignment, User
from treem.accounts.roles import role_label
from treem.accounts.two_factor import demo_device, two_factor_required
from treem.audit.services import audit_record
from treem.core.demo import data
from treem.geo.models import Unit, UnitLevel
from treem.geo.reorganisation import reorganise
from treem.geo.services import unit_save_with_path

DEMO_PASSWORD = os.environ.get("TREEM_DEMO_PASSWORD", "treem-demo-2026")
# How much of the year of activity to load: 1 is the full demo; the tests load a small one.
DEMO_SCALE = float(os.environ.get("TREEM_DEMO_SCALE", "1"))


@dataclass
class DemoReport:
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    # user name → authenticator key, for the users whose roles require two-factor authentication
    two_factor: dict[str, str] = field(default_factory=dict)
    # what the year of activity added, by kind of record (nothing on a second run)
    activity: dict[str, int] = field(default_factory=dict)


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


DEMO_CHILDREN = 240


def _children() -> int:
    """Synthetic children of the two demo communes, registered by their officers (audited)."""
    import datetime as dt

    from treem.children import services as child_services
    from treem.children.models import Child, CircumstanceGroup, Ethnicity
    from treem.children.synthetic import generate

    if Child.objects.exists():
        return 0
    from treem.children import reference

    reference.ensure_loaded(Ethnicity, CircumstanceGroup)
    communes = {}
    for code, officer in ((data.COMMUNE_BAN_THACH, "canbo.banthach"), (data.COMMUNE_HAI_VAN, "canbo.haivan")):
        commune = _unit(UnitLevel.COMMUNE, code, current=True)
        villages = {v.name: v for v in Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE)}
        communes[code] = (commune, villages, User.objects.get(username=officer))
    ethnicities = {e.code: e for e in Ethnicity.objects.all()}
    groups = list(CircumstanceGroup.objects.filter(is_special_circumstance=True))
    made = 0
    for index, item in enumerate(
        generate(
            DEMO_CHILDREN,
            communes=[(code, list(villages)) for code, (_c, villages, _u) in communes.items()],
            duplicate_share=0.03,
        )
    ):
        commune, villages, officer = communes[item.commune_code]
        try:
            child = child_services.child_register(
                acting_user=officer,
                commune=commune,
                full_name=item.full_name,
                sex=item.sex,
                birth_date=item.birth_date,
                birth_year=item.birth_year,
                personal_id=item.personal_id,
                ethnicity=ethnicities.get(item.ethnicity_code),
                village=villages.get(item.village_name),
                birth_registered=bool(item.personal_id) or index % 7 != 0,
                source="demo",
                source_key=item.source_key,
            )
        except Exception:  # noqa: S112 - a generated record the rules refuse is simply left out
            continue
        made += 1
        if index % 9 == 0:
            child_services.circumstance_enter(
                acting_user=officer,
                child=child,
                group=groups[index % len(groups)],
                entered_on=dt.date(2025, 1 + index % 12, 1),
                reason="Dữ liệu minh họa",
            )
    return made


def seed_demo(*, stdout=None, verbosity: int = 1, scale: float | None = None) -> DemoReport:
    """Load units, agencies, villages and people; carry old villages over to the new units; then
    a year of activity (``activity.py``; ``scale`` below 1 makes it smaller, for the tests)."""
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
        two_factor = {
            user.username: demo_device(user)
            for user in User.objects.filter(username__in=[login[0] for login in logins]).order_by("username")
            if two_factor_required(user)
        }
        _children()
    from treem.core.demo.activity import seed_activity

    activity = seed_activity(
        scale=DEMO_SCALE if scale is None else scale, stdout=stdout if verbosity else None
    )
    return DemoReport(logins=logins, two_factor=two_factor, activity=activity)
