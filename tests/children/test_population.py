"""Linking with the national population database: the HTTP adapter against the stand-in server
(started on loopback), the services that record the outcome, the command and the page."""

import datetime as dt
import json
import socket

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children.choices import IdCheckStatus
from treem.children.models import Child
from treem.children.population import (
    HttpPopulationRegistry,
    Person,
    PopulationNotConfigured,
    PopulationRefused,
    PopulationUnavailable,
    child_check_population,
    children_check_population,
    match_person,
    registry_from_settings,
)
from treem.children.population_standin import PopulationStandin, load_people
from treem.core.scope import ScopeError

TOKEN = "secret-test-token"
ANH = Person("048315000123", "Nguyễn Thị Ánh", dt.date(2015, 3, 2), "female")
BINH = Person("048216000456", "Trần Văn Bình", dt.date(2016, 7, 9), "male")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English (the site's default is Vietnamese), to assert the English sources."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def standin():
    server = PopulationStandin([ANH, BINH], token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def registry(standin):
    return HttpPopulationRegistry(standin.url, TOKEN, timeout=0.3, retries=2, backoff=0.01)


@pytest.fixture
def configured(settings, standin):
    settings.TREEM_POPULATION_URL = standin.url
    settings.TREEM_POPULATION_TOKEN = TOKEN
    settings.TREEM_POPULATION_TIMEOUT = 0.3
    settings.TREEM_POPULATION_RETRIES = 1
    return standin


def state():
    return Child.objects.count(), AuditEvent.objects.count()


def child_like(person: Person, commune, **fields):
    data = {
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "birth_year": person.birth_date.year,
        "sex": person.sex,
        "personal_id": person.personal_id,
    }
    data.update(fields)
    return ChildFactory(commune=commune, **data)


# --- the adapter against the stand-in ---------------------------------------------------------------


def test_lookup_finds_a_person_and_says_none_for_an_unknown_number(registry, standin):
    assert registry.lookup("048 315 000 123") == ANH
    assert registry.lookup("048315999999") is None
    assert standin.requests == [("GET", "/v1/people/048315000123"), ("GET", "/v1/people/048315999999")]


def test_verify_ignores_diacritics_and_case_in_names(registry):
    result = registry.verify("048315000123", "nguyen  thi ANH", dt.date(2015, 3, 2), sex="female")
    assert result.status == IdCheckStatus.VERIFIED and result.fields == ()


@pytest.mark.parametrize(
    ("name", "birth_date", "birth_year", "sex", "fields"),
    [
        ("Nguyễn Thị Anh Đào", dt.date(2015, 3, 2), None, "female", ("full_name",)),
        ("Nguyễn Thị Ánh", dt.date(2015, 3, 3), None, "female", ("birth_date",)),
        ("Nguyễn Thị Ánh", None, 2016, "female", ("birth_year",)),
        ("Nguyễn Thị Ánh", dt.date(2015, 3, 2), None, "male", ("sex",)),
        ("Lê Văn Tám", dt.date(2014, 1, 1), None, "female", ("full_name", "birth_date")),
    ],
)
def test_verify_names_each_field_that_differs(registry, name, birth_date, birth_year, sex, fields):
    result = registry.verify("048315000123", name, birth_date, birth_year=birth_year, sex=sex)
    assert result.status == IdCheckStatus.MISMATCH
    assert result.fields == fields


def test_verify_by_year_only_when_the_record_has_no_date(registry):
    result = registry.verify("048315000123", "Nguyễn Thị Ánh", None, birth_year=2015)
    assert result.status == IdCheckStatus.VERIFIED


def test_verify_of_an_unknown_number_is_not_found(registry):
    result = registry.verify("048315999999", "Nguyễn Thị Ánh", dt.date(2015, 3, 2))
    assert result.status == IdCheckStatus.NOT_FOUND


@pytest.mark.parametrize("bad", ["", "04831500012", "04831500012X", "0483150001234"])
def test_a_malformed_number_is_refused_before_any_request(registry, standin, bad):
    with pytest.raises(ValidationError) as caught:
        registry.verify(bad, "Nguyễn Thị Ánh", dt.date(2015, 3, 2))
    text = " ".join(caught.value.messages)
    assert "exactly 12 digits" in text or "no personal identification number" in text
    assert standin.requests == []


def test_a_slow_service_is_retried_then_unavailable(registry, standin):
    standin.behaviour.delay = 2.0
    with pytest.raises(PopulationUnavailable) as caught:
        registry.verify("048315000123", "Nguyễn Thị Ánh", dt.date(2015, 3, 2))
    assert "did not answer after 3 attempts" in str(caught.value)
    assert "no answer within 0.3 s" in str(caught.value)
    assert len(standin.requests) == 3


def test_a_slow_first_answer_is_retried_and_the_second_counts(registry, standin):
    standin.behaviour.delay, standin.behaviour.slow_next = 2.0, 1
    result = registry.verify("048315000123", "Nguyễn Thị Ánh", dt.date(2015, 3, 2))
    assert result.status == IdCheckStatus.VERIFIED
    assert len(standin.requests) == 2


def test_a_500_then_success_is_retried(registry, standin):
    standin.behaviour.fail_next = 1
    assert registry.lookup("048315000123") == ANH
    assert len(standin.requests) == 2


def test_5xx_every_time_gives_unavailable_after_the_retries(registry, standin):
    standin.behaviour.fail_next, standin.behaviour.fail_status = 10, 503
    with pytest.raises(PopulationUnavailable) as caught:
        registry.lookup("048315000123")
    assert "after 3 attempts (HTTP 503)" in str(caught.value)
    assert len(standin.requests) == 3


def test_retries_wait_longer_each_time(standin):
    waits = []
    registry = HttpPopulationRegistry(
        standin.url, TOKEN, timeout=0.3, retries=3, backoff=0.5, sleep=waits.append
    )
    standin.behaviour.fail_next = 10
    with pytest.raises(PopulationUnavailable):
        registry.lookup("048315000123")
    assert waits == [0.5, 1.0, 2.0]


def test_a_bad_token_is_a_clear_error_and_is_not_retried(standin):
    registry = HttpPopulationRegistry(standin.url, "wrong", timeout=0.3, retries=2, backoff=0.01)
    with pytest.raises(PopulationRefused) as caught:
        registry.verify("048315000123", "Nguyễn Thị Ánh", dt.date(2015, 3, 2))
    assert str(caught.value) == (
        "The national population database refused treem's credentials (HTTP 401): "
        "check TREEM_POPULATION_TOKEN."
    )
    assert len(standin.requests) == 1


def test_a_wrong_address_is_not_mistaken_for_not_found(standin):
    registry = HttpPopulationRegistry(standin.url + "/wrong", TOKEN, timeout=0.3, retries=0)
    with pytest.raises(PopulationRefused) as caught:
        registry.lookup("048315000123")
    assert "check TREEM_POPULATION_URL" in str(caught.value)


def test_nothing_listening_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    registry = HttpPopulationRegistry(f"http://127.0.0.1:{port}", TOKEN, timeout=0.3, retries=1, backoff=0.01)
    with pytest.raises(PopulationUnavailable) as caught:
        registry.lookup("048315000123")
    assert "did not answer after 2 attempts" in str(caught.value)


def test_configuration_comes_from_settings(settings):
    settings.TREEM_POPULATION_URL = ""
    with pytest.raises(PopulationNotConfigured) as caught:
        registry_from_settings()
    assert "TREEM_POPULATION_URL is empty" in str(caught.value)
    settings.TREEM_POPULATION_URL = "ftp://example.org"
    with pytest.raises(PopulationNotConfigured):
        registry_from_settings()
    settings.TREEM_POPULATION_URL, settings.TREEM_POPULATION_TOKEN = "http://127.0.0.1:9/", "t0ken"
    settings.TREEM_POPULATION_TIMEOUT, settings.TREEM_POPULATION_RETRIES = 1.5, 4
    registry = registry_from_settings()
    assert (registry.base_url, registry.token, registry.timeout, registry.retries) == (
        "http://127.0.0.1:9",
        "t0ken",
        1.5,
        4,
    )
    assert "t0ken" not in repr(registry)


def test_match_person_is_the_documented_rule():
    assert match_person(None, full_name="x", birth_date=None).status == IdCheckStatus.NOT_FOUND
    assert match_person(ANH, full_name="NGUYEN THI ANH", birth_date=dt.date(2015, 3, 2)).fields == ()
    # Unknown sex on either side is not a difference.
    assert (
        match_person(ANH, full_name="Nguyễn Thị Ánh", birth_date=None, birth_year=2015, sex="unknown").fields
        == ()
    )


# --- the stand-in itself ----------------------------------------------------------------------------


def _raw(standin, method, path, body=None, token=TOKEN):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", standin.server.server_address[1], timeout=2)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = json.loads(response.read() or b"null")
    conn.close()
    return response.status, data


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the body must be a JSON object"),
        (b"[]", "the body must be a JSON object"),
        (json.dumps({"personal_id": "123", "full_name": "A", "birth_year": 2015}), "exactly 12 digits"),
        (json.dumps({"personal_id": "048315000123", "full_name": "", "birth_year": 2015}), "full_name"),
        (json.dumps({"personal_id": "048315000123", "full_name": "A"}), "give birth_date or birth_year"),
        (
            json.dumps({"personal_id": "048315000123", "full_name": "A", "birth_date": "2015-02-31"}),
            "birth_date must be a date",
        ),
        (
            json.dumps({"personal_id": "048315000123", "full_name": "A", "birth_year": 2015, "sex": "x"}),
            "sex must be",
        ),
    ],
)
def test_the_standin_refuses_a_bad_verify_request_with_400(standin, body, message):
    status, data = _raw(standin, "POST", "/v1/verify", body)
    assert status == 400 and data["error"] == "invalid_request" and message in data["message"]


