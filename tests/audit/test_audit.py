"""The audit log: one event per write in the write's transaction, a hash chain that shows
tampering, append-only rows, and the history pages built on it."""

import datetime as dt
import io
import itertools
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.conftest import REORG
from tests.factories import AgencyFactory, VillageFactory
from treem.accounts import services as accounts_services
from treem.accounts.models import Agency, User
from treem.audit.models import AuditChainHead, AuditEvent
from treem.audit.selectors import audit_chain_verify, audit_history
from treem.audit.services import REDACTED, audit_record, audit_view, snapshot
from treem.geo import services as geo_services
from treem.geo.models import PlacementReview, Unit
from treem.geo.reorganisation import reorganise
from treem.geo.views import UnitDetailView


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# --- one event per write, in the same transaction ---------------------------------------------


def _prepare_placement(geo):
    """A village of the split commune Old-2 waiting in the review queue."""
    village = VillageFactory(name="Thôn Chia Tách", parent=geo.old_2)
    reorganise(effective=REORG)
    geo.review = PlacementReview.objects.get(object_id=village.pk)


def _placement(geo, coordinator):
    return geo_services.placement_decide(acting_user=coordinator, review=geo.review, new_unit=geo.commune_b)


WRITES = {
    "village_create": (
        "geo.village.created",
        lambda geo, u: geo_services.village_create(acting_user=u, commune=geo.commune_a, name="Thôn Ba"),
    ),
    "village_update": (
        "geo.village.updated",
        lambda geo, u: geo_services.village_update(
            acting_user=u, village=geo.village_a, name="Thôn Một A", kind="Xóm"
        ),
    ),
    "village_retire": (
        "geo.village.retired",
        lambda geo, u: geo_services.village_retire(acting_user=u, village=geo.village_a),
    ),
    "user_create": (
        "accounts.user.created",
        lambda geo, u: accounts_services.user_create(
            acting_user=u,
            username="canbo_c",
            full_name="Cán Bộ C",
            password="Mat-khau-dai-2026!",
            roles=["commune_officer"],
            units=[geo.commune_a],
        ),
    ),
    "user_update": (
        "accounts.user.updated",
        lambda geo, u: accounts_services.user_update(
            acting_user=u,
            user=User.objects.get(username="canbo_b"),
            full_name="Lê Thị Bình (đã đổi)",
            roles=["commune_officer"],
            units=[geo.commune_b],
        ),
    ),
    "agency_create": (
        "accounts.agency.created",
        lambda geo, u: accounts_services.agency_create(
            acting_user=u, name="Công an Phường An", kind="police", unit=geo.commune_a
        ),
    ),
    "agency_update": (
        "accounts.agency.updated",
        lambda geo, u: accounts_services.agency_update(
            acting_user=u, agency=geo.agency_a, phone="0236 3000 000"
        ),
    ),
    "agency_succeed": (
        "accounts.agency.succeeded",
        lambda geo, u: accounts_services.agency_succeed(
            acting_user=u, predecessor=geo.agency_a, successors=[geo.department], effective=REORG
        ),
    ),
    "placement_decide": ("geo.placement.decided", _placement),
}


@pytest.mark.parametrize("name", WRITES)
def test_every_service_write_makes_exactly_one_event(geo, coordinator, officer_b, name):
    action, write = WRITES[name]
    if name == "placement_decide":
        _prepare_placement(geo)  # the reorganisation's own events are not this write's
    before = AuditEvent.objects.count()
    result = write(geo, coordinator)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == action
    assert event.actor == coordinator
    assert event.actor_label == "dieuphoi"
    record = result[0].predecessor if isinstance(result, list) else result
    assert event.object_id == str(record.pk)
    assert event.changes  # something changed, and the event says what
    assert event.unit is not None  # scoped: the coordinator's own log shows it
    assert AuditEvent.objects.restrict(coordinator, "view").filter(pk=event.pk).exists()


