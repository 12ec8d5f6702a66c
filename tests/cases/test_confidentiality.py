"""Who sees what of a case: out of scope 404; in scope outside the group, that it exists; the
group, its content; break the glass with a reason, audited and shown to the supervisor."""

import pytest
from django.urls import reverse

from tests.cases.records import NARRATIVE, open_case
from tests.factories import UserFactory
from treem.audit.models import AuditEvent
from treem.cases import selectors, services
from treem.cases.selectors import Access


@pytest.fixture
def officer_a2(geo):
    return UserFactory(
        username="canbo_a2", full_name="Trần Văn Hai", roles=["commune_officer"], units=[geo.commune_a]
    )


@pytest.fixture
def case(geo, officer_a, supervisor_a, child_a):
    return open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)


def page(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {})


def test_access_levels(geo, case, officer_a, supervisor_a, officer_a2, officer_b, admin, coordinator, viewer):
    assert selectors.case_access(officer_a, case).level == Access.MEMBER
    assert selectors.case_access(supervisor_a, case).level == Access.MEMBER
    assert selectors.case_access(officer_a2, case).level == Access.EXISTS
    assert selectors.case_access(coordinator, case).level == Access.EXISTS
    assert selectors.case_access(admin, case).level == Access.EXISTS  # administrators are not an exception
    assert selectors.case_access(officer_b, case).level == Access.NONE
    assert selectors.case_access(viewer, case).level == Access.NONE  # no case permission at all


def test_a_case_worker_of_another_commune_gets_404(client, geo, case, officer_b):
    worker_b = UserFactory(username="vuviec_b", roles=["case_worker"], units=[geo.commune_b])
    before = AuditEvent.objects.count()
    for user in (officer_b, worker_b):
        for name in ("cases:case_detail", "cases:case_break_glass"):
            response = page(client, user, reverse(name, args=[case.pk]))
            assert response.status_code == 404
            assert case.number not in response.content.decode()
        response = page(
            client, user, reverse("cases:case_break_glass", args=[case.pk]), "post", {"reason": "x" * 20}
        )
        assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_outside_the_group_sees_only_that_the_case_exists(client, case, officer_a2):
    response = page(client, officer_a2, case.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert case.number in text and "break-glass" in text
    for secret in ("Lò Thị Mai", NARRATIVE, "Trẻ bị đánh", case.reports.get().tracking_code):
        assert secret not in text
    event = AuditEvent.objects.filter(action="cases.case.viewed").latest("id")
    assert (event.actor, event.changes) == (officer_a2, {"access": "exists"})
    # The report of the case is the case's content too.
    report = case.reports.get()
    response = page(client, officer_a2, report.get_absolute_url())
    assert response.status_code == 200 and NARRATIVE not in response.content.decode()
    assert "Lò Thị Mai" not in response.content.decode()
    # The lists show the number, not the content.
    listing = page(client, officer_a2, reverse("cases:case_list"), data={"show": "all"}).content.decode()
    assert case.number in listing and "Lò Thị Mai" not in listing
    reports = page(client, officer_a2, reverse("cases:report_list")).content.decode()
    assert "Trẻ bị đánh" not in reports and "Lò Thị Mai" not in reports


def test_outside_the_group_cannot_act(client, case, officer_a2):
    before = AuditEvent.objects.count()
    response = page(client, officer_a2, reverse("cases:case_verify", args=[case.pk]), "post")
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before
    response = page(client, officer_a2, reverse("cases:report_edit", args=[case.reports.get().pk]))
    assert response.status_code == 403


def test_the_group_sees_the_content_and_each_view_is_audited(client, case, officer_a, supervisor_a):
    for user in (officer_a, supervisor_a):
        before = AuditEvent.objects.count()
        response = page(client, user, case.get_absolute_url())
        text = response.content.decode()
        assert response.status_code == 200
        assert "Lò Thị Mai" in text and NARRATIVE in text
        assert AuditEvent.objects.count() == before + 1
        event = AuditEvent.objects.latest("id")
        assert (event.action, event.actor, event.changes) == ("cases.case.viewed", user, {"access": "member"})


def test_break_the_glass(client, case, officer_a2, supervisor_a):
    url = reverse("cases:case_break_glass", args=[case.pk])
    before = AuditEvent.objects.count()
    refused = page(client, officer_a2, url, "post", {"reason": "xem"})
    assert refused.status_code == 400 and "at least 10 characters" in refused.content.decode()
    assert AuditEvent.objects.count() == before
    reason = "Trẻ nhập viện lúc nửa đêm, cần biết tiền sử"
    response = page(client, officer_a2, url, "post", {"reason": reason})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    broken = AuditEvent.objects.get(action="cases.case.glass_broken")
    assert (broken.actor, broken.reason) == (officer_a2, reason)
    opened = page(client, officer_a2, case.get_absolute_url())
    text = opened.content.decode()
    assert NARRATIVE in text and "glass-banner" in text
    view = AuditEvent.objects.filter(action="cases.case.viewed").latest("id")
    assert (view.changes, view.reason) == ({"access": "glass"}, reason)
    # The supervisor sees it on the case page and in the list of openings.
    text = page(client, supervisor_a, case.get_absolute_url()).content.decode()
    assert reason in text and "Trần Văn Hai" in text
    listing = page(client, supervisor_a, reverse("cases:glass_list")).content.decode()
    assert reason in listing and case.number in listing
    # A break-the-glass reader reads; they do not act.
    assert (
        page(
            client, officer_a2, reverse("cases:note_add", args=[case.pk]), "post", {"note-text": "x"}
        ).status_code
        == 403
    )


def test_break_the_glass_expires(case, officer_a2, settings):
    import datetime as dt

    from treem.cases.models import CaseAccess

    services.case_break_glass(acting_user=officer_a2, case=case, reason="Cần xem gấp hồ sơ của trẻ")
    assert selectors.case_access(officer_a2, case).level == Access.GLASS
    CaseAccess.objects.update(
        expires_at=dt.datetime(2000, 1, 2, tzinfo=dt.UTC), opened_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    assert selectors.case_access(officer_a2, case).level == Access.EXISTS


def test_shared_user_sees_the_content(client, case, officer_a, officer_a2):
    services.case_share(
        acting_user=officer_a, case=case, user=officer_a2, reason="Phối hợp xác minh tại trường"
    )
    assert selectors.case_access(officer_a2, case).level == Access.MEMBER
    assert NARRATIVE in page(client, officer_a2, case.get_absolute_url()).content.decode()


def test_glass_list_shows_only_ones_own_cases(client, geo, case, officer_a2, supervisor_a):
    other_supervisor = UserFactory(username="chutich_a2", roles=["case_supervisor"], units=[geo.commune_a])
    services.case_break_glass(acting_user=officer_a2, case=case, reason="Cần xem gấp hồ sơ của trẻ")
    text = page(client, other_supervisor, reverse("cases:glass_list")).content.decode()
    assert case.number not in text
