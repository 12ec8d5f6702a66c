"""Plan pages: loading, reporting, deciding, the dashboard, inspections."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.plans import services
from treem.plans.models import Plan, ProgressReport, ReportStatus, Task


def test_coordinator_loads_the_bundled_plan_then_again(client, coordinator, geo):
    client.force_login(coordinator)
    response = client.post(reverse("plans:plan_load"), {"bundled": "on"})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "IV.14.c" in page and "Sở Tư pháp" in page and "II.8" in page
    response = client.post(reverse("plans:plan_load"), {"bundled": "on"}, follow=True)
    assert "The plan was already loaded: nothing changed." in response.content.decode()
    assert Task.objects.filter(parent__isnull=True).count() == 31


def test_a_bad_upload_shows_the_message_and_writes_nothing(client, coordinator, geo):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("ke-hoach.yaml", b"key: K\ntitle: T\nunit_code: '99'\n")
    response = client.post(reverse("plans:plan_load"), {"file": upload})
    assert response.status_code == 400
    assert "No province with code 99 exists today." in response.content.decode()
    assert not Plan.objects.exists()


def test_reporters_may_not_load(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("plans:plan_load")).status_code == 403


def test_report_form_refuses_a_period_not_yet_open(client, reporter, task, future_period):
    client.force_login(reporter)
    url = reverse("plans:report_form", args=[task.pk, future_period.pk])
    response = client.post(url, {"activities": "Đã làm", "submit": "1"})
    assert response.status_code == 400
    assert "reports cannot be written before then" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_report_flow_through_the_pages(client, reporter, coordinator, task, open_period):
    client.force_login(reporter)
    url = reverse("plans:report_form", args=[task.pk, open_period.pk])
    response = client.post(url, {"activities": "Tổ chức 3 buổi", "results": "300 trẻ", "submit": "1"})
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and report.status == ReportStatus.SUBMITTED
    assert client.get(report.get_absolute_url()).status_code == 200
    client.force_login(coordinator)
    decide = reverse("plans:report_decide", args=[report.pk])
    response = client.post(decide, {"decision": "return", "comment": ""})
    assert response.status_code == 400 and "Say what must change" in response.content.decode()
    client.post(decide, {"decision": "return", "comment": "Thiếu số liệu"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    client.force_login(reporter)
    assert "Thiếu số liệu" in client.get(url).content.decode()
    client.post(url, {"activities": "Tổ chức 3 buổi", "figures": "300", "submit": "1"})
    client.force_login(coordinator)
    client.post(decide, {"decision": "accept", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_dashboard_shows_reporting_rates(client, coordinator, reporter, task, open_period):
    report = services.report_save(acting_user=reporter, period=open_period, task=task, activities="x")
    services.report_submit(acting_user=reporter, report=report)
    client.force_login(coordinator)
    page = client.get(reverse("plans:dashboard")).content.decode()
    assert "Sở Y tế" in page and "100%" in page
    page = client.get(open_period.get_absolute_url()).content.decode()
    assert 'data-testid="rates"' in page


def test_task_status_and_lists(client, coordinator, reporter, task):
    client.force_login(reporter)
    assert task.code in client.get(reverse("plans:task_list")).content.decode()
    response = client.post(reverse("plans:task_status", args=[task.pk]), {"status": "in_progress"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "in_progress"
    response = client.post(reverse("plans:task_status", args=[task.pk]), {"status": "cancelled"})
    assert response.status_code == 400 and "may cancel a task" in response.content.decode()


def test_inspection_pages(client, coordinator, geo):
    client.force_login(coordinator)
    response = client.post(
        reverse("plans:inspection_add"),
        {
            "kind": "check",
            "title": "Kiểm tra xã Bình",
            "unit": geo.province.pk,
            "inspected_unit": geo.commune_b.pk,
            "starts_on": "04/05/2026",
        },
    )
    assert response.status_code == 302
    from treem.plans.models import Inspection

    inspection = Inspection.objects.get()
    past = (dt.date.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    client.post(
        reverse("plans:recommendation_add", args=[inspection.pk]),
        {"text": "Bổ sung cán bộ", "owner": geo.agency_b.pk, "deadline": past},
    )
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' in page
    rec = inspection.recommendations.get()
    client.post(
        reverse("plans:recommendation_follow_up", args=[rec.pk]), {"follow_up": "Đã bổ sung", "close": "on"}
    )
    rec.refresh_from_db()
    assert rec.is_closed
    assert AuditEvent.objects.filter(action="plans.recommendation.closed").count() == 1