FAILING_WRITES = {
    "village_create duplicate": lambda geo, u: geo_services.village_create(
        acting_user=u, commune=geo.commune_a, name="Thôn Một"
    ),
    "village_update blank": lambda geo, u: geo_services.village_update(
        acting_user=u, village=geo.village_a, name=" ", kind="Thôn"
    ),
    "user_create weak password": lambda geo, u: accounts_services.user_create(
        acting_user=u,
        username="yeu",
        full_name="Mật Khẩu Yếu",
        password="123",
        roles=["viewer"],
        units=[geo.commune_a],
    ),
    "agency_create bad kind": lambda geo, u: accounts_services.agency_create(
        acting_user=u, name="Cơ quan lạ", kind="secret_society", unit=geo.commune_a
    ),
    "agency_succeed itself": lambda geo, u: accounts_services.agency_succeed(
        acting_user=u, predecessor=geo.agency_a, successors=[geo.agency_a], effective=REORG
    ),
}


def _state():
    return (
        AuditEvent.objects.count(),
        sorted(Unit.objects.values_list("pk", "name", "kind", "valid_to")),
        sorted(User.objects.values_list("pk", "username", "full_name")),
        sorted(Agency.objects.values_list("pk", "name", "kind", "valid_to")),
    )


@pytest.mark.parametrize("name", FAILING_WRITES)
def test_a_refused_write_leaves_no_event_and_no_change(geo, coordinator, name):
    before = _state()
    with pytest.raises(ValidationError):
        FAILING_WRITES[name](geo, coordinator)
    assert _state() == before


def test_an_audit_failure_undoes_the_change(geo, coordinator, monkeypatch):
    """The event is written in the change's transaction: no event, no change."""

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(geo_services, "audit_record", broken)
    before = _state()
    with pytest.raises(RuntimeError):
        geo_services.village_update(
            acting_user=coordinator, village=geo.village_a, name="Thôn Mất", kind="Thôn"
        )
    assert _state() == before
    assert Unit.objects.get(pk=geo.village_a.pk).name == "Thôn Một"


def test_an_event_is_undone_with_the_transaction_that_wrote_it(geo, coordinator):
    before = _state()
    with pytest.raises(RuntimeError), transaction.atomic():
        geo_services.village_create(acting_user=coordinator, commune=geo.commune_a, name="Thôn Tạm")
        assert AuditEvent.objects.count() == before[0] + 1
        raise RuntimeError("caller gives up")
    assert _state() == before


def test_reorganisation_records_its_moves_and_its_run(geo):
    VillageFactory(name="Thôn Cũ Một", parent=geo.old_1)  # old_1 went wholly into commune A
    reorganise(effective=REORG)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label"))
    assert actions == [("geo.reorganisation.moved", "system"), ("geo.reorganisation.run", "system")]


# --- the hash chain ---------------------------------------------------------------------------


@pytest.fixture
def chain(geo, coordinator):
    """Four events written by services."""
    for name in ("Thôn Ba", "Thôn Bốn", "Thôn Năm"):
        geo_services.village_create(acting_user=coordinator, commune=geo.commune_a, name=name)
    geo_services.village_update(
        acting_user=coordinator, village=geo.village_a, name="Thôn Một Mới", kind="Thôn"
    )
    return list(AuditEvent.objects.order_by("id"))


def verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="Audit log damaged"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def raw(sql: str, params: list) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_intact_chain_passes(chain):
    out, err = verify()
    assert f"Audit log intact: {len(chain)} events checked" in out
    assert err == ""
    assert chain[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))


def test_empty_log_passes(db):
    out, _err = verify()
    assert "0 events checked" in out


def test_edited_event_is_detected(chain):
    raw("UPDATE {table} SET action = %s WHERE id = %s", ["geo.village.deleted", chain[1].pk])
    assert f"event {chain[1].pk}: content does not match its hash (edited)" in verify_fails()


def test_edited_changes_are_detected(chain):
    raw("UPDATE {table} SET actor_label = %s WHERE id = %s", ["someone_else", chain[3].pk])
    assert f"event {chain[3].pk}: content does not match its hash" in verify_fails()