def test_the_standin_health_needs_no_token_and_unknown_paths_are_404(standin):
    assert _raw(standin, "GET", "/v1/health", token="") == (200, {"status": "ok"})
    status, data = _raw(standin, "GET", "/v2/people/048315000123")
    assert status == 404 and data["error"] == "no_such_endpoint"
    status, data = _raw(standin, "GET", "/v1/people/12ab")
    assert status == 400


def test_people_load_from_a_json_file(tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"people": [ANH.as_json(), BINH.as_json()]}), encoding="utf-8")
    assert load_people(path) == [ANH, BINH]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read a JSON file"),
        ('{"nobody": []}', "expected a list of people"),
        ('[{"personal_id": "1", "full_name": "A", "birth_date": "2015-01-01"}]', "person 1:"),
        ('[{"personal_id": "048315000123", "full_name": "A", "birth_date": "31/01/2015"}]', "person 1:"),
    ],
)
def test_a_bad_people_file_is_refused_by_the_command(tmp_path, content, message):
    path = tmp_path / "people.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("population_standin", "--port", "0", "--people", str(path))
    assert message in str(caught.value)


def test_the_standin_command_serves_until_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "people.json"
    path.write_text(json.dumps([ANH.as_json()]), encoding="utf-8")
    served = {}

    def fake_serve(self):
        served["people"] = dict(self.people)
        served["fail_next"] = self.behaviour.fail_next
        raise KeyboardInterrupt

    monkeypatch.setattr(PopulationStandin, "serve_forever", fake_serve)
    from io import StringIO

    out = StringIO()
    call_command("population_standin", "--port", "0", "--people", str(path), "--fail-first", "2", stdout=out)
    assert served == {"people": {ANH.personal_id: ANH}, "fail_next": 2}
    assert "with 1 people" in out.getvalue() and "TREEM_POPULATION_URL=http://127.0.0.1:" in out.getvalue()


