"""Villages (thôn, tổ dân phố): added, renamed and retired through the services, the pages and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.geo.models import Unit, UnitLevel
from treem.geo.services import village_create, village_retire, village_update

DUPLICATE = "This commune already has a village with this name."
ENDED = "This commune no longer exists; choose a unit in force today."
NOT_A_COMMUNE = "Villages belong to a commune."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def state():
    return (
        AuditEvent.objects.count(),
        sorted(Unit.objects.values_list("pk", "parent_id", "name", "kind", "valid_to")),
    )


def refused(call, field: str, message: str):
    before = state()
    with pytest.raises(ValidationError) as info:
        call()
    assert message in info.value.message_dict[field], info.value.message_dict
    assert state() == before


# --- services ---------------------------------------------------------------------------------


def test_village_create(geo, officer_a):
    village = village_create(
        acting_user=officer_a, commune=geo.commune_a, name="  Tổ dân phố 5 ", kind="Tổ dân phố"
    )
    village.refresh_from_db()
    assert (village.name, village.kind, village.level, village.parent) == (
        "Tổ dân phố 5",
        "Tổ dân phố",
        UnitLevel.VILLAGE,
        geo.commune_a,
    )
    assert village.path == f"{geo.commune_a.path}{village.pk}/"
    assert village.name_folded == "to dan pho 5"
    event = AuditEvent.objects.get()
    assert event.action == "geo.village.created"
    assert event.changes["name"] == [None, "Tổ dân phố 5"]


def test_village_create_duplicate_name(geo, officer_a):
    refused(
        lambda: village_create(acting_user=officer_a, commune=geo.commune_a, name="Thôn Một"),
        "name",
        DUPLICATE,
    )


def test_village_create_duplicate_name_differing_in_case(geo, officer_a):
    refused(
        lambda: village_create(acting_user=officer_a, commune=geo.commune_a, name="thôn Một"),
        "name",
        DUPLICATE,
    )


def test_same_name_in_another_commune_is_fine(geo, officer_b):
    assert (
        village_create(acting_user=officer_b, commune=geo.commune_b, name="Thôn Một").parent == geo.commune_b
    )


def test_village_create_blank_name(geo, officer_a):
    refused(
        lambda: village_create(acting_user=officer_a, commune=geo.commune_a, name="   "),
        "name",
        "This field cannot be blank.",
    )


def test_village_create_in_an_ended_commune(geo, admin):
    assert geo.old_1.valid_to < timezone.localdate()
    refused(lambda: village_create(acting_user=admin, commune=geo.old_1, name="Thôn Cũ"), "commune", ENDED)


def test_village_create_in_a_province(geo, coordinator):
    refused(
        lambda: village_create(acting_user=coordinator, commune=geo.province, name="Thôn Tỉnh"),
        "commune",
        NOT_A_COMMUNE,
    )


def test_village_create_in_a_village(geo, officer_a):
    refused(
        lambda: village_create(acting_user=officer_a, commune=geo.village_a, name="Xóm Trong"),
        "commune",
        NOT_A_COMMUNE,
    )


@pytest.mark.parametrize("persona", ["officer_a", "viewer", "officer_no_unit"])
def test_village_create_out_of_scope_or_without_permission(request, geo, persona):
    user = request.getfixturevalue(persona)
    before = state()
    with pytest.raises(ScopeError):
        village_create(acting_user=user, commune=geo.commune_b, name="Thôn Lạ")
    assert state() == before


def test_village_update(geo, officer_a):
    village_update(acting_user=officer_a, village=geo.village_a, name="Thôn Một Mới", kind="Xóm", code="T1")
    fresh = Unit.objects.get(pk=geo.village_a.pk)
    assert (fresh.name, fresh.kind, fresh.code, fresh.name_folded) == (
        "Thôn Một Mới",
        "Xóm",
        "T1",
        "thon mot moi",
    )
    assert AuditEvent.objects.get().changes == {
        "code": ["", "T1"],
        "kind": ["Thôn", "Xóm"],
        "name": ["Thôn Một", "Thôn Một Mới"],
        "name_folded": ["thon mot", "thon mot moi"],
    }


def test_village_update_to_a_taken_name(geo, officer_a):
    village_create(acting_user=officer_a, commune=geo.commune_a, name="Thôn Hai")
    refused(
        lambda: village_update(acting_user=officer_a, village=geo.village_a, name="Thôn Hai", kind="Thôn"),
        "name",
        DUPLICATE,
    )
    assert Unit.objects.get(pk=geo.village_a.pk).name == "Thôn Một"


def test_village_update_keeping_its_own_name(geo, officer_a):
    village_update(acting_user=officer_a, village=geo.village_a, name="Thôn Một", kind="Xóm")
    assert Unit.objects.get(pk=geo.village_a.pk).kind == "Xóm"


def test_village_update_blank_name(geo, officer_a):
    refused(
        lambda: village_update(acting_user=officer_a, village=geo.village_a, name="", kind="Thôn"),
        "name",
        "This field cannot be blank.",
    )


def test_village_update_refuses_other_units(geo, officer_a, coordinator):
    before = state()
    with pytest.raises(ScopeError):
        village_update(acting_user=coordinator, village=geo.commune_a, name="Phường Mới", kind="Phường")
    with pytest.raises(ScopeError):
        village_update(acting_user=officer_a, village=geo.village_b, name="Thôn Chiếm", kind="Thôn")
    assert state() == before


def test_village_retire_and_reuse_of_its_name(geo, coordinator, officer_a):
    village_retire(acting_user=coordinator, village=geo.village_a)
    assert Unit.objects.get(pk=geo.village_a.pk).valid_to == timezone.localdate()
    assert AuditEvent.objects.get().action == "geo.village.retired"
    # A retired village's name may be given to a new one.
    assert (
        village_create(acting_user=officer_a, commune=geo.commune_a, name="Thôn Một").pk != geo.village_a.pk
    )


def test_village_retire_needs_the_delete_permission(geo, officer_a, coordinator):
    before = state()
    with pytest.raises(ScopeError):
        village_retire(acting_user=officer_a, village=geo.village_a)
    with pytest.raises(ScopeError):
        village_retire(acting_user=coordinator, village=geo.commune_a)  # only villages
    assert state() == before


# --- pages (plain POST, no HTMX) --------------------------------------------------------------


def test_commune_page_has_a_plain_form_to_add_a_village(client, geo, officer_a):
    client.force_login(officer_a)
    text = client.get(reverse("geo:unit_detail", args=[geo.commune_a.pk])).content.decode()
    assert f'<form method="post" action="{reverse("geo:village_add", args=[geo.commune_a.pk])}">' in text
    assert "csrfmiddlewaretoken" in text


def test_add_village_page(client, geo, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("geo:village_add", args=[geo.commune_a.pk]), {"name": "Thôn Ba", "kind": "Thôn"}
    )
    assert response.status_code == 302
    assert response["Location"] == geo.commune_a.get_absolute_url()
    village = Unit.objects.get(parent=geo.commune_a, name="Thôn Ba")
    page = client.get(response["Location"])
    assert "Thôn Ba added." in page.content.decode()
    assert village.name in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Thôn Một", "kind": "Thôn"}, DUPLICATE),
        ({"name": "   ", "kind": "Thôn"}, "This field is required."),
        ({"name": "Thôn Mới", "kind": "Lâu đài"}, "Select a valid choice."),
    ],
    ids=["duplicate", "blank", "bad-kind"],
)
def test_add_village_page_refuses_bad_input(client, geo, officer_a, data, message):
    client.force_login(officer_a)
    before = state()
    response = client.post(reverse("geo:village_add", args=[geo.commune_a.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_add_village_page_ended_commune(client, geo, admin):
    client.force_login(admin)
    before = state()
    response = client.post(
        reverse("geo:village_add", args=[geo.old_1.pk]), {"name": "Thôn Cũ", "kind": "Thôn"}
    )
    assert response.status_code == 400
    assert ENDED in response.content.decode()
    assert state() == before


def test_add_village_page_province(client, geo, coordinator):
    client.force_login(coordinator)
    before = state()
    response = client.post(
        reverse("geo:village_add", args=[geo.province.pk]), {"name": "Thôn Tỉnh", "kind": "Thôn"}
    )
    assert response.status_code == 400
    assert NOT_A_COMMUNE in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(("persona", "commune"), [("officer_a", "commune_b"), ("coordinator", "old_1")])
def test_add_village_page_out_of_scope_is_404(request, client, geo, persona, commune):
    client.force_login(request.getfixturevalue(persona))
    before = state()
    target = getattr(geo, commune)
    response = client.post(reverse("geo:village_add", args=[target.pk]), {"name": "Thôn Lạ", "kind": "Thôn"})
    assert response.status_code == 404
    assert target.name not in response.content.decode()
    assert state() == before


def test_add_village_page_with_view_but_no_add_permission_is_403(client, geo, viewer):
    client.force_login(viewer)
    before = state()
    response = client.post(
        reverse("geo:village_add", args=[geo.commune_a.pk]), {"name": "Thôn X", "kind": "Thôn"}
    )
    assert response.status_code == 403
    assert state() == before


def test_edit_village_page(client, geo, officer_a):
    client.force_login(officer_a)
    url = reverse("geo:village_edit", args=[geo.village_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Thôn Một"' in form.content.decode()
    response = client.post(url, {"name": "Thôn Một Mới", "kind": "Thôn", "code": ""})
    assert response.status_code == 302
    assert Unit.objects.get(pk=geo.village_a.pk).name == "Thôn Một Mới"


def test_edit_village_page_refuses_a_taken_name(client, geo, officer_a):
    village_create(acting_user=officer_a, commune=geo.commune_a, name="Thôn Ba")
    client.force_login(officer_a)
    before = state()
    response = client.post(
        reverse("geo:village_edit", args=[geo.village_a.pk]), {"name": "Thôn Ba", "kind": "Thôn"}
    )
    assert response.status_code == 400
    assert DUPLICATE in response.content.decode()
    assert state() == before


def test_edit_page_is_for_villages_only(client, geo, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("geo:village_edit", args=[geo.commune_a.pk])).status_code == 404


def test_retire_village_page(client, geo, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("geo:village_retire", args=[geo.village_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == geo.commune_a.get_absolute_url()
    assert Unit.objects.get(pk=geo.village_a.pk).valid_to == timezone.localdate()


# --- API --------------------------------------------------------------------------------------


def api_post(client, data):
    return client.post(reverse("api:unit-list"), data, content_type="application/json")


def test_api_creates_a_village(client, geo, officer_a):
    client.force_login(officer_a)
    response = api_post(client, {"commune": geo.commune_a.pk, "name": "Thôn API", "kind": "Xóm"})
    assert response.status_code == 201
    body = response.json()
    village = Unit.objects.get(pk=body["id"])
    assert (body["name"], body["kind"], body["level"], body["parent"]) == (
        "Thôn API",
        "Xóm",
        "village",
        geo.commune_a.pk,
    )
    assert body["url"].endswith(reverse("api:unit-detail", args=[village.pk]))
    assert AuditEvent.objects.get().action == "geo.village.created"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"commune": "A", "name": "Thôn"}, "commune", "A valid integer is required."),
        ({"name": "Thôn Không Xã"}, "commune", "This field is required."),
        ({"commune": "{commune_a}", "name": ""}, "name", "This field may not be blank."),
        ({"commune": "{commune_a}", "name": "Thôn Một"}, "name", DUPLICATE),
        (
            {"commune": "{commune_a}", "name": "Thôn X", "kind": "Lâu đài"},
            "kind",
            '"Lâu đài" is not a valid choice.',
        ),
        ({"commune": "{province}", "name": "Thôn Tỉnh"}, "commune", NOT_A_COMMUNE),
    ],
    ids=["commune-not-a-number", "no-commune", "blank-name", "duplicate", "bad-kind", "province"],
)
def test_api_refuses_bad_input_with_a_message(client, geo, coordinator, data, field, message):
    data = {k: getattr(geo, v.strip("{}")).pk if str(v).startswith("{") else v for k, v in data.items()}
    client.force_login(coordinator)
    before = state()
    response = api_post(client, data)
    assert response.status_code == 400
    assert message in response.json()[field]
    assert state() == before


@pytest.mark.parametrize("commune", ["commune_b", "old_1"])
def test_api_out_of_scope_commune_is_404(client, geo, officer_a, commune):
    client.force_login(officer_a)
    before = state()
    response = api_post(client, {"commune": getattr(geo, commune).pk, "name": "Thôn Lạ"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown commune."}
    assert state() == before


def test_api_unknown_commune_is_404(client, geo, officer_a):
    client.force_login(officer_a)
    assert api_post(client, {"commune": 987654321, "name": "Thôn Ma"}).status_code == 404


def test_api_ended_commune(client, geo, admin):
    client.force_login(admin)
    before = state()
    response = api_post(client, {"commune": geo.old_1.pk, "name": "Thôn Cũ"})
    assert response.status_code == 400
    assert response.json() == {"commune": [ENDED]}
    assert state() == before


def test_retiring_a_retired_village_keeps_its_end_date(coordinator, geo):
    end = timezone.localdate().replace(day=1)
    village_retire(acting_user=coordinator, village=geo.village_a, valid_to=end)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        village_retire(acting_user=coordinator, village=geo.village_a)
    assert "This village is already out of use." in caught.value.messages
    geo.village_a.refresh_from_db()
    assert geo.village_a.valid_to == end
    assert AuditEvent.objects.count() == events
