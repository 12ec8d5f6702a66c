"""The plan bound to today's agencies: names matched through successions and aliases, never a
duplicate of an agency in force, names found nowhere waiting for the coordinator (a page, audited)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import AgencyFactory
from treem.accounts.models import Agency
from treem.audit.models import AuditEvent
from treem.plans import binding, loader, services
from treem.plans.models import Binding, PlanAgency, Task, TaskHistory


def load(user):
    return loader.plan_load_file(acting_user=user, path=loader.BUNDLED_PLAN)


def state():
    return {
        "agencies": sorted(Agency.objects.values_list("pk", "name", "valid_to")),
        "named": sorted(PlanAgency.objects.values_list("code", "agency", "binding")),
        "tasks": sorted(Task.objects.values_list("code", "lead_agency", "status")),
        "history": TaskHistory.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def test_core_names_ignore_the_province_diacritics_and_punctuation(geo, demo_register):
    matcher = binding.Matcher(geo.province)
    assert matcher.core("Sở Y tế") == matcher.core("Sở Y tế thành phố Đà Nẵng") == "so y te"
    assert matcher.core("Công an tỉnh") == matcher.core("Công an thành phố Đà Nẵng")
    assert matcher.core("Sở Văn hoá, Thể thao và Du lịch") == matcher.core(
        "Sở Văn hóa, Thể thao và Du lịch thành phố Đà Nẵng"
    )
    assert matcher.core("Sở Lao động - Thương binh và Xã hội") == matcher.core(
        "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam"
    )


def test_the_plan_binds_to_the_demo_agencies_and_creates_none_in_force(coordinator, geo, demo_register):
    in_force = set(Agency.objects.current().values_list("pk", flat=True))
    plan = load(coordinator).plan
    # No agency in force was added: every one the plan names is the demo's, or waits.
    assert set(Agency.objects.current().values_list("pk", flat=True)) == in_force
    named = {n.code: n for n in PlanAgency.objects.filter(plan=plan).select_related("agency")}
    assert named["SYT"].agency == demo_register["Sở Y tế"] and named["SYT"].binding == Binding.NAME
    assert named["CA"].agency == demo_register["Công an TP"]
    assert named["UBND"].agency == demo_register["UBND TP"]
    assert named["MTTQ"].agency == demo_register["UBMTTQ TP"]
    # Renamed by the 2025 merger of the press: the alias table (data) knows it.
    assert named["DPTTH"].agency == demo_register["Báo và PT-TH ĐN"]
    assert named["DPTTH"].binding == Binding.ALIAS
    # In force on the plan's date (17/10/2024): Quảng Nam's labour department, which has ended.
    assert named["SLDTBXH"].agency == demo_register["Sở LĐTBXH QN"]
    assert named["SLDTBXH"].successor == named["SYT"]
    # Names found nowhere wait for the coordinator.
    assert {c for c, n in named.items() if n.waiting} >= {"HLHPN", "HND", "LDLD", "HCCB", "HCTD"}
    assert named["UBNDX"].binding == Binding.COMMUNES
    # Sở Y tế's register holds one agency with its name, as before loading.
    assert Agency.objects.filter(name__startswith="Sở Y tế").count() == 1


def test_a_task_passed_to_a_successor_says_from_whom(coordinator, geo, demo_register, client):
    plan = load(coordinator).plan
    task = Task.objects.get(plan=plan, code="IV.1.a")
    assert task.lead_agency == demo_register["Sở Y tế"]
    entry = task.history.get(kind="succession")
    assert entry.from_agency == demo_register["Sở LĐTBXH QN"] and entry.to_agency == demo_register["Sở Y tế"]
    # The ended agency keeps its history: still there, with its end and its successors.
    labour = Agency.objects.get(pk=demo_register["Sở LĐTBXH QN"].pk)
    assert labour.valid_to.isoformat() == "2025-06-30"
    client.force_login(coordinator)
    page = client.get(task.get_absolute_url()).content.decode()
    assert (
        'data-testid="passed-from"' in page and "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam" in page
    )


def test_loading_twice_changes_nothing_and_creates_no_duplicate(coordinator, geo, demo_register):
    load(coordinator)
    before = state()
    result = load(coordinator)
    assert not result.changed
    assert state() == before
    names = list(Agency.objects.current().values_list("unit", "name"))
    assert len(names) == len(set(names))


def test_the_demo_agency_reporter_sees_its_tasks(coordinator, geo, demo_register, demo_reporter, client):
    load(coordinator)
    client.force_login(demo_reporter)
    page = client.get(reverse("plans:task_list")).content.decode()
    for code in ("IV.2.a", "IV.2.b", "IV.2.c"):
        assert f">{code}<" in page
    assert ">IV.10<" not in page  # the police's task is not the education department's
    assert Task.objects.restrict(demo_reporter).filter(lead_agency=demo_register["Sở GD&ĐT"]).count() == 3


def test_the_coordinator_chooses_the_agency_of_a_waiting_name(coordinator, geo, demo_register, client):
    plan = load(coordinator).plan
    women = AgencyFactory(name="Hội Phụ nữ Đà Nẵng (LHPN)", kind="mass_org", unit=geo.province)
    named = PlanAgency.objects.get(plan=plan, code="HLHPN")
    front = Task.objects.get(plan=plan, code="IV.13.a")
    assert women not in front.cooperating_agencies.all()
    client.force_login(coordinator)
    url = reverse("plans:agency_review", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "Hội Liên hiệp Phụ nữ tỉnh" in page and 'name="agency"' in page
    response = client.post(url, {"named": named.pk, "agency": women.pk})
    assert response.status_code == 302
    named.refresh_from_db()
    assert named.agency == women and named.binding == Binding.CHOSEN and named.chosen_by == coordinator
    assert women in front.cooperating_agencies.all()
    assert AuditEvent.objects.filter(action="plans.plan_agency.chosen", object_id=str(named.pk)).exists()
    # The plan keeps the choice: loading it again changes nothing.
    before = state()
    assert not load(coordinator).changed and state() == before


def test_a_waiting_lead_gets_its_tasks_when_chosen(coordinator, geo, plan):
    named = PlanAgency.objects.create(plan=plan, code="X", name="Ban Khác")
    task = services.task_create(
        acting_user=coordinator, plan=plan, code="9", content="Việc chờ", lead_agency=None, lead_named=named
    )
    assert task.waiting_for_agency
    services.plan_agency_choose(acting_user=coordinator, named=named, agency=geo.department)
    task.refresh_from_db()
    assert task.lead_agency == geo.department and not task.waiting_for_agency
    assert task.history.filter(kind="assigned", to_agency=geo.department).exists()


def test_choosing_refuses_bad_input_and_writes_nothing(coordinator, geo, plan, client):
    named = PlanAgency.objects.create(plan=plan, code="X", name="Ban Khác")
    ended = AgencyFactory(
        name="Sở Cũ", kind="department", unit=geo.old_province, valid_to=geo.old_province.valid_to
    )
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.plan_agency_choose(acting_user=coordinator, named=named, agency=None)
    assert exc.value.messages == ["Choose the agency this name stands for."]
    with pytest.raises(ValidationError) as exc:
        services.plan_agency_choose(acting_user=coordinator, named=named, agency=ended)
    assert exc.value.messages == ["Choose an agency in force that you can see."]
    client.force_login(coordinator)
    response = client.post(reverse("plans:agency_review", args=[plan.pk]), {"named": named.pk, "agency": ""})
    assert response.status_code == 400
    assert "Choose the agency this name stands for." in response.content.decode()
    assert state() == before
    named.binding, named.agency = Binding.CHOSEN, geo.department
    named.save()
    with pytest.raises(ValidationError) as exc:
        services.plan_agency_choose(acting_user=coordinator, named=named, agency=geo.department)
    assert exc.value.messages == ["Ban Khác is already bound to an agency."]


def test_only_the_coordinator_opens_the_review(reporter, officer_a, coordinator, plan, client):
    url = reverse("plans:agency_review", args=[plan.pk])
    for user in (reporter, officer_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
    assert not PlanAgency.objects.restrict(reporter).exists()