# --- recording the outcome on a child ---------------------------------------------------------------


def test_check_records_verified_with_an_audit_event(officer_a, geo, registry):
    child = child_like(ANH, geo.commune_a, full_name="Nguyen Thi Anh")
    result = child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert result.status == IdCheckStatus.VERIFIED
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.VERIFIED and child.id_checked_at is not None
    event = AuditEvent.objects.get(action="children.child.id_checked")
    assert event.unit == geo.commune_a and event.object_id == str(child.pk)
    assert event.changes["id_check_status"] == ["not_checked", "verified"]


def test_check_records_a_mismatch_and_the_fields(officer_a, geo, registry):
    child = child_like(ANH, geo.commune_a, birth_date=dt.date(2015, 4, 2))
    before_updated = child.updated_at
    result = child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert result.fields == ("birth_date",)
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.MISMATCH
    assert child.updated_at == before_updated  # a check is not a review of the record
    event = AuditEvent.objects.get(action="children.child.id_checked")
    assert event.changes["differing_fields"] == [None, ["birth_date"]]


def test_check_records_not_found(officer_a, geo, registry):
    child = child_like(ANH, geo.commune_a, personal_id="048315000777")
    child_check_population(acting_user=officer_a, child=child, registry=registry)
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.NOT_FOUND


