"""The hotline push (issue 16): ``POST /api/v1/reports/`` from a hotline system's token.

A call lands as a report written by the app's own service (its audit event, the commune officer's
notification and "Report to screen"); the call id makes a retry harmless; the machine client's
role reads the status of its own reports and nothing else; bad input is told field by field, in
Vietnamese unless the client asks for English, and writes nothing.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cases.records import receive
from tests.factories import ChildFactory, CommuneFactory, ProvinceFactory
from treem.accounts import services as account_services
from treem.accounts.models import ApiClient, User
from treem.accounts.roles import ROLES_BY_SLUG, TWO_FACTOR_ROLES
from treem.api_urls import router
from treem.audit.models import AuditEvent
from treem.cases import services as case_services
from treem.cases.api.services import hotline_call_receive
from treem.cases.models import HotlineCall, Report
from treem.core.worklist import worklist
from treem.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def a_call(**changes) -> dict:
    """A call as the national hotline's system records it (a neighbour, about a girl of 9)."""
    call = {
        "external_id": "111-2026-004512",
        "channel": "hotline_111",
        "received_at": (timezone.now() - timezone.timedelta(minutes=20)).isoformat(),
        "urgency": "urgent",
        "caller_relation": "neighbour",
        "caller_anonymous": True,
        "child_name": "Lò Thị Mai",
        "child_sex": "female",
        "child_age": 9,
        "commune": "20001",
        "place": "Tổ dân phố 3, gần nhà văn hóa",
        "summary": "Trẻ 9 tuổi thường xuyên bị đánh, nghỉ học nhiều ngày",
        "narrative": "Hàng xóm gọi: nghe tiếng trẻ khóc nhiều tối liền, thấy vết bầm trên tay trẻ.",
    }
    call.update(changes)
    return {k: v for k, v in call.items() if v is not None}


def hotline_token(admin, unit, name: str = "Tổng đài 111") -> str:
    """A machine client holding the hotline role for ``unit`` and below, and its token."""
    client = account_services.api_client_create(
        acting_user=admin, name=name, roles=["hotline_client"], units=[unit]
    )
    return account_services.api_token_issue(acting_user=admin, client=client, days=30)


@pytest.fixture
def token(admin, geo) -> str:
    return hotline_token(admin, geo.province)


def push(client, token: str | None, data, *, language: str | None = None):
    headers = {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return client.post(URL, json.dumps(data), content_type="application/json", **headers)


def get(client, token: str, url: str):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token}")


def written() -> tuple[int, int, int]:
    return Report.objects.count(), HotlineCall.objects.count(), AuditEvent.objects.count()


# --- a call becomes a report, as from the app ---------------------------------------------------


def test_a_call_lands_in_the_communes_worklist_as_a_report_typed_in_the_app(client, geo, token, officer_a):
    response = push(client, token, a_call())
    assert response.status_code == 201, response.content
    answer = response.json()
    report = Report.objects.get()
    assert answer == {
        "tracking_code": report.tracking_code,
        "external_id": "111-2026-004512",
        "status": "received",
        "status_label": answer["status_label"],
        "commune": "20001",
        "commune_name": geo.commune_a.name,
    }
    with translation.override("vi"):
        assert answer["status_label"] == gettext("Received")
    # The report the app's service wrote: the current commune of code 20001, not the old one.
    assert report.unit == geo.commune_a and report.channel == "hotline_111"
    assert report.received_by.api_client.name == "Tổng đài 111"
    assert report.child_name == "Lò Thị Mai" and report.child_age == 9 and report.child_sex == "female"
    assert report.reporter_anonymous and report.narrative.startswith("Hàng xóm gọi")
    assert report.place == "Tổ dân phố 3, gần nhà văn hóa"
    call = report.hotline_call
    assert (call.external_id, call.caller_relation, call.urgency) == (
        "111-2026-004512",
        "neighbour",
        "urgent",
    )
    # Its audit events: the report's, as from the form (narrative redacted), then the call's.
    events = list(AuditEvent.objects.filter(action__startswith="cases.").order_by("id"))
    assert [e.action for e in events] == ["cases.report.received", "cases.hotline_call.received"]
    assert events[0].changes["narrative"][1] == "••••" and "Hàng xóm" not in json.dumps(events[0].changes)
    assert events[0].actor == report.received_by
    # The commune officer is told, and finds it in "To do" as a report to screen.
    assert Notification.objects.filter(recipient=officer_a, category="cases.report.received").exists()
    with translation.override("en"):
        items, _total = worklist(officer_a)
        assert ("Report to screen", report.tracking_code) in [
            (str(i.kind), i.title.split(" · ")[0]) for i, _state in items
        ]