def test_edit_with_a_recomputed_hash_breaks_the_next_link(chain):
    """A tamperer who also fixes the edited row's hash is caught by the next event's link."""
    raw("UPDATE {table} SET hash = %s WHERE id = %s", ["f" * 64, chain[1].pk])
    errors = verify_fails()
    assert f"event {chain[2].pk}: previous-hash link broken" in errors


def test_deleted_middle_event_is_detected(chain):
    raw("DELETE FROM {table} WHERE id = %s", [chain[1].pk])
    errors = verify_fails()
    assert f"event {chain[2].pk}: previous-hash link broken" in errors
    assert "content does not match" not in errors


def test_deleted_last_event_is_detected(chain):
    raw("DELETE FROM {table} WHERE id = %s", [chain[-1].pk])
    errors = verify_fails()
    assert f"the chain ends at event {chain[-2].pk} but its head records event {chain[-1].pk}" in errors


def test_deleted_first_event_is_detected(chain):
    raw("DELETE FROM {table} WHERE id = %s", [chain[0].pk])
    assert f"event {chain[1].pk}: previous-hash link broken" in verify_fails()


def test_chain_continues_after_verification_and_across_batches(chain, coordinator, geo):
    geo_services.village_retire(acting_user=coordinator, village=geo.village_a)
    report = audit_chain_verify(batch_size=2)
    assert report.ok and report.checked == len(chain) + 1
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_event_id == AuditEvent.objects.latest("id").pk


def test_admin_dashboard_shows_a_damaged_chain(client, chain, admin):
    client.force_login(admin)
    assert client.get(reverse("home")).context["chain"].ok
    raw("DELETE FROM {table} WHERE id = %s", [chain[1].pk])
    chain_report = client.get(reverse("home")).context["chain"]
    assert not chain_report.ok


# --- append-only ------------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.action = "geo.village.nothing"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():  # bulk_update breaks the transaction
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "geo.village.created"
    assert verify()[0].startswith("Audit log intact")


def test_events_outlive_nothing_they_point_at(chain, coordinator, geo):
    """The actor and the unit of an event cannot be deleted from under it."""
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=coordinator.pk).delete()
    village = Unit.objects.get(name="Thôn Ba")
    with pytest.raises(ProtectedError):
        village.delete()
    assert AuditEvent.objects.count() == len(chain)


# --- what an event records --------------------------------------------------------------------


def test_web_request_records_the_client_address_not_a_forwarded_header(client, geo, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("geo:village_add", args=[geo.commune_a.pk]),
        {"name": "Thôn Từ Xa", "kind": "Thôn"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="geo.village.created")
    assert event.ip_address == "203.0.113.7"
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)


def test_api_request_records_the_client_address(client, geo, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("api:unit-list"),
        {"commune": geo.commune_a.pk, "name": "Thôn API"},
        content_type="application/json",
        REMOTE_ADDR="2001:db8::5",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="geo.village.created").ip_address == "2001:db8::5"


def test_event_outside_a_request_has_no_address(geo, officer_a):
    geo_services.village_create(acting_user=officer_a, commune=geo.commune_a, name="Thôn Lệnh")
    event = AuditEvent.objects.get()
    assert event.ip_address is None and event.request_id == ""


def test_system_event_without_actor(db):
    event = audit_record(None, "system.maintenance", None, object_label="nightly")
    assert event.actor is None and event.actor_label == "system" and event.unit is None


def test_user_events_never_hold_the_password(geo, coordinator):
    user = WRITES["user_create"][1](geo, coordinator)
    event = AuditEvent.objects.for_object(user).get()
    assert "password" not in event.changes
    assert "Mat-khau-dai-2026!" not in str(event.changes)
    assert event.changes["roles"] == [None, ["commune_officer"]]
    assert event.changes["units"] == [None, [geo.commune_a.pk]]


def test_redacted_fields_are_masked_in_snapshots(geo, monkeypatch):
    monkeypatch.setattr(Agency, "audit_redact_fields", ("phone",), raising=False)
    agency = AgencyFactory(name="Đường dây nóng", kind="hotline", unit=geo.commune_a, phone="111")
    data = snapshot(agency)
    assert data["phone"] == REDACTED
    assert data["name"] == "Đường dây nóng"


