"""Registry pages: list and search, register, record page (audited), changes, small forms, scope."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children import services
from treem.children.models import (
    Caregiver,
    Child,
    CircumstanceGroup,
    CircumstanceMembership,
    Consent,
    Household,
    Support,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


def state():
    """Rows that any page of the registry could write."""
    return (
        Child.objects.count(),
        Caregiver.objects.count(),
        CircumstanceMembership.objects.count(),
        Support.objects.count(),
        Consent.objects.count(),
        AuditEvent.objects.count(),
    )


def events(action):
    return AuditEvent.objects.filter(action=action)


@pytest.fixture
def child_a(geo):
    return ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Nguyễn Thị Ánh",
        birth_date=dt.date(2015, 3, 2),
        personal_id="048315000123",
    )


@pytest.fixture
def child_b(geo):
    return ChildFactory(commune=geo.commune_b, village=geo.village_b, full_name="Nguyễn Thị Ánh Bình")


def form_errors(response, form_name="form"):
    return response.context[form_name].errors


# --- list and search --------------------------------------------------------------------------


def test_list_shows_own_children_only(client, officer_a, child_a, child_b):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [child_a]
    assert child_b.full_name not in response.content.decode()


def test_list_search_without_diacritics(client, officer_a, coordinator, child_a, child_b, geo):
    ChildFactory(commune=geo.commune_a, full_name="Đặng Văn Tú")
    client.force_login(coordinator)
    response = client.get(reverse("children:child_list"), {"q": "nguyen thi anh"})
    assert set(response.context["object_list"]) == {child_a, child_b}
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"), {"q": "NGUYEN THI ANH"})
    assert list(response.context["object_list"]) == [child_a]
    response = client.get(reverse("children:child_list"), {"q": "dang"})
    assert [c.full_name for c in response.context["object_list"]] == ["Đặng Văn Tú"]


def test_live_search_answers_with_the_results_only(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"), {"q": "anh"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="child-table"' in html
    assert child_a.full_name in html


def test_typo_finds_near_spellings_within_scope(client, officer_a, child_a, geo):
    ChildFactory(commune=geo.commune_b, full_name="Nguyễn Thị Anh")  # as close, but commune B
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"), {"q": "nguyen thi anhh"})
    # The ranked search lists near spellings last (issue 14), so nothing is left to suggest.
    assert list(response.context["object_list"]) == [child_a]
    assert response.context["suggestions"] == []
    html = response.content.decode()
    assert child_a.get_absolute_url() in html
    assert "Nguyễn Thị Anh<" not in html


def test_suggestions_respect_the_other_filters(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"), {"q": "nguyen thi anhh", "sex": "male"})
    assert response.context["suggestions"] == []
    assert "No child matches." in response.content.decode()


def test_no_suggestions_when_the_search_finds_children(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"), {"q": "anh"})
    assert response.context["suggestions"] == []


def test_list_filters(client, officer_a, child_a, geo):
    boy = ChildFactory(commune=geo.commune_a, full_name="Lê Văn Nam", sex="male", birth_year=TODAY.year - 3)
    orphan = CircumstanceGroup.objects.get(code="a")
    services.circumstance_enter(
        acting_user=officer_a, child=boy, group=orphan, entered_on=TODAY - dt.timedelta(days=3)
    )
    client.force_login(officer_a)
    url = reverse("children:child_list")

    def names(**params):
        return [c.full_name for c in client.get(url, params).context["object_list"]]

    assert names(sex="male") == ["Lê Văn Nam"]
    assert names(group=orphan.pk) == ["Lê Văn Nam"]
    assert names(age_max=5) == ["Lê Văn Nam"]
    assert names(age_min=6) == ["Nguyễn Thị Ánh"]
    assert names(unit=geo.village_a.pk) == ["Nguyễn Thị Ánh"]
    assert sorted(names(unit=geo.commune_a.pk)) == ["Lê Văn Nam", "Nguyễn Thị Ánh"]
    assert names(unit=geo.commune_b.pk) == []  # another commune's id filters to nothing


def test_unit_filter_offers_only_the_users_units(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"))
    choices = dict(response.context["filterset"].form.fields["unit"].widget.choices)
    assert str(geo.commune_a.pk) in choices and str(geo.village_a.pk) in choices
    assert str(geo.commune_b.pk) not in choices and str(geo.village_b.pk) not in choices


def test_list_shows_children_in_the_registry_unless_asked(client, officer_a, child_a, geo):
    gone = ChildFactory(commune=geo.commune_a, full_name="Trần Văn Đi")
    services.child_deactivate(acting_user=officer_a, child=gone, reason="Chuyển đi tỉnh khác")
    client.force_login(officer_a)
    url = reverse("children:child_list")
    assert list(client.get(url).context["object_list"]) == [child_a]
    assert list(client.get(url, {"active": "false"}).context["object_list"]) == [gone]
    assert len(client.get(url, {"active": "unknown"}).context["object_list"]) == 2


def test_list_is_paginated(client, officer_a, geo):
    ChildFactory.create_batch(51, commune=geo.commune_a)
    client.force_login(officer_a)
    response = client.get(reverse("children:child_list"))
    assert len(response.context["object_list"]) == 50
    assert response.context["paginator"].count == 51
    assert len(client.get(reverse("children:child_list"), {"page": 2}).context["object_list"]) == 1


def test_list_access(client, viewer, no_role_a, officer_no_unit, child_a):
    url = reverse("children:child_list")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(viewer)  # leadership sees figures, not children's records
    assert client.get(url).status_code == 403
    client.force_login(no_role_a)
    assert client.get(url).status_code == 403
    client.force_login(officer_no_unit)
    response = client.get(url)
    assert response.status_code == 200 and list(response.context["object_list"]) == []


def test_list_offers_import_to_those_who_may_add_and_export_to_all(client, officer_a, supervisor_a, child_a):
    import_url = reverse("children:import")
    export_button = f'form="child-search" formaction="{reverse("children:export")}"'
    client.force_login(officer_a)
    html = client.get(reverse("children:child_list")).content.decode()
    assert f'href="{import_url}"' in html and export_button in html
    assert 'id="child-search"' in html  # the form whose filters the button sends
    client.force_login(supervisor_a)  # sees children, may not add any
    html = client.get(reverse("children:child_list")).content.decode()
    assert f'href="{import_url}"' not in html and export_button in html


# --- the record page ----------------------------------------------------------------------------


def test_record_page_is_audited(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(child_a.get_absolute_url())
    assert response.status_code == 200
    event = events("children.child.viewed").get()
    assert event.actor == officer_a and event.object_id == str(child_a.pk)
    html = response.content.decode()
    assert child_a.full_name in html and "02/03/2015" in html
    assert reverse("audit:history", args=["children", "child", child_a.pk]) not in html  # no audit right


@pytest.mark.parametrize("path", ["/children/{pk}/", "/children/{pk}/edit/"])
def test_out_of_scope_and_forged_ids_are_404(client, officer_b, child_a, path):
    client.force_login(officer_b)
    before = state()
    for pk in (child_a.pk, 999999, 10**12):
        response = client.get(path.format(pk=pk))
        assert response.status_code == 404
        assert child_a.full_name not in response.content.decode()
    assert client.get("/children/abc/").status_code == 404
    assert state() == before


def test_record_page_shows_id_findings_as_warnings(client, officer_a, geo):
    child = ChildFactory(
        commune=geo.commune_a,
        full_name="Lê Thị Lan",
        sex="female",
        birth_year=2016,
        personal_id="099215000777",
    )
    client.force_login(officer_a)
    html = client.get(child.get_absolute_url()).content.decode()
    assert "Check the personal identification number" in html
    assert "Digits 1–3 (099) are not the code of a province." in html
    assert "Digit 4 says Male but the record says otherwise." in html
    assert "Digits 4–6 say born in 2015 but the record says 2016." in html


def test_record_page_without_findings(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(child_a.get_absolute_url())
    assert response.context["findings"] == []
    assert "Check the personal identification number" not in response.content.decode()


def test_record_page_shows_the_whole_record(client, supervisor_a, officer_a, child_a, geo):
    household = Household.objects.create(
        commune=geo.commune_a, head_name="Nguyễn Văn Cha", poverty_status="poor"
    )
    services.child_update(acting_user=officer_a, child=child_a, household=household)
    services.caregiver_add(
        acting_user=officer_a, child=child_a, relationship="mother", full_name="Trần Thị Mẹ"
    )
    orphan, at_risk = CircumstanceGroup.objects.get(code="a"), CircumstanceGroup.objects.get(code="nguy-co")
    past = services.circumstance_enter(
        acting_user=officer_a, child=child_a, group=at_risk, entered_on=dt.date(2023, 1, 5)
    )
    services.circumstance_leave(
        acting_user=officer_a, membership=past, left_on=dt.date(2024, 2, 1), left_reason="Gia đình ổn định"
    )
    services.circumstance_enter(
        acting_user=officer_a, child=child_a, group=orphan, entered_on=dt.date(2024, 5, 1)
    )
    services.support_record(
        acting_user=officer_a,
        child=child_a,
        kind="Trợ cấp xã hội",
        given_on=dt.date(2024, 6, 1),
        amount_vnd=540000,
    )
    services.consent_record(
        acting_user=officer_a,
        child=child_a,
        purpose="registry",
        given_on=dt.date(2024, 6, 1),
        given_by="Trần Thị Mẹ",
        child_agreed=True,
    )
    client.force_login(supervisor_a)  # may read and see history, may change nothing
    response = client.get(child_a.get_absolute_url())
    html = response.content.decode()
    for text in (
        "Nguyễn Văn Cha",
        "Poor household",
        "Trần Thị Mẹ",
        "Mother",
        "Trẻ em mồ côi cả cha và mẹ",
        "since 01/05/2024",
        "Gia đình ổn định",
        "Trợ cấp xã hội",
        "540000 VND",
        "Keeping the child&#x27;s record in the child database",
        "Not checked",
        reverse("audit:history", args=["children", "child", child_a.pk]),
    ):
        assert text in html, text
    [(current, leave_form)] = response.context["current_memberships"]
    assert current.group == orphan and leave_form is None  # no right to change
    assert [m.group for m in response.context["past_memberships"]] == [at_risk]
    for name in ("caregiver_form", "circumstance_form", "support_form", "consent_form", "deactivate_form"):
        assert name not in response.context
    assert reverse("children:child_edit", args=[child_a.pk]) not in html


def test_officer_sees_the_small_forms(client, officer_a, child_a):
    client.force_login(officer_a)
    response = client.get(child_a.get_absolute_url())
    for name in ("caregiver_form", "circumstance_form", "support_form", "consent_form", "deactivate_form"):
        assert name in response.context
    assert reverse("children:child_edit", args=[child_a.pk]) in response.content.decode()


# --- registering ----------------------------------------------------------------------------


def register_data(geo, **overrides):
    data = {
        "commune": geo.commune_a.pk,
        "village": geo.village_a.pk,
        "full_name": "Phạm Minh Khôi",
        "sex": "male",
        "birth_date": "14/09/2017",
        "birth_year": "",
        "personal_id": "048 217 000456",
        "nationality": "VN",
        "schooling_status": "in_school",
        "birth_registered": "true",
        "health_insurance": "unknown",
        "disability_level": "",
    }
    data.update(overrides)
    return data


def test_register_form_defaults_to_the_officers_only_commune(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_add"))
    form = response.context["form"]
    assert response.status_code == 200
    assert form["commune"].value() == geo.commune_a.pk
    assert list(form.fields["commune"].queryset) == [geo.commune_a]
    assert list(form.fields["village"].queryset) == [geo.village_a]


def test_register_form_villages_follow_the_chosen_commune(client, coordinator, geo):
    client.force_login(coordinator)
    form = client.get(reverse("children:child_add")).context["form"]
    assert form["commune"].value() is None  # two communes: the coordinator chooses
    assert set(form.fields["commune"].queryset) == {geo.commune_a, geo.commune_b}
    assert list(form.fields["village"].queryset) == []
    response = client.get(reverse("children:child_add"), {"commune": geo.commune_b.pk})
    assert list(response.context["form"].fields["village"].queryset) == [geo.village_b]
    assert 'id="child-place"' in response.content.decode()


def test_register_a_child(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(reverse("children:child_add"), register_data(geo))
    child = Child.objects.get(full_name="Phạm Minh Khôi")
    assert response.status_code == 302 and response.url == child.get_absolute_url()
    assert child.commune == geo.commune_a and child.village == geo.village_a
    assert child.birth_date == dt.date(2017, 9, 14) and child.birth_year == 2017
    assert child.personal_id == "048217000456" and child.birth_registered is True
    assert child.health_insurance is None
    assert events("children.child.registered").get().object_id == str(child.pk)


def test_register_with_the_year_only(client, officer_a, geo):
    client.force_login(officer_a)
    client.post(
        reverse("children:child_add"), register_data(geo, birth_date="", birth_year="2012", village="")
    )
    child = Child.objects.get(full_name="Phạm Minh Khôi")
    assert child.birth_date is None and child.birth_year == 2012 and child.village is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"birth_date": "31/02/2015"},
            "birth_date",
            "Enter the date as day/month/year, for example 15/03/2020.",
        ),
        ({"birth_date": "01/01/2099"}, "birth_date", "The date of birth cannot be in the future."),
        ({"birth_date": "", "birth_year": ""}, "birth_year", "Enter the date of birth, or at least the year"),
        ({"birth_date": "", "birth_year": "2001"}, "birth_year", "over 18 years old"),
        ({"personal_id": "04821700045"}, "personal_id", "must have exactly 12 digits"),
        ({"full_name": "   "}, "full_name", "This field is required."),
        ({"village": "GEO_VILLAGE_B"}, "village", "Select a valid choice."),
        ({"commune": "GEO_COMMUNE_B"}, "commune", "Select a valid choice."),
        ({"commune": "abc"}, "commune", "Select a valid choice."),
    ],
)
def test_register_bad_input_is_explained_and_nothing_written(
    client, officer_a, geo, overrides, field, message
):
    ids = {"GEO_VILLAGE_B": geo.village_b.pk, "GEO_COMMUNE_B": geo.commune_b.pk}
    overrides = {k: ids.get(v, v) for k, v in overrides.items()}
    client.force_login(officer_a)
    before = state()
    response = client.post(reverse("children:child_add"), register_data(geo, **overrides))
    assert response.status_code == 400
    assert any(message in e for e in form_errors(response)[field]), form_errors(response)
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert state() == before


def test_register_duplicate_id_names_the_existing_record(client, officer_a, child_a, geo):
    client.force_login(officer_a)
    before = state()
    response = client.post(reverse("children:child_add"), register_data(geo, personal_id=child_a.personal_id))
    assert response.status_code == 400
    [message] = form_errors(response)["personal_id"]
    assert "already recorded for Nguyễn Thị Ánh in Phường An" in message
    assert state() == before


def test_register_needs_the_right(client, supervisor_a, geo):
    client.force_login(supervisor_a)
    assert client.get(reverse("children:child_add")).status_code == 403
    before = state()
    assert client.post(reverse("children:child_add"), register_data(geo)).status_code == 403
    assert state() == before


# --- changing ---------------------------------------------------------------------------------


def test_edit_form_is_audited_as_a_view_and_saves_through_the_service(client, officer_a, child_a, geo):
    client.force_login(officer_a)
    response = client.get(reverse("children:child_edit", args=[child_a.pk]))
    form = response.context["form"]
    assert "commune" not in form.fields
    assert form["full_name"].value() == "Nguyễn Thị Ánh"
    assert events("children.child.viewed").count() == 1
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        birth_date="02/03/2015", school="Trường Tiểu học An", grade="4", health_insurance="true", sex="female"
    )
    response = client.post(reverse("children:child_edit", args=[child_a.pk]), data)
    assert response.status_code == 302
    child_a.refresh_from_db()
    assert child_a.school == "Trường Tiểu học An" and child_a.health_insurance is True
    assert child_a.full_name == "Nguyễn Thị Ánh" and child_a.village == geo.village_a
    changes = events("children.child.updated").get().changes
    assert set(changes) == {"school", "grade", "health_insurance", "updated_by"}


def edit_data(child_a, **changes) -> dict:
    data = {
        "full_name": child_a.full_name,
        "sex": child_a.sex,
        "birth_date": child_a.birth_date.strftime("%d/%m/%Y"),
        "personal_id": child_a.personal_id,
        "nationality": "VN",
        "schooling_status": "unknown",
        "village": child_a.village_id,
    }
    return {**data, **changes}


def test_edit_goes_back_to_the_page_it_was_opened_from(client, officer_a, child_a, geo):
    client.force_login(officer_a)
    back = f"{reverse('children:quality')}?unit={geo.commune_a.pk}"
    url = f"{reverse('children:child_edit', args=[child_a.pk])}?next={quote(back)}"
    response = client.get(url)
    assert response.context["next_url"] == back
    assert f'href="{back.replace("&", "&amp;")}">Cancel' in response.content.decode()
    response = client.post(url, edit_data(child_a, birth_registered="true"))
    assert response.status_code == 302 and response.url == back
    child_a.refresh_from_db()
    assert child_a.birth_registered is True


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/children/", "javascript:alert(1)"])
def test_edit_never_goes_back_to_another_site(client, officer_a, child_a, target):
    client.force_login(officer_a)
    url = f"{reverse('children:child_edit', args=[child_a.pk])}?next={quote(target)}"
    response = client.get(url)
    assert response.context["next_url"] == ""
    assert f'href="{child_a.get_absolute_url()}">Cancel' in response.content.decode()
    response = client.post(url, edit_data(child_a, grade="5"))
    assert response.status_code == 302 and response.url == child_a.get_absolute_url()


def test_refused_edit_keeps_the_way_back(client, officer_a, child_a):
    client.force_login(officer_a)
    back = reverse("children:quality")
    url = f"{reverse('children:child_edit', args=[child_a.pk])}?next={quote(back)}"
    before = state()
    response = client.post(url, edit_data(child_a, birth_date="31/02/2015"))
    assert response.status_code == 400 and response.context["next_url"] == back
    assert state() == before


def test_quality_page_offers_to_fix_each_finding(client, officer_a, supervisor_a, geo):
    unregistered = ChildFactory(commune=geo.commune_a, full_name="Lê Thị Hoa", birth_registered=False)
    wrong_id = ChildFactory(commune=geo.commune_a, sex="male", birth_year=2015, personal_id="048315000123")
    page = f"{reverse('children:quality')}?unit={geo.commune_a.pk}"
    client.force_login(officer_a)
    html = client.get(page).content.decode()
    for child in (unregistered, wrong_id):
        assert f"{reverse('children:child_edit', args=[child.pk])}?next={quote(page, safe='/')}" in html
    client.force_login(supervisor_a)  # may see the findings, not change the records
    html = client.get(page).content.decode()
    assert "Lê Thị Hoa" in html and reverse("children:child_edit", args=[unregistered.pk]) not in html


def test_edit_bad_input_changes_nothing(client, officer_a, child_a, geo):
    ChildFactory(commune=geo.commune_a, full_name="Lê Văn Trùng", personal_id="048315000999")
    client.force_login(officer_a)
    before = state()
    response = client.post(
        reverse("children:child_edit", args=[child_a.pk]),
        {
            "full_name": "Tên Mới",
            "sex": "female",
            "birth_date": "02/03/2015",
            "personal_id": "048315000999",
            "nationality": "VN",
            "schooling_status": "unknown",
        },
    )
    assert response.status_code == 400
    assert "already recorded for Lê Văn Trùng" in form_errors(response)["personal_id"][0]
    assert response.context["child"].full_name == "Nguyễn Thị Ánh"
    child_a.refresh_from_db()
    assert child_a.full_name == "Nguyễn Thị Ánh"
    assert state() == before


def test_edit_out_of_scope_post_is_404(client, officer_b, child_a):
    client.force_login(officer_b)
    before = state()
    response = client.post(
        reverse("children:child_edit", args=[child_a.pk]),
        {"full_name": "X", "sex": "male", "birth_year": 2015},
    )
    assert response.status_code == 404
    assert state() == before


def test_deactivate(client, officer_a, child_a):
    client.force_login(officer_a)
    url = reverse("children:child_deactivate", args=[child_a.pk])
    assert client.get(url).status_code == 405
    before = state()
    response = client.post(url, {"deactivate-reason": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.context["deactivate_form"].errors["reason"]
    assert state() == before
    response = client.post(url, {"deactivate-reason": "Chuyển đến tỉnh khác"})
    assert response.status_code == 302
    child_a.refresh_from_db()
    assert not child_a.is_active and child_a.inactive_reason == "Chuyển đến tỉnh khác"
    assert events("children.child.deactivated").get().reason == "Chuyển đến tỉnh khác"
    html = client.get(child_a.get_absolute_url()).content.decode()
    assert "Out of the registry" in html and "Chuyển đến tỉnh khác" in html


# --- the small forms of the record page ------------------------------------------------------


def test_add_a_caregiver(client, officer_a, child_a):
    client.force_login(officer_a)
    url = reverse("children:caregiver_add", args=[child_a.pk])
    response = client.post(
        url,
        {
            "caregiver-relationship": "father",
            "caregiver-full_name": "Nguyễn Văn Bố",
            "caregiver-birth_year": "1985",
        },
    )
    assert response.status_code == 302
    caregiver = Caregiver.objects.get()
    assert caregiver.full_name == "Nguyễn Văn Bố" and caregiver.lives_with_child is False
    assert events("children.caregiver.added").count() == 1


def test_caregiver_bad_input_reshows_the_page_without_a_view_event(client, officer_a, child_a):
    client.force_login(officer_a)
    before = state()
    response = client.post(
        reverse("children:caregiver_add", args=[child_a.pk]),
        {"caregiver-relationship": "uncle", "caregiver-full_name": ""},
    )
    assert response.status_code == 400
    errors = response.context["caregiver_form"].errors
    assert "This field is required." in errors["full_name"]
    assert "Select a valid choice. uncle is not one of the available choices." in errors["relationship"]
    html = response.content.decode()
    assert child_a.full_name in html and "<details" in html and " open>" in html
    assert state() == before


def test_enter_and_leave_a_group(client, officer_a, child_a):
    client.force_login(officer_a)
    group = CircumstanceGroup.objects.get(code="d")
    response = client.post(
        reverse("children:circumstance_enter", args=[child_a.pk]),
        {
            "circumstance-group": group.pk,
            "circumstance-entered_on": "01/02/2024",
            "circumstance-reason": "Khiếm thị",
        },
    )
    assert response.status_code == 302
    membership = CircumstanceMembership.objects.get()
    assert membership.entered_on == dt.date(2024, 2, 1) and membership.reason == "Khiếm thị"

    before = state()
    response = client.post(
        reverse("children:circumstance_leave", args=[membership.pk]),
        {f"leave-{membership.pk}-left_on": "01/01/2024", f"leave-{membership.pk}-left_reason": "Khỏi"},
    )
    assert response.status_code == 400
    [(_m, form)] = response.context["current_memberships"]
    assert form.errors["left_on"] == ["The child cannot leave a group before entering it."]
    assert state() == before

    response = client.post(
        reverse("children:circumstance_leave", args=[membership.pk]),
        {f"leave-{membership.pk}-left_on": "01/03/2024", f"leave-{membership.pk}-left_reason": "Khỏi"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2024, 3, 1)
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "children.circumstance.entered",
        "children.circumstance.left",
    ]


def test_enter_a_group_in_the_future_is_refused(client, officer_a, child_a):
    client.force_login(officer_a)
    future = (TODAY + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    before = state()
    response = client.post(
        reverse("children:circumstance_enter", args=[child_a.pk]),
        {"circumstance-group": CircumstanceGroup.objects.get(code="a").pk, "circumstance-entered_on": future},
    )
    assert response.status_code == 400
    assert response.context["circumstance_form"].errors["entered_on"] == ["The date cannot be in the future."]
    assert state() == before


def test_record_support(client, officer_a, child_a, geo):
    client.force_login(officer_a)
    url = reverse("children:support_add", args=[child_a.pk])
    before = state()
    response = client.post(
        url, {"support-kind": "Học bổng", "support-given_on": "05/09/2024", "support-amount_vnd": "-5"}
    )
    assert response.status_code == 400
    assert response.context["support_form"].errors["amount_vnd"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert state() == before
    response = client.post(
        url,
        {
            "support-kind": "Học bổng",
            "support-given_on": "05/09/2024",
            "support-amount_vnd": "1000000",
            "support-agency": geo.agency_a.pk,
        },
    )
    assert response.status_code == 302
    support = Support.objects.get()
    assert support.amount_vnd == 1_000_000 and support.agency == geo.agency_a
    assert events("children.support.recorded").count() == 1


def test_support_agency_of_another_commune_is_not_a_choice(client, officer_a, child_a, geo):
    client.force_login(officer_a)
    before = state()
    response = client.post(
        reverse("children:support_add", args=[child_a.pk]),
        {"support-kind": "Quà", "support-given_on": "05/09/2024", "support-agency": geo.agency_b.pk},
    )
    assert response.status_code == 400
    assert "agency" in response.context["support_form"].errors
    assert state() == before


def test_record_and_withdraw_consent(client, officer_a, child_a):
    client.force_login(officer_a)
    url = reverse("children:consent_add", args=[child_a.pk])
    data = {
        "consent-purpose": "sharing",
        "consent-legal_basis": "consent",
        "consent-given_by": "Trần Thị Mẹ",
        "consent-given_by_relationship": "mother",
        "consent-given_on": "01/06/2024",
        "consent-child_agreed": "unknown",
    }
    before = state()
    response = client.post(url, data)
    assert response.status_code == 400  # the child is 9: they must agree too
    assert (
        "A child aged 7 or older must agree too" in response.context["consent_form"].errors["child_agreed"][0]
    )
    assert state() == before
    response = client.post(url, {**data, "consent-child_agreed": "true"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.child_agreed is True and consent.given_by_relationship == "mother"

    withdraw = reverse("children:consent_withdraw", args=[consent.pk])
    before = state()
    response = client.post(withdraw, {f"withdraw-{consent.pk}-withdrawn_on": "01/01/2024"})
    assert response.status_code == 400
    [(_c, form)] = response.context["consents"]
    assert form.errors["withdrawn_on"] == ["Consent cannot be withdrawn before it was given."]
    assert state() == before
    response = client.post(withdraw, {f"withdraw-{consent.pk}-withdrawn_on": "02/06/2024"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2024, 6, 2)
    assert events("children.consent.withdrawn").count() == 1
    assert "withdrawn on 02/06/2024" in client.get(child_a.get_absolute_url()).content.decode()


def test_small_forms_are_404_out_of_scope(client, officer_a, officer_b, child_a):
    membership = services.circumstance_enter(
        acting_user=officer_a,
        child=child_a,
        group=CircumstanceGroup.objects.get(code="a"),
        entered_on=dt.date(2024, 1, 1),
    )
    consent = services.consent_record(
        acting_user=officer_a,
        child=child_a,
        purpose="survey",
        legal_basis="legal_duty",
        given_on=dt.date(2024, 1, 1),
    )
    client.force_login(officer_b)
    before = state()
    posts = [
        ("children:child_deactivate", child_a.pk, {"deactivate-reason": "x"}),
        (
            "children:caregiver_add",
            child_a.pk,
            {"caregiver-relationship": "father", "caregiver-full_name": "X"},
        ),
        (
            "children:circumstance_enter",
            child_a.pk,
            {"circumstance-group": 1, "circumstance-entered_on": "01/01/2024"},
        ),
        ("children:circumstance_leave", membership.pk, {f"leave-{membership.pk}-left_on": "02/01/2024"}),
        ("children:support_add", child_a.pk, {"support-kind": "X", "support-given_on": "01/01/2024"}),
        ("children:consent_add", child_a.pk, {"consent-purpose": "survey", "consent-given_on": "01/01/2024"}),
        ("children:consent_withdraw", consent.pk, {f"withdraw-{consent.pk}-withdrawn_on": "02/01/2024"}),
    ]
    for name, pk, data in posts:
        response = client.post(reverse(name, args=[pk]), data)
        assert response.status_code == 404, name
        assert child_a.full_name not in response.content.decode()
    assert state() == before


def test_small_forms_need_the_right(client, supervisor_a, child_a):
    client.force_login(supervisor_a)
    before = state()
    for name in (
        "children:child_deactivate",
        "children:caregiver_add",
        "children:support_add",
        "children:consent_add",
    ):
        assert client.post(reverse(name, args=[child_a.pk]), {}).status_code == 403, name
    assert state() == before