def test_the_same_call_sent_again_is_the_same_report(client, geo, token):
    first = push(client, token, a_call())
    assert first.status_code == 201
    before = written()
    again = push(client, token, a_call(summary="Gửi lại sau khi hết thời gian chờ"))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert written() == before  # no report, no call, no audit event


def test_another_client_with_the_same_call_id_is_another_call(client, admin, geo, token):
    first = push(client, token, a_call())
    other = hotline_token(admin, geo.province, name="Tổng đài 18001581")
    second = push(client, other, a_call(channel="hotline_18001581"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["tracking_code"] != second.json()["tracking_code"]
    assert Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sendings_of_one_call_at_the_same_moment_make_one_report(admin, geo):
    """Both sendings look for the call before either has committed: the unique constraint settles
    it, the second's report is rolled back and it answers with the first's."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: there is no race to settle")
    account = account_services.api_client_create(
        acting_user=admin, name="Tổng đài 111", roles=["hotline_client"], units=[geo.province]
    ).account
    call = {
        "external_id": "111-2026-RACE",
        "unit": geo.commune_a,
        "caller_relation": "parent",
        "urgency": "emergency",
        "channel": "hotline_111",
        "summary": "Trẻ bị bỏ đói",
        "child_name": "Lò Thị Mai",
    }
    first_written, release, results = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():  # written, not yet committed, while the second one looks
                results["first"] = hotline_call_receive(acting_user=User.objects.get(pk=account.pk), **call)
                first_written.set()
                release.wait(30)
        finally:
            connection.close()

    def second():
        try:
            first_written.wait(30)
            results["second"] = hotline_call_receive(acting_user=User.objects.get(pk=account.pk), **call)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_written.wait(30)
    time.sleep(1)  # the second is now waiting on the first's locks
    release.set()
    for thread in threads:
        thread.join(60)
    (first_call, first_created), (second_call, second_created) = results["first"], results["second"]
    assert (first_created, second_created) == (True, False)
    assert second_call.pk == first_call.pk
    assert Report.objects.count() == HotlineCall.objects.count() == 1
    assert AuditEvent.objects.filter(action="cases.report.received").count() == 1


# --- the status of one's own reports, and nothing else -----------------------------------------


def test_the_client_reads_the_status_of_its_own_reports_only(client, admin, geo, token, officer_a):
    code = push(client, token, a_call()).json()["tracking_code"]
    own = get(client, token, reverse("api:report-detail", args=[code.lower()]))
    assert own.status_code == 200
    assert set(own.json()) == {
        "tracking_code",
        "external_id",
        "status",
        "status_label",
        "commune",
        "commune_name",
    }
    assert "Lò Thị Mai" not in own.content.decode() and "vết bầm" not in own.content.decode()
    # Another client's report, and a report typed in the app, are not found.
    other = hotline_token(admin, geo.province, name="Tổng đài 18001581")
    assert get(client, other, reverse("api:report-detail", args=[code])).status_code == 404
    typed = receive(officer_a, geo.commune_a)
    assert get(client, token, reverse("api:report-detail", args=[typed.tracking_code])).status_code == 404


def test_the_status_follows_the_case(client, geo, token, officer_a):
    code = push(client, token, a_call()).json()["tracking_code"]
    report = Report.objects.get(tracking_code=code)
    case_services.report_link_child(
        acting_user=officer_a,
        report=report,
        child=ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai"),
    )
    case_services.case_open(acting_user=officer_a, reports=[report])
    answer = get(client, token, reverse("api:report-detail", args=[code])).json()
    assert answer["status"] == "handled"


def test_the_hotline_role_holds_only_the_right_to_submit_reports(admin, geo):
    assert set(ROLES_BY_SLUG["hotline_client"].permissions) == {"cases.add_report"}
    group = Group.objects.get(name="hotline_client")
    assert [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()] == [
        "cases.add_report"
    ]
    assert "hotline_client" not in TWO_FACTOR_ROLES  # it opens no case content: a token may hold it


def test_the_hotline_client_can_do_nothing_else(client, admin, geo, token, officer_a):
    """Every other endpoint of the API, list and record, refuses it (a new one will too)."""
    push(client, token, a_call())
    typed = receive(officer_a, geo.commune_a)
    refused = {}
    for _prefix, _viewset, basename in router.registry:
        if basename == "report":
            continue
        refused[basename] = get(client, token, reverse(f"api:{basename}-list")).status_code
    assert set(refused.values()) == {403}, refused
    assert get(client, token, reverse("api:unit-detail", args=[geo.commune_a.pk])).status_code == 403
    assert get(client, token, reverse("api:me")).status_code == 200  # its own account, no more
    # Not even the reports of its own units that it did not send.
    assert get(client, token, reverse("api:report-detail", args=[typed.tracking_code])).status_code == 404
    # Nor can it write elsewhere.
    response = client.post(
        reverse("api:child-list"),
        json.dumps(
            {"full_name": "Tên Qua API", "sex": "female", "birth_year": 2018, "commune": geo.commune_a.pk}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 403


def test_an_administrator_sets_a_hotline_system_up_on_the_pages(client, admin, geo):
    client.force_login(admin)
    created = client.post(
        reverse("accounts:api_client_add"),
        {"name": "Tổng đài 18001581", "roles": ["hotline_client"], "units": geo.province.pk},
    )
    assert created.status_code == 302
    hotline = ApiClient.objects.get(name="Tổng đài 18001581")
    assert list(hotline.account.groups.values_list("name", flat=True)) == ["hotline_client"]
    page = client.post(reverse("accounts:api_token_issue", args=[hotline.pk]), {"days": 90})
    assert page.status_code == 200
    token = page.context["token"]
    client.logout()
    response = push(client, token, a_call(channel="hotline_18001581", commune="20002"))
    assert response.status_code == 201 and response.json()["commune_name"] == geo.commune_b.name


# --- bad input: clear messages, nothing written --------------------------------------------------


def test_no_token_or_a_wrong_one_is_401(client, geo, token):
    before = written()
    assert push(client, None, a_call()).status_code == 401
    assert push(client, "treem_" + "0" * 64, a_call()).status_code == 401
    assert client.get(reverse("api:report-detail", args=["ABCDEFGHJK"])).status_code == 401
    assert written() == before


@pytest.mark.parametrize(
    "code",
    [
        "99999",  # no such unit
        "20005",  # a former commune, merged in the reorganisation
        "30001",  # a commune of another province
        "",
    ],
)
def test_a_commune_code_that_is_not_the_clients_is_refused(client, geo, token, code):
    ProvinceFactory(name="Tỉnh Xa", code="47")
    CommuneFactory(name="Xã Xa Xôi", code="30001", parent=ProvinceFactory(name="Tỉnh Khác", code="46"))
    before = written()
    response = push(client, token, a_call(commune=code))
    assert response.status_code == 400
    assert list(response.json()) == ["commune"]
    assert written() == before


def test_a_commune_outside_a_communes_client_is_refused_as_unknown(client, admin, geo):
    token_a = hotline_token(admin, geo.commune_a, name="Tổng đài phường An")
    response = push(client, token_a, a_call(commune="20002"))
    unknown = push(client, token_a, a_call(commune="99999"))
    assert response.status_code == unknown.status_code == 400
    assert response.json()["commune"][0] == unknown.json()["commune"][0].replace("99999", "20002")
    assert push(client, token_a, a_call()).status_code == 201


def test_missing_fields_are_each_named_in_vietnamese_by_default(client, geo, token):
    before = written()
    response = push(client, token, {"commune": "20001"})
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"external_id", "channel", "received_at", "urgency", "caller_relation", "summary"}
    with translation.override("vi"):
        assert errors["summary"] == [gettext("This field is required.")]
    assert written() == before


def test_accept_language_en_gives_english(client, geo, token):
    response = push(client, token, {"commune": "20001"}, language="en")
    assert response.status_code == 400
    with translation.override("en"):
        assert response.json()["summary"] == [gettext("This field is required.")]
    with translation.override("vi"):
        assert response.json()["summary"] != [gettext("This field is required.")]


def test_too_long_text_is_refused(client, geo, token):
    before = written()
    response = push(client, token, a_call(summary="x" * 201, narrative="y" * 10001, child_name="z" * 151))
    assert response.status_code == 400
    assert set(response.json()) == {"summary", "narrative", "child_name"}
    assert written() == before


def test_the_apps_own_rules_refuse_the_call_with_their_message(client, geo, token):
    """The same checks as the form: the service's messages, under the API's field names."""
    before = written()
    response = push(client, token, a_call(child_age=19, caller_name="Nguyễn Văn Gọi"))
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"child_age", "caller_anonymous"}
    with translation.override("vi"):
        assert errors["child_age"] == [gettext("A child is under %(limit)s: check the age.") % {"limit": 18}]
    future = push(
        client, token, a_call(received_at=(timezone.now() + timezone.timedelta(hours=2)).isoformat())
    )
    assert future.status_code == 400 and list(future.json()) == ["received_at"]
    bad_id = push(client, token, a_call(child_id_number="12345"))
    assert bad_id.status_code == 400 and list(bad_id.json()) == ["child_id_number"]
    assert written() == before


def test_a_well_formed_id_number_is_kept_encrypted_with_the_call(client, geo, token):
    response = push(client, token, a_call(child_id_number="048 218 001 234"))
    assert response.status_code == 201
    call = HotlineCall.objects.get()
    assert call.child_id_number == "048218001234"
    event = AuditEvent.objects.get(action="cases.hotline_call.received")
    assert "048218001234" not in json.dumps(event.changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_id_number FROM cases_hotlinecall WHERE id = %s", [call.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and "048218001234" not in stored


def test_the_commune_sees_what_the_hotline_recorded_on_the_report_page(client, geo, token, officer_a):
    """The call's urgency, id, the caller's relation and the child's ID number, on the report page
    of the commune that screens it (the machine client itself has no pages)."""
    push(client, token, a_call(urgency="emergency", child_id_number="048218001234"))
    report = Report.objects.get()
    client.force_login(officer_a)
    with translation.override("vi"):
        page = client.get(reverse("cases:report_detail", args=[report.pk])).content.decode()
        expected = [
            gettext("Emergency"),
            "111-2026-004512",
            "Tổng đài 111",
            gettext("Neighbour or acquaintance"),
            "048218001234",
        ]
    shown = page.split('data-testid="hotline-call"')[1].split("</dd>")[0]
    assert all(part in shown for part in expected), shown
    # A report typed in the app has no such line.
    typed = receive(officer_a, geo.commune_a)
    assert (
        'data-testid="hotline-call"'
        not in client.get(reverse("cases:report_detail", args=[typed.pk])).content.decode()
    )
