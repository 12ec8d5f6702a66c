"""The child API: filters, scope (404), audited reads of one child, writes through the services."""

import datetime as dt

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children.models import Child, CircumstanceGroup
from treem.children.services import caregiver_add, circumstance_enter

URL = "/api/v1/children/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def api():
    return APIClient()


def state():
    return Child.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def child_a(geo):
    return ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Nguyễn Thị Ánh",
        birth_date=dt.date(2015, 3, 2),
        personal_id="048315000123",
        notes="Gia đình khó khăn",
    )


@pytest.fixture
def child_b(geo):
    return ChildFactory(commune=geo.commune_b, full_name="Nguyễn Thị Ánh Bình")


def test_list_is_scoped_and_filtered(api, officer_a, coordinator, child_a, child_b, geo):
    ChildFactory(commune=geo.commune_a, full_name="Lê Văn Nam", sex="male")
    api.force_authenticate(officer_a)
    response = api.get(URL)
    assert response.status_code == 200
    assert sorted(r["full_name"] for r in response.data["results"]) == ["Lê Văn Nam", "Nguyễn Thị Ánh"]
    assert "notes" not in response.data["results"][0]  # notes only on an audited read of one child
    response = api.get(URL, {"q": "nguyen thi anh"})
    assert [r["full_name"] for r in response.data["results"]] == ["Nguyễn Thị Ánh"]
    assert [r["full_name"] for r in api.get(URL, {"sex": "male"}).data["results"]] == ["Lê Văn Nam"]
    api.force_authenticate(coordinator)
    response = api.get(URL, {"q": "nguyen thi anh"})
    assert {r["full_name"] for r in response.data["results"]} == {"Nguyễn Thị Ánh", "Nguyễn Thị Ánh Bình"}
    assert AuditEvent.objects.count() == 0


def test_bad_filter_is_400(api, officer_a, child_a):
    api.force_authenticate(officer_a)
    response = api.get(URL, {"age_min": "-1"})
    assert response.status_code == 400
    assert "age_min" in response.data


def test_anonymous_and_without_permission(api, viewer, child_a):
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{child_a.pk}/").status_code == 401
    api.force_authenticate(viewer)
    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}{child_a.pk}/").status_code == 403
    assert AuditEvent.objects.count() == 0


def test_detail_is_audited_and_complete(api, officer_a, child_a):
    caregiver_add(acting_user=officer_a, child=child_a, relationship="mother", full_name="Trần Thị Mẹ")
    circumstance_enter(
        acting_user=officer_a,
        child=child_a,
        group=CircumstanceGroup.objects.get(code="a"),
        entered_on=dt.date(2024, 5, 1),
    )
    api.force_authenticate(officer_a)
    before = AuditEvent.objects.count()
    response = api.get(f"{URL}{child_a.pk}/")
    assert response.status_code == 200
    data = response.data
    assert data["full_name"] == "Nguyễn Thị Ánh" and data["birth_date"] == "2015-03-02"
    assert data["notes"] == "Gia đình khó khăn" and data["id_findings"] == []
    assert data["id_check_status"] == "not_checked"
    assert [c["full_name"] for c in data["caregivers"]] == ["Trần Thị Mẹ"]
    assert [m["group_code"] for m in data["circumstances"]] == ["a"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "children.child.viewed" and event.object_id == str(child_a.pk)


def test_detail_reports_id_findings(api, officer_a, geo):
    child = ChildFactory(commune=geo.commune_a, sex="female", birth_year=2016, personal_id="048215000777")
    api.force_authenticate(officer_a)
    codes = [f["code"] for f in api.get(f"{URL}{child.pk}/").data["id_findings"]]
    assert codes == ["sex", "birth_year"]


def test_out_of_scope_and_forged_ids_are_404(api, officer_b, child_a):
    api.force_authenticate(officer_b)
    before = state()
    for pk in (child_a.pk, 999999, "abc"):
        response = api.get(f"{URL}{pk}/")
        assert response.status_code == 404
        assert "Nguyễn" not in response.content.decode()
    response = api.patch(f"{URL}{child_a.pk}/", {"school": "X"}, format="json")
    assert response.status_code == 404
    assert state() == before


def payload(geo, **overrides):
    data = {
        "commune": geo.commune_a.pk,
        "village": geo.village_a.pk,
        "full_name": "Phạm Minh Khôi",
        "sex": "male",
        "birth_date": "2017-09-14",
        "personal_id": "048217000456",
        "ethnicity": None,
        "health_insurance": True,
    }
    data.update(overrides)
    return data


def test_create_through_the_service(api, officer_a, geo):
    api.force_authenticate(officer_a)
    response = api.post(URL, payload(geo), format="json")
    assert response.status_code == 201, response.data
    child = Child.objects.get(pk=response.data["id"])
    assert child.commune == geo.commune_a and child.birth_year == 2017 and child.health_insurance is True
    assert response.data["url"].endswith(f"{URL}{child.pk}/")
    assert AuditEvent.objects.get().action == "children.child.registered"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": "2015-02-31"}, "birth_date", "Date has wrong format."),
        ({"birth_date": "2099-01-01"}, "birth_date", "The date of birth cannot be in the future."),
        ({"birth_date": None}, "birth_year", "Enter the date of birth, or at least the year of birth."),
        ({"birth_date": None, "birth_year": 1990}, "birth_year", "over 18 years old"),
        ({"personal_id": "12345"}, "personal_id", "must have exactly 12 digits"),
        ({"full_name": ""}, "full_name", "This field may not be blank."),
        ({"sex": "x"}, "sex", '"x" is not a valid choice.'),
        ({"commune": "GEO_COMMUNE_B"}, "commune", "object does not exist"),
        ({"commune": None}, "commune", "This field may not be null."),
        ({"village": "GEO_VILLAGE_B"}, "village", "object does not exist"),
        ({"commune": "GEO_OLD_COMMUNE"}, "commune", "object does not exist"),
    ],
)
def test_create_bad_input_is_400_and_writes_nothing(api, officer_a, geo, overrides, field, message):
    ids = {
        "GEO_COMMUNE_B": geo.commune_b.pk,
        "GEO_VILLAGE_B": geo.village_b.pk,
        "GEO_OLD_COMMUNE": geo.old_1.pk,
    }
    overrides = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    api.force_authenticate(officer_a)
    before = state()
    response = api.post(URL, payload(geo, **overrides), format="json")
    assert response.status_code == 400
    assert any(message in str(m) for m in response.data[field]), response.data
    assert state() == before


