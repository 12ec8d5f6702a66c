"""Targets are approved by a second person (four eyes) and count only once approved: in the
traffic lights, the home page's section and the report's Bảng 2; a change makes them drafts again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext

from tests.factories import UserFactory
from tests.indicators.conftest import enter
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.indicators import dashboard, selectors, services
from treem.indicators.choices import TargetStatus
from treem.indicators.models import Target
from treem.reporting.selectors import indicator_rows


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def set_target(user, indicator, unit, target, year=2026, **extra) -> Target:
    return services.target_set(
        acting_user=user, indicator=indicator, unit=unit, year=year, target=target, **extra
    )


@pytest.fixture
def commune_approver(geo):
    """Holds approve_target (a coordinator's role) but only for commune A."""
    return UserFactory(username="duyet_xa", roles=["provincial_coordinator"], units=[geo.commune_a])


# --- services ---------------------------------------------------------------------------------


def test_a_target_is_entered_as_a_draft_and_approved_by_another_person(coordinator, approver, geo, ind):
    target = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95, baseline=90, baseline_year=2020)
    assert (target.status, target.approved_by, target.approved_at) == (TargetStatus.DRAFT, None, None)
    services.target_approve(acting_user=approver, target=target)
    target.refresh_from_db()
    assert target.status == TargetStatus.APPROVED and target.approved_by == approver
    assert target.approved_at is not None
    (event,) = events("indicators.target.approved")
    assert event.actor == approver and event.object_id == str(target.pk)
    assert event.changes["status"] == ["draft", "approved"]


def test_four_eyes_the_person_who_entered_a_target_cannot_approve_it(coordinator, approver, geo, ind):
    target = set_target(approver, ind.PAC_IMMUNISED, geo.province, 95)  # entered by the approver
    with pytest.raises(ValidationError) as exc:
        services.target_approve(acting_user=approver, target=target)
    label = f"{ind.PAC_IMMUNISED.name} — {geo.province.name} 2026"
    assert exc.value.messages == [
        f"You entered or last changed the target {label}: another person must approve it."
    ]
    target.refresh_from_db()
    assert target.status == TargetStatus.DRAFT and target.approved_by is None
    assert not events("indicators.target.approved")
    # Changed by the coordinator since: the approver is now the second pair of eyes, the
    # coordinator no longer may.
    set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 96)
    with pytest.raises(ValidationError, match="another person must approve it"):
        services.target_approve(acting_user=coordinator, target=target)
    assert services.target_approve(acting_user=approver, target=target).is_approved


def test_changing_an_approved_target_returns_it_to_draft_with_the_old_value_audited(
    coordinator, approver, geo, ind
):
    target = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12, baseline=15, baseline_year=2020)
    services.target_approve(acting_user=approver, target=target)
    # Saved again as it is: nothing changes, the approval stands, no event.
    set_target(coordinator, ind.PAC_DROWNING, geo.province, "12", baseline="15", baseline_year=2020)
    target.refresh_from_db()
    assert target.is_approved and not events("indicators.target.changed")
    set_target(coordinator, ind.PAC_DROWNING, geo.province, 10, baseline=15, baseline_year=2020)
    target.refresh_from_db()
    assert (target.status, target.target, target.approved_by, target.approved_at) == ("draft", 10, None, None)
    (event,) = events("indicators.target.changed")
    assert event.changes["target"] == ["12.00", "10.00"]
    assert event.changes["status"] == ["approved", "draft"]
    assert event.changes["approved_by"][0] is not None and event.changes["approved_by"][1] is None


def test_approving_several_is_all_or_none(coordinator, approver, geo, ind):
    theirs = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    own = set_target(approver, ind.PAC_PRIMARY, geo.province, 97)
    with pytest.raises(ValidationError) as exc:
        services.target_approve_many(acting_user=approver, targets=[theirs, own])
    assert len(exc.value.messages) == 1 and ind.PAC_PRIMARY.name in exc.value.messages[0]
    assert set(Target.objects.values_list("status", flat=True)) == {"draft"}
    assert not events("indicators.target.approved")
    more = set_target(coordinator, ind.PAC_KINDERGARTEN5, geo.province, 99)
    approved = services.target_approve_many(acting_user=approver, targets=[more, theirs])
    assert {t.pk for t in approved} == {theirs.pk, more.pk}
    # One event for each target approved, each naming its own.
    assert sorted(e.object_id for e in events("indicators.target.approved")) == sorted(
        [str(theirs.pk), str(more.pk)]
    )
    assert Target.objects.get(pk=own.pk).status == "draft"