def test_an_unavailable_service_is_recorded_as_such(officer_a, geo, registry, standin):
    standin.behaviour.fail_next = 10
    child = child_like(ANH, geo.commune_a)
    result = child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert result.status == IdCheckStatus.UNAVAILABLE
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.UNAVAILABLE
    event = AuditEvent.objects.get(action="children.child.id_checked")
    assert "did not answer after 3 attempts" in event.reason


def test_refused_credentials_write_nothing(officer_a, geo, standin):
    child = child_like(ANH, geo.commune_a)
    registry = HttpPopulationRegistry(standin.url, "wrong", timeout=0.3, retries=0)
    before = state()
    with pytest.raises(PopulationRefused):
        child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert state() == before
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.NOT_CHECKED and child.id_checked_at is None


@pytest.mark.parametrize(
    ("personal_id", "message"),
    [
        ("", "The child has no personal identification number to check."),
        ("04831500012", "exactly 12 digits"),
    ],
)
def test_a_child_without_a_valid_number_is_refused_and_nothing_written(
    officer_a, geo, registry, standin, personal_id, message
):
    child = child_like(ANH, geo.commune_a, personal_id=personal_id)
    before = state()
    with pytest.raises(ValidationError) as caught:
        child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert any(message in m for m in caught.value.message_dict["personal_id"])
    assert state() == before and standin.requests == []


def test_a_record_out_of_the_registry_is_not_checked(officer_a, geo, registry):
    child = child_like(ANH, geo.commune_a, is_active=False)
    before = state()
    with pytest.raises(ValidationError) as caught:
        child_check_population(acting_user=officer_a, child=child, registry=registry)
    assert caught.value.messages == ["This record is no longer in the registry."]
    assert state() == before


@pytest.mark.parametrize("persona", ["officer_b", "viewer", "officer_no_unit"])
def test_a_user_who_may_not_change_the_child_is_refused(request, geo, registry, standin, persona):
    user = request.getfixturevalue(persona)
    child = child_like(ANH, geo.commune_a)
    before = state()
    with pytest.raises(ScopeError):
        child_check_population(acting_user=user, child=child, registry=registry)
    assert state() == before and standin.requests == []


