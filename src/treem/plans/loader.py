"""Loading a plan from its data file (YAML or JSON): legal bases, sections, the agencies it names
bound to the register's agencies of today (binding.py, through the 2025 successions and the
alias table), the tasks of each group of agencies with the solution areas they serve, commune
shares, and reporting periods.

Everything is matched by a stable key (the plan's ``key``, section and task codes, the plan's
agency codes, periods by kind, year and number), so loading the same file twice changes nothing.
All or nothing: a refused file leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts import services as accounts_services
from treem.accounts.models import Agency, AgencyKind, AgencySuccession, User
from treem.audit.services import audit_record
from treem.core.scope import scope_require
from treem.core.uploads import check_json, check_yaml
from treem.geo.models import Unit, UnitLevel
from treem.plans import binding, services
from treem.plans.models import (
    COORDINATE,
    OPEN_TASK_STATUSES,
    Binding,
    LegalBasis,
    Plan,
    PlanAgency,
    Recurrence,
    ReportingPeriod,
    Section,
    Task,
)

BUNDLED_PLAN = Path(__file__).parent / "data" / "ke-hoach-7947-kh-ubnd.yaml"
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class LoadResult:
    plan: Plan | None = None
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def read_plan_file(content: bytes, name: str = "") -> dict:
    """The plan data of a YAML or JSON file; a clear message for anything else."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(_("The plan file is too large (at most 2 MB)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The plan file must be UTF-8 text (YAML or JSON).")) from exc
    is_json = name.lower().endswith(".json")
    # Nesting and YAML aliases measured before the parser builds anything.
    if is_json:
        check_json(text, name=name)
    else:
        check_yaml(text, name=name)
    try:
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            _("The plan file could not be read: %(error)s") % {"error": str(exc)[:200]}
        ) from exc
    if not isinstance(data, dict) or not data.get("key") or not data.get("title"):
        raise ValidationError(_("The plan file must give at least the plan's key and title."))
    return data