# --- history pages ----------------------------------------------------------------------------


def test_history_shows_field_changes_of_a_village_rename(client, geo, coordinator, supervisor_a):
    client.force_login(coordinator)
    response = client.post(
        reverse("geo:village_edit", args=[geo.village_a.pk]), {"name": "Thôn Mới", "kind": "Xóm", "code": ""}
    )
    assert response.status_code == 302
    geo_services.village_update(
        acting_user=coordinator, village=geo.village_b, name="Thôn Hai B", kind="Thôn"
    )
    url = reverse("audit:history", args=["geo", "unit", geo.village_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # Fields by their names in words, the action as a sentence (its code only for programs).
    assert "<strong>Name</strong>: Thôn Một → Thôn Mới" in text
    assert "<strong>Kind</strong>: Thôn → Xóm" in text
    assert 'data-action="geo.village.updated">Changed the administrative unit<' in text
    assert "Thôn Hai B" not in text  # another record's history
    assert [e.action for e in page.context["events"]] == ["geo.village.updated"]
    # supervisor_a reads the audit log of commune A only.
    client.force_login(supervisor_a)
    assert client.get(url).status_code == 200
    assert client.get(reverse("audit:history", args=["geo", "unit", geo.village_b.pk])).status_code == 404


def test_history_needs_the_audit_permission(client, geo, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("audit:history", args=["geo", "unit", geo.village_a.pk])).status_code == 403


def test_history_selector_is_empty_without_the_audit_permission(geo, officer_a, coordinator):
    geo_services.village_update(acting_user=coordinator, village=geo.village_a, name="Thôn X", kind="Thôn")
    assert list(audit_history(user=officer_a, obj=geo.village_a)) == []
    assert len(audit_history(user=coordinator, obj=geo.village_a)) == 1


def test_history_of_a_user_record(client, geo, coordinator):
    officer = WRITES["user_create"][1](geo, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("audit:history", args=["accounts", "user", officer.pk]))
    assert page.status_code == 200
    assert "accounts.user.created" in page.content.decode()


# --- view events for sensitive records ----------------------------------------------------------


def test_audit_view_records_who_opened_what(geo, officer_a):
    event = audit_view(officer_a, geo.village_a, reason="kiểm tra hồ sơ")
    assert event.action == "geo.unit.viewed"
    assert event.actor == officer_a
    assert event.object_id == str(geo.village_a.pk)
    assert event.unit == geo.village_a
    assert event.reason == "kiểm tra hồ sơ"
    assert audit_chain_verify().ok


class SensitiveUnitDetailView(UnitDetailView):
    audit_views = True


def _open(user, unit_pk):
    request = RequestFactory().get("/")
    request.user = user
    view = SensitiveUnitDetailView()
    view.setup(request, pk=unit_pk)
    return view.get_object()


def test_detail_view_of_a_sensitive_record_writes_a_view_event(geo, officer_a):
    from django.http import Http404

    assert _open(officer_a, geo.village_a.pk) == geo.village_a
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == (
        "geo.unit.viewed",
        officer_a,
        str(geo.village_a.pk),
    )
    with pytest.raises(Http404):
        _open(officer_a, geo.village_b.pk)
    assert AuditEvent.objects.count() == 1  # refusals are not recorded as views


def test_view_events_are_scoped_by_the_records_unit(geo, officer_a, officer_b, supervisor_a, coordinator):
    audit_view(officer_a, geo.village_a)
    audit_view(officer_b, geo.village_b)
    assert [e.object_id for e in AuditEvent.objects.restrict(supervisor_a, "view")] == [str(geo.village_a.pk)]
    assert AuditEvent.objects.restrict(coordinator, "view").count() == 2
    assert list(AuditEvent.objects.restrict(officer_a, "view")) == []  # officers do not read the log


def test_event_time_is_aware(geo, officer_a):
    event = audit_view(officer_a, geo.village_a)
    assert event.at.tzinfo is not None
    assert abs(AuditEvent.objects.get(pk=event.pk).at - event.at) < dt.timedelta(seconds=1)