def test_create_village_of_another_commune_in_scope_is_explained(api, coordinator, geo):
    api.force_authenticate(coordinator)
    before = state()
    response = api.post(URL, payload(geo, village=geo.village_b.pk), format="json")
    assert response.status_code == 400
    assert response.data["village"] == ["Choose a village of the child's commune."]
    assert state() == before


def test_create_duplicate_id_is_400(api, officer_a, child_a, geo):
    api.force_authenticate(officer_a)
    before = state()
    response = api.post(URL, payload(geo, personal_id=child_a.personal_id), format="json")
    assert response.status_code == 400
    assert "already recorded for Nguyễn Thị Ánh in Phường An" in response.data["personal_id"][0]
    assert state() == before


def test_create_needs_the_right(api, supervisor_a, geo):
    api.force_authenticate(supervisor_a)
    before = state()
    assert api.post(URL, payload(geo), format="json").status_code == 403
    assert state() == before


def test_update_through_the_service(api, officer_a, child_a):
    api.force_authenticate(officer_a)
    response = api.patch(f"{URL}{child_a.pk}/", {"school": "Trường Tiểu học An", "grade": "4"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["school"] == "Trường Tiểu học An"
    child_a.refresh_from_db()
    assert child_a.grade == "4" and child_a.full_name == "Nguyễn Thị Ánh"
    event = AuditEvent.objects.get()
    assert event.action == "children.child.updated"
    assert set(event.changes) == {"school", "grade", "updated_by"}


def test_update_bad_input_changes_nothing(api, officer_a, child_a):
    api.force_authenticate(officer_a)
    before = state()
    response = api.patch(f"{URL}{child_a.pk}/", {"birth_date": "2099-01-01"}, format="json")
    assert response.status_code == 400
    assert response.data["birth_date"] == ["The date of birth cannot be in the future."]
    response = api.patch(f"{URL}{child_a.pk}/", {"commune": child_a.commune_id}, format="json")
    assert response.status_code == 400
    assert response.data["commune"] == ["A child's commune is not changed by editing the record."]
    child_a.refresh_from_db()
    assert child_a.birth_date == dt.date(2015, 3, 2)
    assert state() == before


def test_put_needs_the_required_fields(api, officer_a, child_a):
    api.force_authenticate(officer_a)
    before = state()
    response = api.put(f"{URL}{child_a.pk}/", {"school": "X"}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"full_name", "sex"}
    assert state() == before


def test_delete_is_not_offered(api, admin, child_a):
    api.force_authenticate(admin)
    assert api.delete(f"{URL}{child_a.pk}/").status_code == 405
    assert Child.objects.filter(pk=child_a.pk).exists()