def _date(value, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(
            _("%(where)s: %(value)s is not a date (YYYY-MM-DD).") % {"where": where, "value": value}
        ) from exc


def _province(code: str) -> Unit:
    unit = Unit.objects.current().filter(level=UnitLevel.PROVINCE, code=str(code)).first()
    if unit is None:
        raise ValidationError(_("No province with code %(code)s exists today.") % {"code": code})
    return unit


@dataclass(eq=False)
class Named:
    """An agency the plan file names, and what the loader bound it to."""

    row: dict
    named: PlanAgency
    agency: Agency | None  # the agency tasks are first given to (may have ended since)

    @property
    def communes(self) -> bool:
        return self.named.binding == Binding.COMMUNES


def _bind(
    acting_user: User, plan: Plan, matcher: binding.Matcher, row: dict, result: LoadResult
) -> tuple[Agency | None, str]:
    """The agency a row of the file means, and how it was found (see binding.py)."""
    names = (row["name"], row.get("short_name") or "")
    kind = row.get("kind", "")
    if row.get("communes"):
        return None, Binding.COMMUNES
    today = timezone.localdate()
    for day in dict.fromkeys(d for d in (plan.issued_on, today) if d):
        found, by_alias = matcher.find(names, day, kind)
        if len(found) == 1:
            return found[0], Binding.ALIAS if by_alias else Binding.NAME
        if len(found) > 1:
            return None, Binding.WAITING  # several candidates: the coordinator chooses
    if row.get("successors"):
        # An agency that ended before the register knew it: recorded with its end, for history.
        effective = _date(row.get("effective"), row["code"])
        if effective is None:
            raise ValidationError(
                _("Agency %(code)s: give the date its successors take over.") % {"code": row["code"]}
            )
        agency = accounts_services.agency_create(
            acting_user=acting_user,
            name=row["name"],
            kind=kind or AgencyKind.OTHER,
            unit=plan.unit,
            short_name=(row.get("short_name") or "")[:60],
            valid_to=effective - dt.timedelta(days=1),
        )
        result.add("agencies_ended")
        matcher.agencies.append(agency)
        return agency, Binding.HISTORY
    return None, Binding.WAITING


def _check_agency_rows(data: list) -> None:
    codes = set()
    for row in data:
        code, name = row.get("code"), (row.get("name") or "").strip()
        if not code or not name:
            raise ValidationError(_("Every agency of the plan file needs a code and a name."))
        kind = row.get("kind", AgencyKind.DEPARTMENT)
        if kind not in AgencyKind.values:
            raise ValidationError(_("Agency %(code)s: unknown kind %(kind)s.") % {"code": code, "kind": kind})
        codes.add(code)
    for row in data:
        unknown = [c for c in row.get("successors") or [] if c not in codes]
        if unknown:
            raise ValidationError(
                _("Agency %(code)s names unknown successors: %(codes)s.")
                % {"code": row["code"], "codes": ", ".join(unknown)}
            )


def _agencies(acting_user: User, plan: Plan, data: list, result: LoadResult) -> dict[str, Named]:
    """Bind every agency the file names (a name bound once, by the loader or the coordinator,
    keeps its agency); record the successions the file declares between bound agencies."""
    _check_agency_rows(data)
    matcher = binding.Matcher(plan.unit)
    by_code: dict[str, Named] = {}
    for row in data:
        row = {**row, "name": row["name"].strip()}
        named = PlanAgency.objects.filter(plan=plan, code=row["code"]).first()
        if named is not None and not named.waiting:
            by_code[row["code"]] = Named(row, named, named.agency)
            continue
        agency, how = _bind(acting_user, plan, matcher, row, result)
        if named is None:
            named = PlanAgency(plan=plan, code=row["code"], name=row["name"], kind=row.get("kind", ""))
            result.add("named_agencies")
        elif how != Binding.WAITING:
            result.add("named_agencies_bound")
        if how != Binding.WAITING or named.pk is None:
            named.agency, named.binding = agency, how
            named.full_clean()
            named.save()
            audit_record(
                acting_user,
                "plans.plan_agency.bound",
                named,
                changes={"agency": [None, agency.pk if agency else None], "binding": [None, how]},
            )
        by_code[row["code"]] = Named(row, named, agency)
    for named in by_code.values():
        heir = _heir(by_code, named)
        if heir is not None and named.named.successor_id != heir.named.pk:
            named.named.successor = heir.named
            named.named.save(update_fields=["successor"])
    for row in data:
        predecessor = by_code[row["code"]].agency
        successors = [by_code[c].agency for c in row.get("successors") or []]
        successors = [a for a in successors if a is not None and a != predecessor]
        if predecessor is None or not successors:
            continue
        recorded = set(
            AgencySuccession.objects.filter(predecessor=predecessor).values_list("successor", flat=True)
        )
        if recorded:
            continue  # the register already says who carries the agency's work on
        effective = _date(row.get("effective"), row["code"])
        if effective is None:
            raise ValidationError(
                _("Agency %(code)s: give the date its successors take over.") % {"code": row["code"]}
            )
        accounts_services.agency_succeed(
            acting_user=acting_user,
            predecessor=predecessor,
            successors=successors,
            effective=effective,
            note=row.get("note", "")[:255],
        )
        result.add("successions", len(successors))
    return by_code


def _agency(by_code: dict[str, Named], code, where: str) -> Named | None:
    if code in (None, ""):
        return None
    if code not in by_code:
        raise ValidationError(
            _("%(where)s names an agency that is not in the file's list: %(code)s.")
            % {"where": where, "code": code}
        )
    return by_code[code]


def _in_force(agency: Agency) -> bool:
    today = timezone.localdate()
    return (agency.valid_from is None or agency.valid_from <= today) and (
        agency.valid_to is None or agency.valid_to >= today
    )


def _update_text(obj, values: dict) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed)
    return bool(changed)


def _areas(codes, sections: dict[str, Section], where: str) -> list[Section]:
    unknown = [c for c in codes if c not in sections]
    if unknown:
        raise ValidationError(
            _("%(where)s names solution areas that are not sections of the plan: %(codes)s.")
            % {"where": where, "codes": ", ".join(unknown)}
        )
    return [sections[c] for c in codes]


def _heir(by_code: dict[str, Named], named: Named) -> Named | None:
    """Who the file says takes an ended agency's tasks: ``tasks_to``, or its one successor."""
    successors = named.row.get("successors") or []
    target = named.row.get("tasks_to") or (successors[0] if len(successors) == 1 else None)
    return _agency(by_code, target, named.row["code"]) if target else None


