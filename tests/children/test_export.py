"""Exporting the children a user may see: CSV and .xlsx, identifying fields or not, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children import exporters
from treem.children.importers import children_import
from treem.children.models import Child, Ethnicity, Household
from treem.core.scope import ScopeError
from treem.jobs import files as job_files
from treem.jobs.models import Job, JobStatus
from treem.jobs.services import jobs_prune_files


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def children(geo):
    household = Household.objects.create(commune=geo.commune_a, head_name="Nguyễn Văn Bình")
    anh = ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        household=household,
        full_name="Nguyễn Thị Ánh",
        sex="female",
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
        personal_id="048315000123",
        ethnicity=Ethnicity.objects.get(code="01"),
        birth_registered=True,
        health_insurance=False,
        school="Trường Tiểu học An",
        notes='=HYPERLINK("http://example.invalid")',
    )
    tam = ChildFactory(commune=geo.commune_a, full_name="Lê Văn Tám", sex="male", birth_year=2012)
    secret = ChildFactory(commune=geo.commune_b, full_name="Bí Mật", sex="female", birth_year=2014)
    return anh, tam, secret


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def exported_events():
    return AuditEvent.objects.filter(action="children.child.exported")


def test_csv_export_of_the_users_children_with_identifying_fields(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    header, *lines = rows
    assert header[:4] == ["Mã hồ sơ", "Họ và tên", "Giới tính", "Ngày sinh"]
    names = {line[1] for line in lines}
    assert names == {"Nguyễn Thị Ánh", "Lê Văn Tám"}  # never the child of commune B
    anh = dict(zip(header, next(line for line in lines if line[1] == "Nguyễn Thị Ánh"), strict=True))
    assert anh["Ngày sinh"] == "02/03/2015" and anh["Số định danh cá nhân"] == "048315000123"
    assert anh["Giới tính"] == "Nữ" and anh["Dân tộc"] == "Kinh" and anh["Mã xã"] == "20001"
    assert anh["Tên xã"] == "Phường An" and anh["Thôn/tổ dân phố"] == "Thôn Một"
    assert (
        anh["Hộ gia đình (chủ hộ)"] == "Nguyễn Văn Bình"
        and anh["Tình trạng đăng ký khai sinh"] == "Đã đăng ký"
    )
    assert anh["Thẻ BHYT"] == "Không"
    assert anh["Ghi chú"].startswith("'=")  # a formula is never handed to Excel
    event = exported_events().get()
    assert event.changes == {"rows": 2, "filters": {}, "format": "csv", "identifying": True}
    assert event.actor == officer_a and event.unit.code == "20001"


def test_deidentified_export_leaves_out_identifying_fields(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "csv", "deidentified": "on"})
    header, *lines = read_csv(response)
    for column in (
        "Họ và tên",
        "Số định danh cá nhân",
        "Ngày sinh",
        "Thôn/tổ dân phố",
        "Hộ gia đình (chủ hộ)",
        "Ghi chú",
        "Mã hồ sơ",
        "Mã nguồn",
    ):
        assert column not in header
    assert "Năm sinh" in header and "Giới tính" in header
    text = repr(lines)
    assert "Nguyễn" not in text and "048315000123" not in text and "02/03/2015" not in text
    assert sorted(line[header.index("Năm sinh")] for line in lines) == ["2012", "2015"]
    assert exported_events().get().changes["identifying"] is False


def _xlsx_through_a_job(client, query: dict):
    """Ask for an Excel export: the page sends the user to the job, which offers the file."""
    response = client.get(reverse("children:export"), query)
    assert response.status_code == 302
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.kind == "children.export" and job.status == JobStatus.DONE, job.error
    page = client.get(response["Location"]).content.decode()
    download = reverse("jobs:job_output", args=[job.pk, "xlsx"])
    assert download in page
    return job, client.get(download)


def test_xlsx_export_keeps_codes_as_text(client, officer_a, children):
    client.force_login(officer_a)
    job, response = _xlsx_through_a_job(client, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Trẻ em"]
    header = [c.value for c in sheet[1]]
    values = {r[header.index("Họ và tên")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    anh = values["Nguyễn Thị Ánh"]
    assert anh[header.index("Số định danh cá nhân")] == "048315000123"
    assert anh[header.index("Mã xã")] == "20001" and anh[header.index("Năm sinh")] == 2015
    assert anh[header.index("Ghi chú")].startswith("=HYPERLINK")  # stored as text, not a formula
    assert exported_events().count() == 1
    assert AuditEvent.objects.filter(action="jobs.output.downloaded", object_id=str(job.pk)).count() == 1


def test_xlsx_export_is_for_its_requester_only(client, officer_a, admin, children):
    client.force_login(officer_a)
    job, _response = _xlsx_through_a_job(client, {"format": "xlsx"})
    client.force_login(admin)  # may follow everyone's jobs, but not take their files
    assert client.get(reverse("jobs:job_output", args=[job.pk, "xlsx"])).status_code == 404
    client.force_login(officer_a)
    assert client.get(reverse("jobs:job_output", args=[job.pk, "csv"])).status_code == 404


def test_xlsx_export_files_are_removed_after_a_day(client, officer_a, children, settings):
    client.force_login(officer_a)
    job, _response = _xlsx_through_a_job(client, {"format": "xlsx"})
    path = job_files.path_of(job.result["outputs"][0]["path"])
    assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    assert jobs_prune_files() == 1
    assert not path.exists()
    assert client.get(reverse("jobs:job_output", args=[job.pk, "xlsx"])).status_code == 404
    page = client.get(job.get_absolute_url())
    assert 'data-testid="job-outputs-removed"' in page.content.decode()


def test_filters_of_the_list_apply(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "csv", "q": "tam", "sex": "male"})
    _header, *lines = read_csv(response)
    assert [line[1] for line in lines] == ["Lê Văn Tám"]
    assert exported_events().get().changes["filters"] == {"q": "tam", "sex": "male"}


def test_unit_filter_outside_scope_exports_nothing_of_it(client, officer_a, geo, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "csv", "unit": geo.commune_b.pk})
    _header, *lines = read_csv(response)
    assert lines == []


def test_invalid_filters_are_refused_not_ignored(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "csv", "sex": "robot"})
    assert response.status_code == 400
    assert "The filters of the list are not valid" in response.content.decode()
    assert exported_events().count() == 0


def test_export_page_keeps_the_filters(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"q": "tam", "page": "2"})
    text = response.content.decode()
    assert response.status_code == 200 and 'name="q" value="tam"' in text and 'name="page"' not in text
    assert exported_events().count() == 0  # the page itself exports nothing


def test_export_permissions(client, no_role_a, officer_no_unit, children):
    url = reverse("children:export")
    assert client.get(url, {"format": "csv"}).status_code == 302
    client.force_login(no_role_a)
    assert client.get(url, {"format": "csv"}).status_code == 403
    client.force_login(officer_no_unit)
    _header, *lines = read_csv(client.get(url, {"format": "csv"}))
    assert lines == []  # fail closed: no unit, nothing
    assert exported_events().count() == 1


def test_bad_format_is_refused(client, officer_a, children):
    client.force_login(officer_a)
    response = client.get(reverse("children:export"), {"format": "pdf"})
    assert response.status_code == 400 and exported_events().count() == 0


def test_service_refuses_without_permission_and_too_many_rows_for_excel(
    no_role_a, officer_a, children, monkeypatch
):
    with pytest.raises(ScopeError):
        exporters.children_export(acting_user=no_role_a, filters={}, fmt="csv", identifying=True)
    monkeypatch.setattr(exporters, "XLSX_MAX_ROWS", 1)
    with pytest.raises(ValidationError) as caught:
        exporters.children_export(acting_user=officer_a, filters={}, fmt="xlsx", identifying=True)
    assert "do not fit in an Excel sheet" in caught.value.message_dict["format"][0]
    assert exported_events().count() == 0


def test_an_exported_file_imports_back_unchanged(officer_a, children, tmp_path):
    export = exporters.children_export(acting_user=officer_a, filters={}, fmt="xlsx", identifying=True)
    path = tmp_path / "xuat.xlsx"
    exporters.write_xlsx(export, path)
    before = (Child.objects.count(), Household.objects.count())
    result = children_import(acting_user=officer_a, path=path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert (Child.objects.count(), Household.objects.count()) == before
    csv_export = exporters.children_export(acting_user=officer_a, filters={}, fmt="csv", identifying=True)
    csv_path = tmp_path / "xuat.csv"
    csv_path.write_text("".join(exporters.csv_chunks(csv_export)), encoding="utf-8")
    again = children_import(acting_user=officer_a, path=csv_path)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2), again.errors


def test_export_command_writes_what_the_user_may_see_and_audits(officer_a, children, tmp_path, capsys):
    from django.core.management import call_command

    out = tmp_path / "tre-em.csv"
    call_command("export_children", str(out), user="canbo_a", filter=["sex=male"])
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [line[1] for line in lines[1:]] == ["Lê Văn Tám"]
    assert "1 children written" in capsys.readouterr().out
    assert exported_events().get().changes["filters"] == {"sex": "male"}
    xlsx = tmp_path / "tre-em.xlsx"
    call_command("export_children", str(xlsx), user="canbo_a", deidentified=True)
    header = [c.value for c in openpyxl.load_workbook(xlsx)["Trẻ em"][1]]
    assert "Họ và tên" not in header and exported_events().count() == 2


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["x.csv"], {}, "--user"),
        (["x.pdf"], {"user": "canbo_a"}, "Name the output file .csv or .xlsx."),
        (["x.csv"], {"user": "canbo_a", "filter": ["sex"]}, "NAME=VALUE"),
        (["x.csv"], {"user": "canbo_a", "filter": ["sex=robot"]}, "Select a valid choice"),
        (["x.csv"], {"user": "khongvaitro"}, "may not see children"),
    ],
)
def test_export_command_refusals(officer_a, no_role_a, children, tmp_path, args, options, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("export_children", *[str(tmp_path / a) for a in args], **options)
    assert exported_events().count() == 0
