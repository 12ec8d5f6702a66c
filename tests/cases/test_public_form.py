"""The public web form: anyone reports a child at risk without an account; scripts stay text,
oversized bodies, bots and floods are refused, and reports sent before a flood are kept."""

import time

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.cases.records import open_case
from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.forms import PUBLIC_SIGNING_SALT
from treem.cases.models import Report

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.TREEM_RATE_LIMITS = {
        **settings.TREEM_RATE_LIMITS,
        "public_report": "3/h",
        "public_status": "5/m",
    }
    settings.TREEM_PUBLIC_REPORT_MIN_SECONDS = 3


def started(seconds_ago: float = 60) -> str:
    """The form's signed opening time, as if opened ``seconds_ago``."""
    return signing.dumps(time.time() - seconds_ago, salt=PUBLIC_SIGNING_SALT)


def report_data(geo, **changes) -> dict:
    data = {
        "province": geo.province.pk,
        "commune": geo.commune_a.pk,
        "summary": "Trẻ bị bố đánh hằng đêm",
        "narrative": "Hàng xóm nghe tiếng khóc và thấy vết bầm trên tay cháu",
        "place": "Tổ 5, Phường An",
        "child_name": "",
        "child_age": "8",
        "child_sex": "female",
        "child_description": "Bé gái nhà số 12, học lớp 3",
        "reporter_name": "",
        "reporter_contact": "",
        "leave_empty": "",
        "started": started(),
    }
    data.update(changes)
    return data


