"""Referrals to services and transfers between communes: each answer audited and on the timeline;
refusals with their message and nothing written."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.cases.records import open_case
from tests.conftest import BEFORE
from tests.factories import AgencyFactory, CommuneFactory, SuccessionFactory, UserFactory
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.models import Case, CaseEvent, Referral, Report, Transfer
from treem.core.scope import ScopeError


@pytest.fixture
def case(geo, officer_a, supervisor_a):
    return open_case(officer_a, geo.commune_a, supervisor=supervisor_a)


def state() -> tuple:
    return (
        Referral.objects.count(),
        Transfer.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
        list(Case.objects.values_list("commune_id", "supervisor_id").order_by("pk")),
    )


# --- referrals --------------------------------------------------------------------------------


def test_referral_accepted_then_done(geo, case, officer_a):
    hospital = AgencyFactory(name="Bệnh viện Nhi tỉnh", kind="service", unit=geo.province)
    referral = services.referral_create(
        acting_user=officer_a, case=case, service="health", agency=hospital, request="Khám vết thương"
    )
    assert referral.status == "sent" and referral.agency_label == "Bệnh viện Nhi tỉnh"
    services.referral_accept(acting_user=officer_a, referral=referral)
    done = services.referral_done(acting_user=officer_a, referral=referral, outcome="Đã điều trị")
    assert done.status == "done" and done.done_at and done.outcome == "Đã điều trị"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["referral_sent", "referral_accepted", "referral_done"]
    events = AuditEvent.objects.filter(action__startswith="cases.referral").order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["cases.referral.sent", "cases.referral.accepted", "cases.referral.done"]
    assert "Khám vết thương" not in str(AuditEvent.objects.get(action="cases.referral.sent").changes)


def test_referral_rejected_needs_its_reason(geo, case, officer_a):
    referral = services.referral_create(
        acting_user=officer_a, case=case, service="shelter", agency_name="Nhà tạm lánh"
    )
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.referral_reject(acting_user=officer_a, referral=referral, reason="  ")
    assert "reason" in exc.value.message_dict
    assert state() == before and Referral.objects.get().status == "sent"
    services.referral_reject(acting_user=officer_a, referral=referral, reason="Hết chỗ")
    referral.refresh_from_db()
    assert (referral.status, referral.rejection_reason) == ("rejected", "Hết chỗ")
    with pytest.raises(ValidationError, match="cannot change that way"):
        services.referral_done(acting_user=officer_a, referral=referral)


def test_referral_refusals(geo, case, officer_a, officer_b, supervisor_a):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.referral_create(acting_user=officer_a, case=case, service="", agency_name="")
    assert {"service", "agency"} <= set(exc.value.message_dict)
    far = AgencyFactory(name="Công an xã Bình", kind="police", unit=geo.commune_b)
    with pytest.raises(ValidationError, match="does not serve"):
        services.referral_create(acting_user=officer_a, case=case, service="police", agency=far)
    with pytest.raises(ValidationError, match="Only the workers"):
        services.referral_create(acting_user=supervisor_a, case=case, service="police", agency_name="Công an")
    with pytest.raises(ScopeError):
        services.referral_create(acting_user=officer_b, case=case, service="police", agency_name="Công an")
    assert state() == before


def test_referral_pages(client, geo, case, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("cases:case_refer", args=[case.pk]),
        {
            "refer-service": "legal_aid",
            "refer-agency_name": "Trung tâm trợ giúp pháp lý",
            "refer-request": "Tư vấn",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Trung tâm trợ giúp pháp lý" in page and f"referral-answer-{referral.pk}" in page
    refused = client.post(
        reverse("cases:referral_answer", args=[referral.pk]), {"answer-decision": "rejected"}
    )
    assert refused.status_code == 400
    assert "Write the reason the agency gave" in refused.content.decode()
    assert Referral.objects.get().status == "sent"
    ok = client.post(
        reverse("cases:referral_answer", args=[referral.pk]),
        {"answer-decision": "rejected", "answer-text": "Quá tải"},
    )
    assert ok.status_code == 302 and Referral.objects.get().status == "rejected"


# --- transfers --------------------------------------------------------------------------------


@pytest.fixture
def supervisor_b(geo):
    return UserFactory(username="chutich_b", roles=["case_supervisor"], units=[geo.commune_b])


def test_transfer_accepted_moves_the_case_and_its_workers(
    client, geo, case, officer_a, officer_b, supervisor_a, supervisor_b
):
    transfer = services.transfer_request(
        acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Gia đình chuyển đến xã Bình"
    )
    # Before accepting, commune B sees the transfer, not the case.
    assert Transfer.objects.restrict(officer_b).filter(pk=transfer.pk).exists()
    assert not Case.objects.restrict(officer_b).filter(pk=case.pk).exists()
    client.force_login(officer_b)
    assert client.get(case.get_absolute_url()).status_code == 404
    page = client.get(transfer.get_absolute_url())
    assert page.status_code == 200 and "Gia đình chuyển đến" in page.content.decode()
    assert AuditEvent.objects.filter(action="cases.transfer.viewed", actor=officer_b).count() == 1
    response = client.post(
        reverse("cases:transfer_decide", args=[transfer.pk]),
        {"decide-decision": "accept", "decide-supervisor": supervisor_b.pk},
    )
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.commune == geo.commune_b and case.supervisor == supervisor_b
    assert list(case.workers.all()) == [officer_b]
    assert set(Report.objects.filter(case=case).values_list("unit", flat=True)) == {geo.commune_b.pk}
    assert Transfer.objects.get().status == "accepted"
    event = AuditEvent.objects.get(action="cases.case.transferred")
    assert event.changes["commune"] == ["Phường An", "Xã Bình"]
    assert event.changes["workers"] == [["canbo_a"], ["canbo_b"]]
    assert client.get(case.get_absolute_url()).status_code == 200
    # The child's registry record moved with the case: the new commune opens it.
    case.child.refresh_from_db()
    assert case.child.commune == geo.commune_b and case.child.village is None
    assert event.changes["child_moved"] == ["Phường An", "Xã Bình"]
    moved = AuditEvent.objects.get(action="children.child.moved")
    assert moved.actor == officer_b and case.number in moved.reason
    assert client.get(reverse("children:child_detail", args=[case.child.pk])).status_code == 200
    # The old commune no longer sees it: out of scope is 404.
    client.force_login(officer_a)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert case.events.filter(kind="transferred").exists()


def test_transfer_refused_keeps_the_case(client, geo, case, officer_a, officer_b):
    transfer = services.transfer_request(
        acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Chuyển nhà"
    )
    client.force_login(officer_b)
    missing = client.post(reverse("cases:transfer_decide", args=[transfer.pk]), {"decide-decision": "refuse"})
    assert missing.status_code == 400
    assert "Say why your commune does not take the case over." in missing.content.decode()
    assert Transfer.objects.get().status == "requested"
    client.post(
        reverse("cases:transfer_decide", args=[transfer.pk]),
        {"decide-decision": "refuse", "decide-reason": "Gia đình không ở địa bàn"},
    )
    transfer.refresh_from_db()
    assert transfer.status == "refused" and transfer.refusal_reason == "Gia đình không ở địa bàn"
    case.refresh_from_db()
    assert case.commune == geo.commune_a and officer_a in case.workers.all()
    assert case.events.filter(kind="transfer_refused").exists()
    # refused: a new transfer may be asked
    services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Lần hai")


def test_transfer_to_a_commune_that_no_longer_exists_names_its_successor(geo, case, officer_a):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.old_1, reason="Chuyển nhà")
    message = exc.value.message_dict["to_commune"][0]
    assert "Xã Cũ Một no longer exists (ended 30/06/2025)" in message and "Phường An" in message
    lonely = CommuneFactory(name="Xã Đã Giải Thể", valid_to=BEFORE)
    with pytest.raises(ValidationError, match="choose the commune where the child lives today"):
        services.transfer_request(acting_user=officer_a, case=case, to_commune=lonely, reason="Chuyển nhà")
    split = geo.old_2  # split between A and B: both named
    with pytest.raises(ValidationError, match="Phường An, Xã Bình"):
        services.transfer_request(acting_user=officer_a, case=case, to_commune=split, reason="Chuyển nhà")
    assert state() == before


def test_transfer_page_shows_the_successor_message(client, geo, case, officer_a):
    SuccessionFactory  # noqa: B018 - the geo fixture made Old-1 → A (full)
    client.force_login(officer_a)
    response = client.post(
        reverse("cases:case_transfer", args=[case.pk]),
        {"transfer-to_commune": geo.old_1.pk, "transfer-reason": "Chuyển nhà"},
    )
    assert response.status_code == 400
    assert "Xã Cũ Một no longer exists" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_transfer_refusals(geo, case, officer_a, officer_b, supervisor_a):
    before = state()
    with pytest.raises(ValidationError, match="already handled by this commune"):
        services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.commune_a, reason="x")
    with pytest.raises(ValidationError, match="Choose the commune"):
        services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.province, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.commune_b, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ScopeError):
        services.transfer_request(acting_user=officer_b, case=case, to_commune=geo.commune_b, reason="Chuyển")
    assert state() == before
    transfer = services.transfer_request(
        acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Chuyển"
    )
    with pytest.raises(ValidationError, match="already waiting"):
        services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Chuyển")
    before = state()
    # Only the receiving commune decides.
    with pytest.raises(ScopeError):
        services.transfer_accept(acting_user=officer_a, transfer=transfer)
    with pytest.raises(ValidationError):
        services.transfer_accept(acting_user=officer_b, transfer=transfer, supervisor=supervisor_a)
    assert state() == before
    services.transfer_accept(acting_user=officer_b, transfer=transfer)
    with pytest.raises(ValidationError, match="already decided"):
        services.transfer_refuse(acting_user=officer_b, transfer=transfer, reason="Muộn")


def test_the_sending_commune_sees_its_transfers_and_the_list(client, geo, case, officer_a, officer_b, viewer):
    transfer = services.transfer_request(
        acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Chuyển"
    )
    client.force_login(officer_a)
    assert transfer in client.get(reverse("cases:transfer_list")).context["object_list"]
    page = client.get(transfer.get_absolute_url())
    assert page.status_code == 200 and page.context.get("form") is None  # A does not decide
    assert (
        client.post(
            reverse("cases:transfer_decide", args=[transfer.pk]), {"decide-decision": "accept"}
        ).status_code
        == 403
    )
    client.force_login(officer_b)
    listing = client.get(reverse("cases:transfer_list"))
    assert transfer in listing.context["incoming"]
    assert client.get(reverse("cases:case_list")).context["incoming_transfers"] == 1