def test_bad_approvals_are_refused_with_a_message(coordinator, approver, geo, ind):
    target = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    with pytest.raises(ValidationError) as exc:
        services.target_approve_many(acting_user=approver, targets=[])
    assert exc.value.messages == ["Choose the targets to approve."]
    services.target_approve(acting_user=approver, target=target)
    with pytest.raises(ValidationError) as exc:
        services.target_approve(acting_user=approver, target=target)
    assert "is already approved" in exc.value.messages[0]
    assert len(events("indicators.target.approved")) == 1


def test_approval_needs_the_permission_and_the_unit_in_scope(
    coordinator, officer_a, supervisor_a, commune_approver, geo, ind
):
    province_target = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    commune_target = set_target(coordinator, ind.PAC_CFC, geo.commune_a, 1)
    # Commune officers and the chairman (who approves the commune's figures) may not approve targets.
    for user in (officer_a, supervisor_a):
        with pytest.raises(ScopeError):
            services.target_approve(acting_user=user, target=commune_target)
    # A commune's approver cannot approve the province's targets (and the refusal writes nothing) ...
    with pytest.raises(ScopeError):
        services.target_approve_many(acting_user=commune_approver, targets=[commune_target, province_target])
    assert set(Target.objects.values_list("status", flat=True)) == {"draft"}
    assert not events("indicators.target.approved")
    # ... but may approve the commune's own.
    assert services.target_approve(acting_user=commune_approver, target=commune_target).is_approved


# --- only approved targets are compared -------------------------------------------------------


def test_only_approved_targets_reach_the_traffic_lights_home_page_and_report(
    rf: RequestFactory, coordinator, approver, officer_a, officer_b, geo, ind
):
    enter(officer_a, geo.commune_a, "2026", PAC_IMMUNISED=(90, 100))
    enter(officer_b, geo.commune_b, "2026", PAC_IMMUNISED=(45, 60))
    target = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 90, baseline=80, baseline_year=2025)
    request = rf.get("/")
    request.user = coordinator

    def table_row():
        return next(
            r
            for r in selectors.indicator_table(user=coordinator, unit=geo.province, year=2026)
            if r.indicator == ind.PAC_IMMUNISED
        )

    def report_row():
        return next(
            r
            for r in indicator_rows(user=coordinator, unit=geo.province, year=2026)
            if r.indicator == ind.PAC_IMMUNISED
        )

    trend = selectors.trend(user=coordinator, indicator=ind.PAC_IMMUNISED, unit=geo.province, years=[2026])
    assert (table_row().target, table_row().baseline, table_row().light) == (None, None, "")
    assert (report_row().target, report_row().actual) == (None, Decimal("84.38"))  # Bảng 2: no target
    assert trend[0]["target"] is None
    assert dashboard.dashboard_section(request) is None  # no approved target: no section
    services.target_approve(acting_user=approver, target=target)
    assert (table_row().target, table_row().baseline, table_row().light) == (90, 80, "amber")
    assert report_row().target == 90
    trend = selectors.trend(user=coordinator, indicator=ind.PAC_IMMUNISED, unit=geo.province, years=[2026])
    assert trend[0]["target"] == 90
    section = dashboard.dashboard_section(request)
    assert section["year"] == 2026 and [b.text for b in section["bars"]] == ["93%"]
    # Changed again: a draft, out of the comparisons until approved anew.
    set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 85, baseline=80, baseline_year=2025)
    assert (table_row().target, table_row().light) == (None, "")
    assert report_row().target is None


# --- pages ------------------------------------------------------------------------------------