def _today(by_code: dict[str, Named], named: Named | None) -> tuple[Named | None, list[Named]]:
    """Who carries a named agency's tasks today: itself, or — when it has ended — the agency the
    file names after it (followed along), with the ended agencies passed on the way."""
    passed: list[Named] = []
    while named is not None and named.agency is not None and not _in_force(named.agency):
        heir = _heir(by_code, named)
        if heir is None or heir in passed or heir is named:
            break
        passed.append(named)
        named = heir
    return named, passed


@transaction.atomic
def plan_load(*, acting_user: User, data: dict, unit: Unit | None = None) -> LoadResult:
    """Create or complete the plan described by ``data`` (see data/ke-hoach-7947-kh-ubnd.yaml).

    Every agency the file names is bound to the register (binding.py): the agency in force on the
    plan's date, followed to today's through the successions, or a known alias; an agency that
    ended before the register knew it is recorded with its end; a name found nowhere waits for the
    coordinator with its tasks. No agency in force is ever created twice. Tasks given to every
    commune's People's Committee are shared out to the communes in force in the plan's unit.
    """
    result = LoadResult()
    unit = unit or _province(data.get("unit_code", ""))
    scope_require(acting_user, unit, "plans.add_plan")
    scope_require(acting_user, unit, COORDINATE)

    parent = None
    if data.get("parent"):
        parent = Plan.objects.restrict(acting_user).filter(key=data["parent"]).first()
        if parent is None:
            raise ValidationError(
                _("The plan carried out (%(key)s) is not loaded, or you cannot see it.")
                % {"key": data["parent"]}
            )
    plan = Plan.objects.filter(key=data["key"]).first()
    if plan is None:
        plan = services.plan_create(
            parent=parent,
            acting_user=acting_user,
            key=data["key"],
            title=data["title"],
            unit=unit,
            number=data.get("number", ""),
            issued_on=_date(data.get("issued_on"), data["key"]),
            summary=data.get("summary", ""),
        )
        result.add("plans")
    elif (
        plan.unit_id != unit.pk
        or not Plan.objects.restrict(acting_user, "change").filter(pk=plan.pk).exists()
    ):
        raise ValidationError(_("A plan with this key exists in another unit."))
    result.plan = plan
    by_code = _agencies(acting_user, plan, data.get("agencies") or [], result)
    issuer = _agency(by_code, data.get("issuing_agency"), data["key"])
    if issuer is not None and issuer.agency is not None and plan.issuing_agency_id is None:
        _update_text(plan, {"issuing_agency": issuer.agency})

    for position, row in enumerate(data.get("legal_bases") or [], start=1):
        basis = LegalBasis.objects.filter(plan=plan, number=row["number"]).first()
        values = {
            "position": position,
            "kind": row.get("kind", ""),
            "issued_on": _date(row.get("issued_on"), row["number"]),
            "issuer": row.get("issuer", ""),
            "title": row.get("title", ""),
        }
        if basis is None:
            basis = LegalBasis(plan=plan, number=row["number"], **values)
            basis.full_clean()
            basis.save()
            result.add("legal_bases")
        elif _update_text(basis, values):
            result.add("legal_bases_updated")

    sections: dict[str, Section] = {}
    rows = [*(data.get("sections") or []), *(data.get("groups") or [])]
    for position, row in enumerate(rows, start=1):
        values = {"position": position, "title": row["title"], "text": (row.get("text") or "").strip()}
        section = Section.objects.filter(plan=plan, code=row["code"]).first()
        if section is None:
            section = Section(plan=plan, code=row["code"], **values)
            section.full_clean()
            section.save()
            result.add("sections")
        elif _update_text(section, values):
            result.add("sections_updated")
        sections[row["code"]] = section

    position = 0
    for group in data.get("groups") or []:
        for row in group.get("tasks") or []:
            position += 1
            code = row.get("code")
            if not code:
                raise ValidationError(_("Every task of the plan file needs a code."))
            recurrence = row.get("recurrence", group.get("recurrence", Recurrence.ANNUAL))
            if recurrence not in Recurrence.values:
                raise ValidationError(
                    _("Task %(code)s: unknown recurrence %(value)s.") % {"code": code, "value": recurrence}
                )
            values = {
                "content": (row.get("content") or "").strip(),
                "recurrence": recurrence,
                "expected_output": (row.get("expected_output") or "").strip(),
                "position": position,
            }
            areas = _areas(row.get("areas", group.get("areas")) or [], sections, code)
            task = Task.objects.filter(plan=plan, code=code, parent__isnull=True).first()
            if task is not None:
                if _update_text(task, values):
                    result.add("tasks_updated")
                if {a.pk for a in areas} != set(task.areas.values_list("pk", flat=True)):
                    services.task_set_areas(acting_user=acting_user, task=task, areas=areas)
                    result.add("tasks_updated")
                continue
            lead = _agency(by_code, row.get("lead", group.get("lead")), code)
            cooperating = [
                _agency(by_code, c, code)
                for c in [*(group.get("cooperating") or []), *(row.get("cooperating") or [])]
            ]
            cooperating = [c for c in dict.fromkeys(cooperating) if c is not lead]
            # An agency that has ended hands the task straight to the one the file names after it.
            lead_now, passed_from = _today(by_code, lead)
            lead_agency = lead_now.agency if lead_now and not lead_now.communes else None
            cooperating_agencies = []
            for c in cooperating:
                c_now, _ended = _today(by_code, c)
                if c_now is not None and c_now.agency is not None and not c_now.communes:
                    cooperating_agencies.append(c_now.agency)
            try:
                task = services.task_create(
                    acting_user=acting_user,
                    plan=plan,
                    section=sections.get(group["code"]),
                    code=code,
                    lead_agency=lead_agency,
                    lead_named=lead_now.named if lead_now else None,
                    cooperating_agencies=[a for a in dict.fromkeys(cooperating_agencies) if a != lead_agency],
                    cooperating_named=[c.named for c in cooperating],
                    areas=areas,
                    starts_on=_date(row.get("starts_on", data.get("tasks_start")), code),
                    deadline=_date(row.get("deadline"), code),
                    **values,
                )
            except ValidationError as exc:
                raise ValidationError(
                    [_("Task %(code)s: %(message)s") % {"code": code, "message": m} for m in exc.messages]
                ) from exc
            for ended in passed_from:
                services.task_record_passed(
                    acting_user=acting_user,
                    task=task,
                    predecessor=ended.agency,
                    successor=lead_agency,
                    note=ended.row.get("note") or "",
                )
            result.add("tasks")

    # Tasks of agencies that ended pass to the agency the file names as taking them (or to every
    # commune); tasks waiting on a name the register has since gained go to its agency.
    for named in by_code.values():
        heir = _heir(by_code, named)
        if named.agency is None or heir is None or not heir.communes:
            continue
        if named.agency.valid_to is not None and named.agency.valid_to < timezone.localdate():
            for task in Task.objects.filter(
                plan=plan, lead_agency=named.agency, status__in=OPEN_TASK_STATUSES
            ):
                services.task_pass_to_communes(acting_user=acting_user, task=task, named=heir.named)
                result.add("tasks_passed")
    for named in by_code.values():
        if named.agency is not None and not named.communes and _in_force(named.agency):
            assigned = services.tasks_assign_named(acting_user=acting_user, named=named.named)
            if assigned:
                result.add("tasks_passed", assigned)

    # Tasks of every commune: one share per commune in force in the plan's unit.
    for task in Task.objects.filter(plan=plan, parent__isnull=True, lead_named__binding=Binding.COMMUNES):
        shared = services.task_share_to_communes(acting_user=acting_user, task=task)
        if shared:
            result.add("commune_shares", shared)

    calendar = (data.get("periods") or {}).get("calendar")
    for year in (data.get("periods") or {}).get("years", []):
        for values in services.standard_periods(int(year), calendar=calendar):
            exists = ReportingPeriod.objects.filter(
                plan=plan, kind=values["kind"], year=values["year"], number=values["number"]
            ).exists()
            if not exists:
                services.period_create(acting_user=acting_user, plan=plan, **values)
                result.add("periods")

    if result.changed:
        audit_record(acting_user, "plans.plan.loaded", plan, changes={"created": result.created})
    return result


def plan_load_file(*, acting_user: User, path: Path | str, unit: Unit | None = None) -> LoadResult:
    """Read and load a plan file (YAML, or JSON by its extension)."""
    path = Path(path)
    return plan_load(acting_user=acting_user, data=read_plan_file(path.read_bytes(), path.name), unit=unit)
