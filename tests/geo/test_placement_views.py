"""Placing the records of a split commune: the review queue's pages and the API ``decide`` action.

A village of Old-2 (split between communes A and B on 01/07/2025) cannot be moved automatically.
``reorganise`` queues it for review with both communes as candidates. Users of any candidate
commune (and the provincial coordinator above them) see it; each places it only into a unit of
their own.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import REORG
from tests.factories import CommuneFactory, ProvinceFactory, SuccessionFactory, UserFactory, VillageFactory
from treem.audit.models import AuditEvent
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitMove
from treem.geo.reorganisation import reorganise

NOT_A_CANDIDATE = "Choose one of the new units this old unit went into."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def review(geo):
    """The pending review of village "Thôn Giữa" of the split commune Old-2."""
    village = VillageFactory(name="Thôn Giữa", parent=geo.old_2)
    reorganise(effective=REORG)
    review = PlacementReview.objects.get(object_id=village.pk)
    review.village = village
    return review


def state(review):
    review = PlacementReview.objects.get(pk=review.pk)
    village = Unit.objects.get(pk=review.object_id)
    return (
        review.status,
        review.placed_in_id,
        village.parent_id,
        village.path,
        UnitMove.objects.count(),
        AuditEvent.objects.count(),
    )


def test_reorganise_queues_the_village_for_the_province(geo, review):
    assert review.status == PlacementStatus.PENDING
    assert review.old_unit == geo.old_2
    assert set(review.candidates.all()) == {geo.commune_a, geo.commune_b}
    assert review.scope_unit == geo.province  # the common ancestor of the candidates
    assert review.record_label == "Thôn Giữa"
    assert review.village.parent == geo.old_2  # not moved yet


def test_coordinator_sees_the_review_in_list_detail_and_dashboard(client, geo, review, coordinator):
    client.force_login(coordinator)
    listing = client.get(reverse("geo:review_list"), {"status": "pending"})
    assert list(listing.context["object_list"]) == [review]
    detail = client.get(reverse("geo:review_detail", args=[review.pk]))
    assert detail.status_code == 200
    choices = {c.pk for c in detail.context["form"].fields["new_unit"].queryset}
    assert choices == {geo.commune_a.pk, geo.commune_b.pk}
    assert client.get(reverse("home")).context["pending_reviews"] == 1


def test_coordinator_places_the_record_through_the_page(client, geo, review, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_b.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("geo:review_list")
    review.refresh_from_db()
    assert (review.status, review.placed_in, review.decided_by) == (
        PlacementStatus.PLACED,
        geo.commune_b,
        coordinator,
    )
    assert review.decided_at is not None
    village = Unit.objects.get(pk=review.village.pk)
    assert village.parent == geo.commune_b
    assert village.path == f"{geo.commune_b.path}{village.pk}/"
    move = UnitMove.objects.get()
    assert (move.old_unit, move.new_unit, move.object_id, move.moved_by) == (
        geo.old_2,
        geo.commune_b,
        village.pk,
        coordinator,
    )
    event = AuditEvent.objects.get(action="geo.placement.decided")
    assert event.changes["placed_in"] == [None, geo.commune_b.pk]
    assert client.get(reverse("home")).context["pending_reviews"] == 0


def test_placed_village_is_in_the_new_communes_scope(client, geo, review, coordinator, officer_a, officer_b):
    client.force_login(coordinator)
    client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_b.pk})
    client.force_login(officer_b)
    assert client.get(reverse("geo:unit_detail", args=[review.village.pk])).status_code == 200
    client.force_login(officer_a)
    assert client.get(reverse("geo:unit_detail", args=[review.village.pk])).status_code == 404


def test_coordinator_places_the_record_through_the_api(client, geo, review, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("api:placementreview-decide", args=[review.pk]),
        {"new_unit": geo.commune_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["placed_in"]) == ("placed", geo.commune_a.pk)
    assert Unit.objects.get(pk=review.village.pk).parent == geo.commune_a


def test_page_refuses_a_unit_that_is_not_a_candidate(client, geo, review, coordinator):
    client.force_login(coordinator)
    before = state(review)
    response = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.province.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert state(review) == before


def test_api_refuses_a_unit_that_is_not_a_candidate(client, geo, review, coordinator):
    client.force_login(coordinator)
    before = state(review)
    for unit in (geo.province, geo.old_1, geo.village_a):
        response = client.post(
            reverse("api:placementreview-decide", args=[review.pk]),
            {"new_unit": unit.pk},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json() == {"new_unit": [NOT_A_CANDIDATE]}
    response = client.post(
        reverse("api:placementreview-decide", args=[review.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"new_unit": ["This field is required."]}
    assert state(review) == before


def test_a_placed_record_cannot_be_placed_again(client, geo, review, coordinator):
    client.force_login(coordinator)
    url = reverse("api:placementreview-decide", args=[review.pk])
    assert (
        client.post(url, {"new_unit": geo.commune_a.pk}, content_type="application/json").status_code == 200
    )
    before = state(review)
    response = client.post(url, {"new_unit": geo.commune_b.pk}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["This record has already been placed."]}
    page = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_b.pk})
    assert page.status_code == 400
    assert "This record has already been placed." in page.content.decode()
    assert state(review) == before


def test_a_deleted_record_cannot_be_placed(client, geo, review, coordinator):
    Unit.objects.filter(pk=review.village.pk).delete()
    client.force_login(coordinator)
    response = client.post(
        reverse("api:placementreview-decide", args=[review.pk]),
        {"new_unit": geo.commune_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["The record no longer exists."]}
    assert PlacementReview.objects.get(pk=review.pk).status == PlacementStatus.PENDING


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"])
def test_commune_officers_of_the_candidates_see_the_review(client, geo, review, request, persona):
    officer = request.getfixturevalue(persona)
    client.force_login(officer)
    assert list(client.get(reverse("geo:review_list")).context["object_list"]) == [review]
    assert client.get(reverse("home")).context["pending_reviews"] == 1
    assert client.get(reverse("geo:review_detail", args=[review.pk])).status_code == 200
    assert client.get(reverse("api:placementreview-detail", args=[review.pk])).status_code == 200


def test_officer_places_the_record_into_their_own_commune(client, geo, review, officer_b):
    client.force_login(officer_b)
    response = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_b.pk})
    assert response.status_code == 302
    review.village.refresh_from_db()
    assert review.village.parent == geo.commune_b
    assert review.village.path.startswith(geo.commune_b.path)


def test_officer_may_not_push_the_record_into_another_commune(client, geo, review, officer_a):
    client.force_login(officer_a)
    before = state(review)
    response = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_b.pk})
    assert response.status_code == 400
    assert "You may only place a record into a unit you work in." in response.content.decode()
    decide = client.post(
        reverse("api:placementreview-decide", args=[review.pk]),
        {"new_unit": geo.commune_b.pk},
        content_type="application/json",
    )
    assert decide.status_code == 400
    assert decide.json() == {"new_unit": ["You may only place a record into a unit you work in."]}
    assert state(review) == before


def test_officer_of_a_commune_that_is_not_a_candidate_does_not_see_it(client, geo, review):
    commune_c = CommuneFactory(name="Xã Khác", code="20009", parent=geo.province, valid_from=REORG)
    officer_c = UserFactory(username="canbo_khac", roles=["commune_officer"], units=[commune_c])
    client.force_login(officer_c)
    before = state(review)
    assert list(client.get(reverse("geo:review_list")).context["object_list"]) == []
    assert client.get(reverse("geo:review_detail", args=[review.pk])).status_code == 404
    response = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": geo.commune_a.pk})
    assert response.status_code == 404
    assert client.get(reverse("api:placementreview-detail", args=[review.pk])).status_code == 404
    assert state(review) == before


def test_viewer_of_the_province_may_not_open_the_queue(client, geo, review, viewer):
    client.force_login(viewer)
    assert client.get(reverse("geo:review_list")).status_code == 403
    decide = client.post(
        reverse("api:placementreview-decide", args=[review.pk]),
        {"new_unit": geo.commune_b.pk},
        content_type="application/json",
    )
    assert decide.status_code == 403
    assert PlacementReview.objects.get(pk=review.pk).status == PlacementStatus.PENDING


def test_review_of_a_cross_province_split_is_seen_by_both_provinces(client, geo, coordinator, admin):
    """A commune split between two provinces: each province's coordinator sees the review and may
    place the record only into a commune of their own province."""
    other_province = ProvinceFactory(name="Tỉnh Bên", code="47", valid_from=REORG)
    other_commune = CommuneFactory(name="Xã Bên", code="30001", parent=other_province, valid_from=REORG)
    SuccessionFactory(predecessor=geo.old_2, successor=other_commune, kind="partial")
    other_coordinator = UserFactory(
        username="dieuphoi_ben", roles=["provincial_coordinator"], units=[other_province]
    )
    village = VillageFactory(name="Thôn Biên Giới", parent=geo.old_2)
    reorganise(effective=REORG)
    review = PlacementReview.objects.get(object_id=village.pk)
    assert set(review.candidates.all()) == {geo.commune_a, geo.commune_b, other_commune}
    for user in (coordinator, other_coordinator, admin):
        client.force_login(user)
        assert client.get(reverse("geo:review_detail", args=[review.pk])).status_code == 200
    client.force_login(coordinator)
    refused = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": other_commune.pk})
    assert refused.status_code == 400
    client.force_login(other_coordinator)
    placed = client.post(reverse("geo:review_detail", args=[review.pk]), {"new_unit": other_commune.pk})
    assert placed.status_code == 302
    village.refresh_from_db()
    assert village.parent == other_commune
