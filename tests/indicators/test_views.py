"""Indicator pages: entry with its messages, import, targets, dashboards, drill-down, export."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import Workbook

from tests.indicators.conftest import enter
from treem.audit.models import AuditEvent
from treem.indicators import services
from treem.indicators.models import Approval, IndicatorValue, Target


def entry_url(unit, period="2026"):
    return reverse("indicators:entry", args=[unit.pk, period])


def test_entry_page_saves_and_warns(client, officer_a, geo):
    client.force_login(officer_a)
    page = client.get(entry_url(geo.commune_a))
    assert page.status_code == 200
    assert 'name="num_PAC_IMMUNISED"' in page.content.decode()
    assert 'name="num_PAC_BIRTH_REG"' not in page.content.decode()  # computed, not typed
    response = client.post(
        entry_url(geo.commune_a),
        {
            "num_PAC_IMMUNISED": "95",
            "den_PAC_IMMUNISED": "100",
            "num_TT13_SEX_RATIO": "135",
            "den_TT13_SEX_RATIO": "100",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "2 figures saved." in text
    assert "TT13_SEX_RATIO: 135 is above the expected 130; check it." in text
    assert IndicatorValue.objects.count() == 2


def test_entry_page_refuses_a_percentage_over_100(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(
        entry_url(geo.commune_a),
        {"num_PAC_IMMUNISED": "120", "den_PAC_IMMUNISED": "100", "num_PAC_DROWNING": "1"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "A percentage cannot be over 100: 120 out of 100." in text
    assert "Nothing was saved: correct the rows marked below." in text
    assert 'value="120"' in text  # what was typed is kept
    assert not IndicatorValue.objects.exists()


def test_entry_of_a_commune_that_did_not_exist(client, admin, geo):
    client.force_login(admin)
    response = client.post(entry_url(geo.commune_a, "2024"), {"num_PAC_DROWNING": "1"})
    assert response.status_code == 400
    assert "did not exist in 2024" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_entry_of_another_commune_is_404(client, officer_a, geo):
    client.force_login(officer_a)
    assert client.get(entry_url(geo.commune_b)).status_code == 404
    assert client.post(entry_url(geo.commune_b), {"num_PAC_DROWNING": "1"}).status_code == 404
    assert client.get(reverse("indicators:entry", args=[geo.commune_a.pk, "20x6"])).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_entry_start_redirects(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.get(reverse("indicators:entry_start"), {"unit": geo.commune_a.pk, "period": "2026q2"})
    assert response.status_code == 302 and response["Location"] == entry_url(geo.commune_a, "2026Q2")
    response = client.get(reverse("indicators:entry_start"), {"unit": geo.commune_a.pk, "period": "26"})
    assert "is not a period" in response.content.decode()


def test_approve_and_unlock_pages(client, officer_a, supervisor_a, geo):
    client.force_login(supervisor_a)
    response = client.post(reverse("indicators:approve", args=[geo.commune_a.pk, "2026"]), follow=True)
    assert "Missing values need a comment before approval" in response.content.decode()
    assert not Approval.objects.exists()
    response = client.post(reverse("indicators:approve", args=[geo.commune_a.pk, "2026Q1"]), follow=True)
    assert "The figures are approved and locked." in response.content.decode()
    approval = Approval.objects.get()
    response = client.post(reverse("indicators:unlock", args=[approval.pk]), {"reason": " "}, follow=True)
    assert "Say why the figures must be unlocked." in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "approved"
    client.post(reverse("indicators:unlock", args=[approval.pk]), {"reason": "Nhập nhầm"})
    approval.refresh_from_db()
    assert approval.status == "unlocked"


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã chỉ tiêu", "Mã đơn vị", "Kỳ", "Tử số", "Mẫu số", "Ghi chú"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("chi-tieu.xlsx", out.getvalue())


def test_import_page_names_unknown_codes_and_writes_nothing(client, coordinator, geo):
    client.force_login(coordinator)
    response = client.post(
        reverse("indicators:import"),
        {
            "file": xlsx(
                [["PAC_DROWNING", "20001", "2026", 1, None, ""], ["KHONG_CO", "20001", "2026", 1, None, ""]]
            )
        },
    )
    assert response.status_code == 400
    assert "Row 3: unknown indicator code “KHONG_CO”." in response.content.decode()
    assert not IndicatorValue.objects.exists()
    response = client.post(
        reverse("indicators:import"),
        {"file": xlsx([["PAC_DROWNING", "20001", "2026", 1, None, ""]])},
        follow=True,
    )
    assert "1 rows read, 1 figures saved." in response.content.decode()


def test_target_form_refuses_a_unit_that_did_not_exist(client, admin, geo):
    client.force_login(admin)
    from treem.indicators.models import Indicator

    data = {
        "indicator": Indicator.objects.get(code="PAC_CFC").pk,
        "unit": geo.commune_a.pk,
        "year": 2024,
        "target": "1",
    }
    response = client.post(reverse("indicators:target_set"), data)
    assert response.status_code == 400
    assert "did not exist in 2024: set the target for the units of that year." in response.content.decode()
    assert not Target.objects.exists()
    data["year"] = 2026
    assert client.post(reverse("indicators:target_set"), data).status_code == 302
    assert Target.objects.get().year == 2026


def test_dashboard_drill_down_and_trend(client, coordinator, approver, officer_a, officer_b, geo, ind):
    enter(officer_a, geo.commune_a, "2026", PAC_IMMUNISED=(90, 100))
    enter(officer_b, geo.commune_b, "2026", PAC_IMMUNISED=(45, 60))
    target = services.target_set(
        acting_user=coordinator, indicator=ind.PAC_IMMUNISED, unit=geo.province, year=2026, target=90
    )
    client.force_login(coordinator)
    # A draft is shown on the indicator's page as awaiting approval, and compared with nothing.
    detail = client.get(
        reverse("indicators:indicator_detail", args=[ind.PAC_IMMUNISED.pk]),
        {"unit": geo.province.pk, "year": 2026},
    )
    head = detail.content.decode().split('data-testid="drilldown"')[0]
    assert 'data-testid="draft-target">' + gettext("%(target)s awaiting approval") % {"target": "90"} in head
    assert "data-light=" not in head
    page = client.get(reverse("indicators:dashboard"), {"unit": geo.province.pk, "year": 2026})
    row = page.content.decode().split('data-code="PAC_IMMUNISED"')[1].split("</tr>")[0]
    assert "84,38" in row and "data-light=" not in row
    services.target_approve(acting_user=approver, target=target)
    page = client.get(reverse("indicators:dashboard"), {"unit": geo.province.pk, "year": 2026})
    text = page.content.decode()
    assert page.status_code == 200
    row = text.split('data-code="PAC_IMMUNISED"')[1].split("</tr>")[0]
    assert "84,38" in row and 'data-light="amber"' in row
    detail = client.get(
        reverse("indicators:indicator_detail", args=[ind.PAC_IMMUNISED.pk]),
        {"unit": geo.province.pk, "year": 2026},
    )
    text = detail.content.decode()
    assert 'data-testid="total">84,38<' in text and 'data-testid="draft-target"' not in text
    assert 'data-light="amber"' in text.split('data-testid="drilldown"')[0]
    drill = text.split('data-testid="drilldown"')[1]
    assert "Phường An" in drill and "Xã Bình" in drill and "75" in drill
    assert "<svg" in text and "<script>" not in text
    assert (
        client.get(reverse("indicators:ranking"), {"unit": geo.province.pk, "year": 2026}).status_code == 200
    )
    assert client.get(reverse("indicators:indicator_list"), {"programme": "cfc"}).status_code == 200


def test_export_json_and_csv(client, coordinator, officer_a, geo):
    enter(officer_a, geo.commune_a, "2026", PAC_IMMUNISED=(90, 100))
    client.force_login(coordinator)
    response = client.get(reverse("indicators:export"), {"period": "2026", "format": "json"})
    payload = json.loads(response.content)
    assert payload["format"] == "treem-indicator-exchange" and payload["period"] == "2026"
    assert payload["values"][0] | {"indicator_name": ""} == {
        "indicator": "PAC_IMMUNISED",
        "indicator_name": "",
        "kind": "percentage",
        "multiplier": 100,
        "unit_code": "20001",
        "unit_name": "Phường An",
        "unit_level": "commune",
        "reported_unit_code": "20001",
        "period": "2026",
        "numerator": 90,
        "denominator": 100,
        "value": 90,
        "comment": "",
        "source": "entered",
        "approved": False,
    }
    response = client.get(reverse("indicators:export"), {"period": "2026", "format": "csv"})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("indicator,indicator_name,kind,multiplier,unit_code")
    assert (
        lines[1].startswith("PAC_IMMUNISED,")
        and ",20001,Phường An,commune,20001,2026,90,100,90,,entered,false" in lines[1]
    )
    assert AuditEvent.objects.filter(action="indicators.indicatorvalue.exported").count() == 2
    assert client.get(reverse("indicators:export"), {"period": "x"}).status_code == 404


def test_export_of_a_forged_or_foreign_unit_is_404(client, officer_a, geo):
    client.force_login(officer_a)
    url = reverse("indicators:export")
    for unit in ("abc", "9" * 25, str(geo.commune_b.pk)):
        assert client.get(url, {"period": "2026", "unit": unit}).status_code == 404


def test_ranking_page_sets_a_communes_category(client, coordinator, geo):
    client.force_login(coordinator)
    url = reverse("indicators:ranking") + f"?unit={geo.province.pk}&year=2026"
    page = client.get(url)
    assert 'name="category"' in page.content.decode()
    category_url = reverse("indicators:category_set", args=[geo.commune_b.pk])
    response = client.post(category_url, {"category": "disadvantaged", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    from treem.indicators.models import CommuneClass

    assert CommuneClass.objects.get(unit=geo.commune_b).category == "disadvantaged"
    response = client.post(
        reverse("indicators:category_set", args=[geo.commune_b.pk]),
        {"category": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("indicators:ranking")


def test_import_template_round_trip(client, officer_a, geo):
    from openpyxl import load_workbook

    client.force_login(officer_a)
    response = client.get(reverse("indicators:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    codes = [row[0] for row in book["chi-tieu"].iter_rows(min_row=2, values_only=True)]
    assert "PAC_IMMUNISED" in codes and "PAC_BIRTH_REG" not in codes  # computed ones are not typed
    sheet = book["so-lieu"]
    sheet.append(["PAC_IMMUNISED", "20001", "2026", 9, 10, ""])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("mau.xlsx", out.getvalue())
    assert client.post(reverse("indicators:import"), {"file": upload}).status_code == 302
    assert IndicatorValue.objects.get().value == 90