def send(client, data):
    return client.post(reverse("public_report:form"), data)


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def test_the_form_needs_no_login_and_is_vietnamese(client, geo, settings):
    settings.LANGUAGE_CODE = "vi"
    response = client.get(reverse("public_report:form"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="vi"' in text and vi("Report a child at risk") in text
    assert 'name="viewport"' in text
    # provinces in force only; the old province of the reorganisation is not offered
    provinces = list(response.context["form"].fields["province"].queryset)
    assert geo.province in provinces and geo.old_province not in provinces
    assert "<script>" not in text.split("</footer>")[0].split("<main")[1]  # no inline script in the page


def test_communes_of_a_province_are_today_s(client, geo):
    response = client.get(reverse("public_report:communes"), {"province": geo.province.pk})
    text = response.content.decode()
    assert geo.commune_a.name in text and geo.commune_b.name in text
    assert geo.old_1.name not in text
    assert client.get(reverse("public_report:communes"), {"province": "x"}).status_code == 200


def test_an_anonymous_report_gets_a_tracking_code(client, geo):
    response = send(client, report_data(geo))
    assert response.status_code == 302 and response["Location"] == reverse("public_report:thanks")
    report = Report.objects.get()
    assert (report.channel, report.unit, report.received_by) == ("online", geo.commune_a, None)
    assert report.reporter_anonymous and report.reporter_name == "" and report.reporter_contact == ""
    assert report.narrative.startswith("Hàng xóm")
    thanks = client.get(response["Location"])
    assert report.tracking_code in thanks.content.decode()
    # shown once: a second visit (the next person at a shared computer) does not see it
    assert client.get(reverse("public_report:thanks")).status_code == 302
    event = AuditEvent.objects.get(action="cases.report.received_online")
    assert event.actor is None and event.changes["narrative"][1] == "••••"


def test_a_reporter_may_leave_a_contact(client, geo):
    send(client, report_data(geo, reporter_name="Cô giáo Lan", reporter_contact="0905 123 456"))
    report = Report.objects.get()
    assert not report.reporter_anonymous and report.reporter_contact == "0905 123 456"


def test_without_a_commune_the_report_goes_to_the_province(client, geo):
    send(client, report_data(geo, commune=""))
    assert Report.objects.get().unit == geo.province


def test_bad_input_gets_messages_and_nothing_is_written(client, geo):
    response = send(client, report_data(geo, summary="", child_age="", child_description=""))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Give the child&#x27;s name, or describe the child" in text
    assert "Say in a few words what the report is about." in text
    assert Report.objects.count() == 0 and not AuditEvent.objects.exists()


def test_a_commune_of_another_province_is_refused(client, geo):
    from tests.factories import CommuneFactory, ProvinceFactory

    other = ProvinceFactory(name="Tỉnh Khác", code="77")
    commune = CommuneFactory(name="Xã Khác", parent=other)
    response = send(client, report_data(geo, commune=commune.pk))
    assert response.status_code == 400 and Report.objects.count() == 0


def test_scripts_are_stored_as_text_and_shown_escaped(client, geo, officer_a):
    send(client, report_data(geo, summary=SCRIPT[:60], narrative=SCRIPT, child_description=SCRIPT))
    report = Report.objects.get()
    assert report.narrative == SCRIPT  # kept as the reporter typed it: nothing lost
    client.force_login(officer_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(" in page
    assert '<script>alert("xss")' not in page and "<img src=x" not in page


def test_an_oversized_body_is_refused_with_413(client, geo):
    response = send(client, report_data(geo, narrative="x" * 70_000))
    assert response.status_code == 413
    assert "Your report is too long" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_too_long_text_within_the_body_limit_gets_a_message(client, geo):
    response = send(client, report_data(geo, narrative="x" * 4500))
    assert response.status_code == 400 and Report.objects.count() == 0


def test_the_honeypot_refuses_bots(client, geo):
    response = send(client, report_data(geo, leave_empty="http://spam.example"))
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_too_fast_or_unsigned_is_refused_but_the_text_is_kept(client, geo, settings):
    settings.TREEM_RATE_LIMITS = {**settings.TREEM_RATE_LIMITS, "public_report": "20/h"}
    for stamp in (started(seconds_ago=0.5), "forged", ""):
        response = send(client, report_data(geo, started=stamp))
        assert response.status_code == 400
        text = response.content.decode()
        assert "Hàng xóm nghe tiếng khóc" in text  # the person's text comes back to send again
        fresh = response.context["form"].data["started"]
        assert fresh and fresh != stamp  # a new opening time: the next press goes through
    assert Report.objects.count() == 0
    old = signing.dumps(time.time() - 60, salt=PUBLIC_SIGNING_SALT)
    assert send(client, report_data(geo, started=old)).status_code == 302


def test_a_form_opened_too_long_ago_is_refused(client, geo, settings, monkeypatch):
    from treem.cases import views_public

    monkeypatch.setattr(views_public, "MAX_FORM_AGE_SECONDS", 10)
    response = send(client, report_data(geo, started=started(seconds_ago=60)))
    assert response.status_code == 400 and Report.objects.count() == 0


def test_a_flood_gets_429_and_the_reports_before_it_are_kept(client, geo):
    for _i in range(3):
        assert send(client, report_data(geo)).status_code == 302
    codes = set(Report.objects.values_list("tracking_code", flat=True))
    response = send(client, report_data(geo))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    text = response.content.decode()
    assert "Too many reports from your connection" in text
    assert "111" in text  # the hotline, for a child in danger now
    assert set(Report.objects.values_list("tracking_code", flat=True)) == codes  # all three kept
    # another address is not held back by this one's flood
    other = client.post(reverse("public_report:form"), report_data(geo), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302 and Report.objects.count() == 4


def test_the_429_page_is_in_vietnamese(client, geo, settings):
    settings.LANGUAGE_CODE = "vi"
    for _i in range(3):
        send(client, report_data(geo))
    text = send(client, report_data(geo)).content.decode()
    assert 'lang="vi"' in text and vi("Too many reports from your connection") in text
    assert vi("The reports you sent before are kept.") in text


def test_status_shows_only_received_handled_closed(client, geo, officer_a, supervisor_a):
    send(client, report_data(geo))
    report = Report.objects.get()
    url = reverse("public_report:status")
    page = client.get(url, {"code": report.tracking_code.lower()})
    assert page.context["status"] == "received"
    text = page.content.decode()
    for secret in ("Hàng xóm", "Phường An", "Tổ 5", "Bé gái", report.summary):
        assert secret not in text
    report.child = ChildFactory(commune=geo.commune_a)
    report.save(update_fields=["child"])
    case = services.case_open(acting_user=officer_a, reports=[report], supervisor=supervisor_a)
    assert client.get(url, {"code": report.tracking_code}).context["status"] == "handled"
    case.status, case.closed_at = "closed", case.opened_at
    case.save(update_fields=["status", "closed_at"])
    assert client.get(url, {"code": report.tracking_code}).context["status"] == "closed"
    unknown = client.get(url, {"code": "ZZZZZZZZZZ"})
    assert unknown.context["status"] is None and unknown.status_code == 200


def test_status_lookups_are_rate_limited(client, geo):
    url = reverse("public_report:status")
    for _i in range(5):
        assert client.get(url, {"code": f"ABCDEFGH{_i}"}).status_code == 200
    assert client.get(url, {"code": "ABCDEFGHJK"}).status_code == 429


def test_the_public_report_is_encrypted_in_the_table(client, geo):
    send(client, report_data(geo, reporter_contact="0905 777 888", narrative="Cháu bị nhốt trong kho"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, reporter_contact FROM cases_report")
        narrative, contact = cursor.fetchone()
    assert narrative.startswith("fernet:") and "nhốt" not in narrative
    assert contact.startswith("fernet:") and "0905" not in contact


def test_case_workers_see_online_reports_of_their_commune(client, geo, officer_a, officer_b):
    send(client, report_data(geo))
    client.force_login(officer_b)
    assert Report.objects.restrict(officer_b).count() == 0
    client.force_login(officer_a)
    page = client.get(reverse("cases:report_list"))
    assert Report.objects.get().tracking_code in page.content.decode()


def test_a_case_of_an_online_report(geo, officer_a):
    case = open_case(officer_a, geo.commune_a)
    assert services.report_public_status(case.reports.get().tracking_code) == "handled"
