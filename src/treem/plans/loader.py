"""Loading a plan from its data file (YAML or JSON): legal bases, sections, the agencies it names
(with their 2025 successions), the tasks of each group of agencies, and reporting periods.

Everything is matched by a stable key (the plan's ``key``, section and task codes, agencies by
name in the plan's unit, periods by kind, year and number), so loading the same file twice
changes nothing. All or nothing: a refused file leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from treem.accounts import services as accounts_services
from treem.accounts.models import Agency, AgencyKind, AgencySuccession, User
from treem.audit.services import audit_record
from treem.core.scope import scope_require
from treem.core.uploads import check_json, check_yaml
from treem.geo.models import Unit, UnitLevel
from treem.plans import services
from treem.plans.models import COORDINATE, LegalBasis, Plan, Recurrence, ReportingPeriod, Section, Task

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


def _agencies(acting_user: User, unit: Unit, data: list, result: LoadResult) -> dict[str, Agency]:
    by_code: dict[str, Agency] = {}
    for row in data:
        code, name = row.get("code"), (row.get("name") or "").strip()
        if not code or not name:
            raise ValidationError(_("Every agency of the plan file needs a code and a name."))
        kind = row.get("kind", AgencyKind.DEPARTMENT)
        if kind not in AgencyKind.values:
            raise ValidationError(_("Agency %(code)s: unknown kind %(kind)s.") % {"code": code, "kind": kind})
        agency = Agency.objects.filter(unit=unit, name=name).order_by("valid_from", "pk").first()
        if agency is None:
            agency = accounts_services.agency_create(
                acting_user=acting_user,
                name=name,
                kind=kind,
                unit=unit,
                short_name=row.get("short_name", "")[:60],
            )
            result.add("agencies")
        by_code[code] = agency
    for row in data:
        successors = row.get("successors") or []
        if not successors:
            continue
        predecessor = by_code[row["code"]]
        unknown = [c for c in successors if c not in by_code]
        if unknown:
            raise ValidationError(
                _("Agency %(code)s names unknown successors: %(codes)s.")
                % {"code": row["code"], "codes": ", ".join(unknown)}
            )
        if AgencySuccession.objects.filter(predecessor=predecessor).exists():
            continue
        effective = _date(row.get("effective"), row["code"])
        if effective is None:
            raise ValidationError(
                _("Agency %(code)s: give the date its successors take over.") % {"code": row["code"]}
            )
        accounts_services.agency_succeed(
            acting_user=acting_user,
            predecessor=predecessor,
            successors=[by_code[c] for c in successors],
            effective=effective,
            note=row.get("note", "")[:255],
        )
        result.add("successions", len(successors))
    return by_code


def _agency(by_code: dict[str, Agency], code, where: str) -> Agency | None:
    if code in (None, ""):
        return None
    if code not in by_code:
        raise ValidationError(
            _("%(where)s names an agency that is not in the file's list: %(code)s.")
            % {"where": where, "code": code}
        )
    return by_code[code]


def _update_text(obj, values: dict) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def plan_load(*, acting_user: User, data: dict, unit: Unit | None = None) -> LoadResult:
    """Create or complete the plan described by ``data`` (see data/ke-hoach-7947-kh-ubnd.yaml)."""
    result = LoadResult()
    unit = unit or _province(data.get("unit_code", ""))
    scope_require(acting_user, unit, "plans.add_plan")
    scope_require(acting_user, unit, COORDINATE)
    by_code = _agencies(acting_user, unit, data.get("agencies") or [], result)

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
            issuing_agency=_agency(by_code, data.get("issuing_agency"), data["key"]),
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
            task = Task.objects.filter(plan=plan, code=code).first()
            if task is not None:
                if _update_text(task, values):
                    result.add("tasks_updated")
                continue
            lead = _agency(by_code, row.get("lead", group.get("lead")), code)
            cooperating = [
                _agency(by_code, c, code)
                for c in [*(group.get("cooperating") or []), *(row.get("cooperating") or [])]
            ]
            try:
                services.task_create(
                    acting_user=acting_user,
                    plan=plan,
                    section=sections.get(group["code"]),
                    code=code,
                    lead_agency=lead,
                    cooperating_agencies=[a for a in dict.fromkeys(cooperating) if a != lead],
                    starts_on=_date(row.get("starts_on", data.get("tasks_start")), code),
                    deadline=_date(row.get("deadline"), code),
                    **values,
                )
            except ValidationError as exc:
                raise ValidationError(
                    [_("Task %(code)s: %(message)s") % {"code": code, "message": m} for m in exc.messages]
                ) from exc
            result.add("tasks")

    for row in data.get("agencies") or []:
        target = row.get("tasks_to") or (
            row["successors"][0] if len(row.get("successors") or []) == 1 else None
        )
        if target:
            moved = services.tasks_pass_to_successor(
                acting_user=acting_user,
                predecessor=by_code[row["code"]],
                successor=_agency(by_code, target, row["code"]),
            )
            if moved:
                result.add("tasks_passed", moved)

    for year in (data.get("periods") or {}).get("years", []):
        for values in services.standard_periods(int(year)):
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
