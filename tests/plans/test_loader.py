"""Loading the province plan from its data file: content, successions, idempotence, bad files."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from treem.accounts.models import Agency, AgencySuccession
from treem.audit.models import AuditEvent
from treem.plans import loader
from treem.plans.models import (
    Binding,
    LegalBasis,
    Plan,
    PlanAgency,
    ReportingPeriod,
    Section,
    Task,
    TaskHistory,
)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Plan,
            PlanAgency,
            LegalBasis,
            Section,
            Task,
            TaskHistory,
            ReportingPeriod,
            Agency,
            AgencySuccession,
            AuditEvent,
        )
    }


def test_the_bundled_plan_has_sections_ii_and_the_tasks_of_the_14_groups(loaded):
    codes = list(loaded.sections.values_list("code", flat=True))
    assert codes[:8] == [f"II.{n}" for n in range(1, 9)]
    assert codes[8:] == [f"IV.{n}" for n in range(1, 15)]
    assert loaded.number == "7947/KH-UBND"
    assert list(loaded.legal_bases.values_list("number", flat=True)) == [
        "28-CT/TW",
        "1183/QĐ-TTg",
        "41-CT/TU",
    ]
    tasks = Task.objects.filter(plan=loaded, parent__isnull=True)
    assert tasks.count() == 31
    assert set(tasks.values_list("section__code", flat=True)) == {f"IV.{n}" for n in range(1, 15)}
    justice = tasks.get(code="IV.5")
    assert justice.lead_named.name == "Sở Tư pháp"
    assert "đăng ký khai sinh" in justice.content
    # The test register has no police, front or justice department: those names wait for the
    # coordinator, with their tasks, instead of becoming new agencies beside the real ones.
    police = tasks.get(code="IV.10")
    assert police.lead_named.name == "Công an tỉnh" and police.recurrence == "quarterly"
    assert police.lead_agency is None and police.lead_named.binding == Binding.WAITING
    front = tasks.get(code="IV.13.b")
    assert front.lead_named.name == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"
    assert "Hội Liên hiệp Phụ nữ tỉnh" in {a.name for a in front.cooperating_named.all()}
    assert not Agency.objects.filter(name__in=["Công an tỉnh", "Sở Tư pháp"]).exists()


def test_tasks_of_agencies_merged_in_2025_pass_to_their_successor_with_history(loaded, geo):
    # The labour department ended before the register knew it: recorded, ended, for its history;
    # its successor in the register (Sở Y tế) is recorded, the other (Sở Nội vụ) waits.
    labour = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội")
    assert labour.valid_to.isoformat() == "2025-02-28"
    assert {a.name for a in labour.successors.all()} == {"Sở Y tế"}
    assert PlanAgency.objects.get(plan=loaded, code="SNV").binding == Binding.WAITING
    lead = Task.objects.get(plan=loaded, code="IV.1.a")
    assert lead.lead_agency == geo.department  # Sở Y tế of the province: matched by name, not duplicated
    entry = lead.history.get(kind="succession")
    assert entry.from_agency == labour and entry.to_agency == geo.department
    # A cooperation passes too: Sở Tư pháp cooperated with the labour department.
    assert geo.department in Task.objects.get(plan=loaded, code="IV.5").cooperating_agencies.all()
    assert not Task.objects.filter(plan=loaded, lead_agency=labour).exists()
    # The district People's Committees' tasks pass to every commune: one share per commune.
    district = Task.objects.get(plan=loaded, code="IV.14.a")
    assert district.lead_agency is None and district.lead_named.binding == Binding.COMMUNES
    ended = district.history.get(kind="succession")
    assert ended.from_agency.name == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert {(t.unit, t.lead_agency) for t in district.shares.all()} == {
        (geo.commune_a, geo.agency_a),
        (geo.commune_b, geo.agency_b),
    }
    assert AuditEvent.objects.filter(action="plans.task.passed_to_successor").count() >= 6


def test_loading_twice_changes_nothing(coordinator, loaded):
    before = counts()
    result = loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN)
    assert result.plan == loaded
    assert not result.changed
    assert counts() == before


def test_command_loads_and_reloads(coordinator, geo, capsys):
    call_command("load_plan", "--user", coordinator.username)
    first = counts()
    # 31 tasks and, for the three of every commune, a share for each of the two communes; a year,
    # two halves and four quarters for each year from 2025 to 2030.
    assert first["Task"] == 31 + 3 * 2 and first["ReportingPeriod"] == 7 * 6
    call_command("load_plan", "--user", coordinator.username)
    assert counts() == first
    out = capsys.readouterr().out
    assert "Công an tỉnh" in out and "nothing changed" in out


def _data():
    return loader.read_plan_file(loader.BUNDLED_PLAN.read_bytes(), loader.BUNDLED_PLAN.name)


def test_a_task_without_lead_agency_refuses_the_whole_file(coordinator, geo):
    data = _data()
    data["groups"][-1]["tasks"][-1]["lead"] = None
    data["groups"][-1].pop("lead")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        loader.plan_load(acting_user=coordinator, data=data)
    assert "Task IV.14.a: A task needs a lead agency (chủ trì): choose one." in exc.value.messages
    assert counts() == before


def test_an_unknown_agency_code_is_named(coordinator, geo):
    data = _data()
    data["groups"][1]["tasks"][0]["cooperating"] = ["SO_KHONG_CO"]
    before = counts()
    with pytest.raises(ValidationError) as exc:
        loader.plan_load(acting_user=coordinator, data=data)
    assert "IV.2.a names an agency that is not in the file's list: SO_KHONG_CO." in exc.value.messages
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"key: [unclosed", "x.yaml", "The plan file could not be read"),
        (b"- a list", "x.yaml", "The plan file must give at least the plan's key and title."),
        (b"\xff\xfe", "x.yaml", "The plan file must be UTF-8 text"),
        (b'{"key": "K"', "x.json", "The plan file could not be read"),
    ],
)
def test_unreadable_files(content, name, message):
    with pytest.raises(ValidationError) as exc:
        loader.read_plan_file(content, name)
    assert message in exc.value.messages[0]


def test_only_a_coordinator_of_the_province_loads(officer_a, reporter, geo):
    from treem.core.scope import ScopeError

    for user in (officer_a, reporter):
        with pytest.raises(ScopeError):
            loader.plan_load_file(acting_user=user, path=loader.BUNDLED_PLAN)
    assert not Plan.objects.exists() and not Agency.objects.filter(name="Công an tỉnh").exists()


def test_a_sub_plan_names_the_plan_it_carries_out(coordinator, loaded, geo):
    data = {
        "key": "KH-SYT/2025",
        "number": "15/KH-SYT",
        "title": "Kế hoạch của Sở Y tế thực hiện Kế hoạch 7947/KH-UBND",
        "unit_code": "48",
        "parent": loaded.key,
        "agencies": [{"code": "SYT", "name": "Sở Y tế"}],
        "groups": [
            {
                "code": "1",
                "title": "Nhiệm vụ",
                "lead": "SYT",
                "tasks": [{"code": "1.a", "content": "Tiêm chủng"}],
            }
        ],
    }
    sub = loader.plan_load(acting_user=coordinator, data=data).plan
    assert sub.parent == loaded and list(loaded.sub_plans.all()) == [sub]
    before = counts()
    with pytest.raises(ValidationError) as exc:
        loader.plan_load(acting_user=coordinator, data={**data, "key": "KH-KHAC", "parent": "KHONG-CO"})
    assert exc.value.messages == ["The plan carried out (KHONG-CO) is not loaded, or you cannot see it."]
    assert counts() == before