def list_page(client, user, geo):
    client.force_login(user)
    response = client.get(reverse("indicators:target_list"), {"unit": geo.province.pk, "year": 2026})
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_status_direction_and_baseline_and_offers_approval(
    client, coordinator, approver, viewer, geo, ind
):
    draft = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12, baseline=15, baseline_year=2020)
    approved = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    services.target_approve(acting_user=approver, target=approved)
    text = list_page(client, approver, geo)
    draft_row = text.split(f'data-target="{draft.pk}"')[1].split("</tr>")[0]
    approved_row = text.split(f'data-target="{approved.pk}"')[1].split("</tr>")[0]
    assert f'<tr class="table-warning" data-target="{draft.pk}" data-status="draft">' in text
    assert gettext("awaiting approval") in draft_row and gettext("lower is better") in draft_row
    assert "15 (2020)" in draft_row and f'name="target" value="{draft.pk}"' in draft_row
    assert gettext("higher is better") in approved_row and approver.full_name in approved_row
    assert 'name="target"' not in approved_row
    assert 'data-testid="approve"' in text and 'data-testid="drafts-count"' in text
    # The one who entered the draft sees it, cannot tick it.
    text = list_page(client, coordinator, geo)
    draft_row = text.split(f'data-target="{draft.pk}"')[1].split("</tr>")[0]
    assert 'name="target"' not in draft_row and "disabled" in draft_row
    # A reader sees the statuses and no approval form.
    text = list_page(client, viewer, geo)
    assert gettext("awaiting approval") in text and 'data-testid="approve-form"' not in text


def test_approving_several_on_the_page(client, coordinator, approver, geo, ind):
    first = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12)
    second = set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    client.force_login(approver)
    back = reverse("indicators:target_list") + f"?unit={geo.province.pk}&year=2026"
    response = client.post(
        reverse("indicators:target_approve"), {"target": [first.pk, second.pk], "next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    assert gettext("%(n)s targets approved.") % {"n": 2} in response.content.decode()
    assert set(Target.objects.values_list("status", flat=True)) == {"approved"}
    assert len(events("indicators.target.approved")) == 2


def test_approving_ones_own_target_on_the_page_is_refused_and_writes_nothing(client, coordinator, geo, ind):
    target = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12)
    client.force_login(coordinator)
    response = client.post(reverse("indicators:target_approve"), {"target": [target.pk]}, follow=True)
    text = response.content.decode()
    label = f"{ind.PAC_DROWNING.name} — {geo.province.name} 2026"
    message = gettext("You entered or last changed the target %(target)s: another person must approve it.")
    assert message % {"target": label} in text
    assert gettext("No target was approved.") in text
    assert Target.objects.get().status == "draft" and not events("indicators.target.approved")


def test_approval_page_permission_scope_and_bad_input(
    client, coordinator, approver, officer_a, commune_approver, geo, ind
):
    target = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12)
    url = reverse("indicators:target_approve")
    client.force_login(officer_a)  # sees targets, may not approve
    assert client.post(url, {"target": [target.pk]}).status_code == 403
    client.force_login(commune_approver)  # the province's target is outside commune A
    response = client.post(url, {"target": [target.pk]})
    assert response.status_code == 404 and ind.PAC_DROWNING.name not in response.content.decode()
    client.force_login(approver)
    for forged in ("abc", "0", "9" * 25, "-3"):
        assert client.post(url, {"target": [forged]}).status_code == 404, forged
    response = client.post(url, {}, follow=True)
    assert gettext("Choose the targets to approve.") in response.content.decode()
    assert Target.objects.get().status == "draft" and not events("indicators.target.approved")


def test_drafts_wait_in_the_approvers_to_do_list_not_in_their_authors(
    coordinator, approver, officer_a, geo, ind
):
    from django.utils import translation

    from treem.core.worklist import worklist

    def kinds(user):
        with translation.override("en"):
            return [(str(i.kind), i.title, i.href, i.count) for i, _state in worklist(user)[0]]

    first = set_target(coordinator, ind.PAC_DROWNING, geo.province, 12)
    set_target(coordinator, ind.PAC_IMMUNISED, geo.province, 95)
    href = reverse("indicators:target_list") + f"?unit={geo.province.pk}&year=2026"
    item = ("Targets to approve", f"{geo.province.name} · 2026", href, 2)
    assert item in kinds(approver)
    assert not [k for k in kinds(coordinator) if k[0] == "Targets to approve"]  # their own
    assert not [k for k in kinds(officer_a) if k[0] == "Targets to approve"]  # may not approve
    services.target_approve(acting_user=approver, target=first)
    assert ("Targets to approve", f"{geo.province.name} · 2026", href, 1) in kinds(approver)