def test_batch_checks_a_bounded_number_oldest_first_in_scope_only(officer_a, geo, registry, standin):
    never = child_like(ANH, geo.commune_a)
    old = child_like(BINH, geo.commune_a)
    Child.objects.filter(pk=old.pk).update(
        id_check_status=IdCheckStatus.VERIFIED, id_checked_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    ChildFactory(commune=geo.commune_a, personal_id="")  # nothing to check
    ChildFactory(commune=geo.commune_a, personal_id="048315000888", is_active=False)  # history
    elsewhere = ChildFactory(commune=geo.commune_b, personal_id="048315000999")
    result = children_check_population(
        acting_user=officer_a, queryset=Child.objects.all(), registry=registry, limit=1
    )
    assert (
        result.counts == {IdCheckStatus.VERIFIED: 1} and result.remaining == 1 and result.skipped_no_id == 1
    )
    never.refresh_from_db()
    assert never.id_check_status == IdCheckStatus.VERIFIED
    result = children_check_population(
        acting_user=officer_a, queryset=Child.objects.all(), registry=registry, limit=10
    )
    assert result.checked == 2 and result.remaining == 0  # `old`, then `never` again
    elsewhere.refresh_from_db()
    assert elsewhere.id_check_status == IdCheckStatus.NOT_CHECKED
    assert AuditEvent.objects.filter(action="children.child.id_checked").count() == 3


def test_batch_stops_when_the_service_stays_unavailable(geo, registry, standin):
    for number in range(6):
        ChildFactory(commune=geo.commune_a, personal_id=f"04831500010{number}")
    standin.behaviour.fail_next = 1000
    result = children_check_population(
        acting_user=None, queryset=Child.objects.all(), registry=registry, limit=6, stop_after_unavailable=2
    )
    assert result.counts == {IdCheckStatus.UNAVAILABLE: 2} and result.remaining == 4
    assert "did not answer" in result.stopped


def test_batch_stops_at_once_when_refused_and_writes_nothing(geo, standin):
    ChildFactory(commune=geo.commune_a, personal_id="048315000101")
    registry = HttpPopulationRegistry(standin.url, "wrong", timeout=0.3, retries=0)
    before = state()
    result = children_check_population(acting_user=None, queryset=Child.objects.all(), registry=registry)
    assert "credentials" in result.stopped and result.checked == 0 and result.remaining == 1
    assert state() == before


@pytest.mark.parametrize("limit", [0, -1, 10_001])
def test_batch_limit_is_bounded(geo, registry, limit):
    with pytest.raises(ValidationError) as caught:
        children_check_population(
            acting_user=None, queryset=Child.objects.all(), registry=registry, limit=limit
        )
    assert "between 1 and 10000" in caught.value.message_dict["limit"][0]


def test_command_checks_a_commune(geo, configured):
    child_like(ANH, geo.commune_a)
    child_like(BINH, geo.commune_b)
    from io import StringIO

    out = StringIO()
    call_command("check_population", "--commune", geo.commune_a.code, stdout=out)
    assert "Verified: 1" in out.getvalue() and "1 checked, 0 left" in out.getvalue()
    assert Child.objects.get(personal_id=BINH.personal_id).id_check_status == IdCheckStatus.NOT_CHECKED
    assert AuditEvent.objects.get(action="children.child.id_checked").actor_label == "system"


def test_command_bad_input(geo, configured, settings):
    with pytest.raises(CommandError, match="No commune in force today has the code 99999"):
        call_command("check_population", "--commune", "99999")
    with pytest.raises(CommandError, match="No active user is called nobody"):
        call_command("check_population", "--user", "nobody")
    settings.TREEM_POPULATION_TOKEN = "wrong"
    child_like(ANH, geo.commune_a)
    with pytest.raises(CommandError, match=r"Stopped early: .*credentials"):
        call_command("check_population")
    settings.TREEM_POPULATION_URL = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("check_population")
    assert AuditEvent.objects.filter(action="children.child.id_checked").count() == 0


# --- the page ---------------------------------------------------------------------------------------


def test_page_check_updates_the_child_and_returns(client, officer_a, geo, configured):
    child = child_like(ANH, geo.commune_a)
    client.force_login(officer_a)
    url = reverse("children:child_population_check", args=[child.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == child.get_absolute_url()
    child.refresh_from_db()
    assert child.id_check_status == IdCheckStatus.VERIFIED
    page = client.get(response.url)
    assert "confirms Nguyễn Thị Ánh&#x27;s ID number" in page.content.decode()


def test_page_check_says_what_differs(client, officer_a, geo, configured):
    child = child_like(ANH, geo.commune_a, full_name="Nguyễn Thị Anh Thư")
    client.force_login(officer_a)
    quality_url = reverse("children:quality")
    response = client.post(
        reverse("children:child_population_check", args=[child.pk]), {"next": quality_url}, follow=True
    )
    assert "with a different name." in response.content.decode()


def test_page_check_when_not_configured_writes_nothing(client, officer_a, geo, settings):
    settings.TREEM_POPULATION_URL = ""
    child = child_like(ANH, geo.commune_a)
    client.force_login(officer_a)
    before = state()
    response = client.post(reverse("children:child_population_check", args=[child.pk]))
    assert state() == before
    page = client.get(response.url)  # the child's page (which audits the view) shows the message
    assert "The national population database is not configured" in page.content.decode()


def test_page_check_access(client, officer_b, viewer, geo, configured):
    child = child_like(ANH, geo.commune_a)
    url = reverse("children:child_population_check", args=[child.pk])
    assert client.post(url).status_code == 302 and "login" in client.post(url).url
    client.force_login(officer_b)
    assert client.post(url).status_code == 404
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code in (403, 405)
    assert AuditEvent.objects.filter(action="children.child.id_checked").count() == 0
