"""The commune officer's other journeys in the child database, in a real browser (Vietnamese
interface): import the commune's Excel file, see and fix data-quality findings, merge a duplicate,
and export the commune's statistics.

Each test logs in through the login page as ``officer_a`` (commune officer of Phường An) and
moves through the pages by their links and buttons; files go up with the file input and come down
as real downloads, read back with openpyxl.
"""

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone, translation

from tests.browser.test_children import screenshot
from tests.browser.test_platform import go_to, text_in
from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children.identity import personal_id_findings
from treem.children.importers import TEMPLATE_SHEET
from treem.children.models import Caregiver, Child, CircumstanceGroup, Ethnicity, Household
from treem.children.models_duplicates import DuplicateCandidate, DuplicateStatus
from treem.children.reference import ensure_loaded

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def reference_lists(transactional_db):
    """Ethnic groups and special-circumstance groups, as the migration loads them.

    Tests with a live server end by emptying every table, which takes the migration's rows away
    for the tests after them (the roles come back by themselves: they are synced after migrate).
    """
    ensure_loaded(Ethnicity, CircumstanceGroup)


def vi(message: str) -> str:
    return text_in("vi", message)


def open_from_nav(page, label: str) -> None:
    go_to(
        page,
        {
            "Children": "nav-children",
            "Data quality": "nav-quality",
            "Child statistics": "nav-child-statistics",
        }[label],
    )


def submit_main_form(page, form=None) -> None:
    """Click the submit button of the page's form (the navbar's language buttons submit too)."""
    button = (form or page.locator("main form").first).locator("button[type=submit]")
    with page.expect_navigation():
        button.click()


def download(page, trigger, folder: Path) -> Path:
    with page.expect_download() as info:
        trigger.click()
    file = info.value
    assert file.failure() is None, file.failure()
    path = folder / file.suggested_filename
    file.save_as(path)
    return path


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- import -----------------------------------------------------------------------------------

# What the officer types into the downloaded template: header → value.
COMMUNE_FILE = [
    {
        "Họ và tên": "Đặng Thị Hoa",
        "Giới tính": "Nữ",
        "Ngày sinh": "05/06/2016",
        "Số định danh cá nhân": "048316000777",
        "Dân tộc": "Kinh",
        "Mã xã": "20001",
        "Thôn/tổ dân phố": "Thôn Một",
        "Hộ gia đình (chủ hộ)": "Đặng Văn Bình",
        "Tình trạng đăng ký khai sinh": "Đã đăng ký",
        "Mã nguồn": "TE-0001",
    },
    {
        "Họ và tên": "Đặng Văn Minh",
        "Giới tính": "Nam",
        "Ngày sinh": "12/01/2014",
        "Số định danh cá nhân": "048214000778",
        "Dân tộc": "Kinh",
        "Mã xã": "20001",
        "Thôn/tổ dân phố": "Thôn Một",
        "Hộ gia đình (chủ hộ)": "Đặng Văn Bình",
        "Tình trạng đăng ký khai sinh": "Đã đăng ký",
        "Mã nguồn": "TE-0002",
    },
    {
        "Họ và tên": "Lò Thị Mai",
        "Giới tính": "Nữ",
        "Năm sinh": "2012",  # only the year is known
        "Dân tộc": "08",
        "Mã xã": "20001",
        "Thôn/tổ dân phố": "Một",  # the kind word (Thôn) may be left out
        "Hộ gia đình (chủ hộ)": "Lò Văn Pao",
        "Tình trạng đăng ký khai sinh": "Chưa đăng ký",
        "Mã nguồn": "TE-0003",
    },
]


def fill_template(template: Path, rows: list[dict], destination: Path) -> Path:
    """The template as downloaded, with the rows typed under its headers, saved as ``destination``."""
    book = openpyxl.load_workbook(template)
    sheet = book[TEMPLATE_SHEET]
    headers = [cell.value for cell in sheet[1]]
    for values in rows:
        unknown = set(values) - set(headers)
        assert not unknown, f"not a header of the template: {unknown}"
        sheet.append([values.get(header) for header in headers])
    book.save(destination)
    return destination


def import_counts(page) -> dict[str, str]:
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_be_visible()
    terms = counts.locator("dt").all_inner_texts()
    values = counts.locator("dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def upload(page, path: Path, *, dry_run: bool) -> None:
    page.set_input_files("#id_file", str(path))
    if dry_run:
        page.check("#id_dry_run")
    else:
        expect(page.locator("#id_dry_run")).not_to_be_checked()
    submit_main_form(page, page.get_by_test_id("import-form"))


def imported_state() -> tuple[int, int, int]:
    return (
        Child.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.filter(action="children.child.imported").count(),
    )


@pytest.fixture
def media(settings, tmp_path):
    """Error reports of refused imports are kept under MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_officer_imports_the_communes_excel_file(page, login, officer_a, geo, tmp_path, media):
    login(page, officer_a)
    open_from_nav(page, "Children")
    with page.expect_navigation():
        page.get_by_test_id("child-import").click()
    expect(page).to_have_url(re.compile(r"/children/import/$"))
    template = download(page, page.get_by_test_id("template-xlsx"), tmp_path)
    assert template.name == "mau-nhap-tre-em.xlsx"
    path = fill_template(template, COMMUNE_FILE, tmp_path / "tre-em-phuong-an.xlsx")

    # First a check only: the page says what would happen, and nothing is written.
    upload(page, path, dry_run=True)
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("tre-em-phuong-an.xlsx")
    expect(result).to_contain_text(vi("checked, nothing written."))
    counts = import_counts(page)
    assert counts[vi("Rows read")] == "3"
    assert counts[vi("Children to add")] == "3"
    assert counts[vi("Households to add")] == "2"
    assert imported_state() == (0, 0, 0)
    screenshot(page, "import-dry-run.png")

    # Then for real.
    with page.expect_navigation():
        page.get_by_role("link", name=vi("Import another file")).click()
    upload(page, path, dry_run=False)
    expect(page.get_by_test_id("import-result")).to_contain_text(vi("imported."))
    counts = import_counts(page)
    assert counts[vi("Rows read")] == "3"
    assert counts[vi("Children added")] == "3"
    assert counts[vi("Households added")] == "2"
    assert imported_state() == (3, 2, 1)
    hoa = Child.objects.get(full_name="Đặng Thị Hoa")
    assert (hoa.commune, hoa.village, hoa.birth_date) == (geo.commune_a, geo.village_a, dt.date(2016, 6, 5))
    assert hoa.personal_id == "048316000777" and hoa.created_by == officer_a
    mai = Child.objects.get(full_name="Lò Thị Mai")
    assert (mai.birth_date, mai.birth_year, mai.birth_registered) == (None, 2012, False)
    assert hoa.household == Child.objects.get(full_name="Đặng Văn Minh").household != mai.household

    # The children are in the officer's list.
    open_from_nav(page, "Children")
    rows = page.locator("#child-rows")
    expect(rows.locator("tr")).to_have_count(3)
    for values in COMMUNE_FILE:
        expect(rows).to_contain_text(values["Họ và tên"])

    # Importing the same file again changes nothing.
    with page.expect_navigation():
        page.get_by_test_id("child-import").click()
    upload(page, path, dry_run=False)
    expect(page.get_by_test_id("import-result")).to_contain_text(vi("nothing to change."))
    assert import_counts(page)[vi("Children unchanged")] == "3"
    assert imported_state()[:2] == (3, 2)


def test_a_file_with_a_bad_date_is_refused_with_its_error_report(
    page, login, officer_a, geo, tmp_path, media
):
    login(page, officer_a)
    page.goto("/children/import/")
    template = download(page, page.get_by_test_id("template-xlsx"), tmp_path)
    rows = [COMMUNE_FILE[0], {**COMMUNE_FILE[1], "Ngày sinh": "31/02/2014"}]  # no 31 February
    path = fill_template(template, rows, tmp_path / "tre-em-loi.xlsx")

    upload(page, path, dry_run=False)
    summary = page.get_by_test_id("import-errors-summary")
    expect(summary).to_contain_text("tre-em-loi.xlsx")
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # the sheet's row: the header is row 1
    expect(cells.nth(1)).to_have_text("Ngày sinh")
    expect(cells.nth(2)).to_have_text("31/02/2014")
    reason = cells.nth(3).inner_text()
    assert reason.strip()
    screenshot(page, "import-refused.png")
    # Nothing was written, not even the valid first row.
    assert imported_state() == (0, 0, 0)
    assert not Child.objects.filter(full_name="Đặng Thị Hoa").exists()

    report = download(page, page.get_by_test_id("import-report"), tmp_path)
    assert report.suffix == ".xlsx"
    lines = [line for sheet in openpyxl.load_workbook(report, read_only=True) for line in rows_of(sheet)]
    listed = [line for line in lines if "31/02/2014" in [str(v) for v in line]]
    assert len(listed) == 1, lines
    assert 3 in listed[0] or "3" in listed[0]
    assert "Ngày sinh" in listed[0] and reason in listed[0]


def test_officer_exports_the_children_the_list_shows(page, login, officer_a, geo, tmp_path):
    for name in ("Đặng Thị Hoa", "Đặng Văn Minh", "Trần Văn Hùng"):
        ChildFactory(commune=geo.commune_a, village=geo.village_a, full_name=name)
    ChildFactory(commune=geo.commune_b, village=geo.village_b, full_name="Đặng Thị Bích")
    login(page, officer_a)
    open_from_nav(page, "Children")
    page.fill("#id_q", "dang")
    rows = page.locator("#child-rows tr")
    expect(rows).to_have_count(2)

    # The list's Export button takes its filters along to the export page.
    with page.expect_navigation():
        page.get_by_test_id("child-export").click()
    expect(page).to_have_url(re.compile(r"/children/import/export/\?(.*&)?q=dang(&|$)"))
    form = page.get_by_test_id("export-form")
    expect(form.locator("input[name=q][type=hidden]")).to_have_value("dang")
    page.uncheck("#id_deidentified")  # the officer needs the names
    # An Excel workbook is written by a background job: the page follows it, then offers the file.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("export-result")).to_be_visible()
    path = download(page, page.get_by_test_id("job-output-xlsx"), tmp_path)
    assert path.name == f"tre-em-{timezone.localdate():%Y%m%d}.xlsx"

    book = openpyxl.load_workbook(path, read_only=True)
    lines = rows_of(book[TEMPLATE_SHEET])
    name = lines[0].index("Họ và tên")
    assert sorted(line[name] for line in lines[1:]) == ["Đặng Thị Hoa", "Đặng Văn Minh"]
    event = AuditEvent.objects.get(action="children.child.exported")
    assert event.actor == officer_a
    assert (event.changes["rows"], event.changes["identifying"]) == (2, True)


# --- data quality -------------------------------------------------------------------------------


@pytest.fixture
def findings(geo):
    """Children of commune A with findings, one without, and one of commune B with a finding."""
    return {
        # Digit 4 is 3 (a girl born in the 2000s) but the record says a boy.
        "nam": ChildFactory(
            commune=geo.commune_a,
            village=geo.village_a,
            full_name="Trần Văn Nam",
            sex="male",
            birth_date=dt.date(2015, 4, 10),
            birth_year=2015,
            personal_id="048315000123",
            birth_registered=True,
        ),
        # Birth not registered, and no village recorded.
        "hoa": ChildFactory(
            commune=geo.commune_a,
            full_name="Lê Thị Hoa",
            sex="female",
            birth_date=dt.date(2017, 8, 20),
            birth_year=2017,
            birth_registered=False,
        ),
        "lan": ChildFactory(
            commune=geo.commune_a,
            village=geo.village_a,
            full_name="Phạm Thị Lan",
            sex="female",
            birth_date=dt.date(2016, 1, 1),
            birth_year=2016,
            personal_id="048316000456",
            birth_registered=True,
        ),
        "b": ChildFactory(
            commune=geo.commune_b, full_name="Vũ Thị Bích", birth_year=2016, birth_registered=False
        ),
    }


def badge(page, finding: str):
    return page.get_by_test_id(f"finding-{finding}").locator(".badge")


def test_officer_sees_and_fixes_data_quality_findings(page, login, officer_a, geo, findings):
    nam, hoa = findings["nam"], findings["hoa"]
    with translation.override("vi"):
        reasons = [f.message for f in personal_id_findings(nam.personal_id, sex="male", birth_year=2015)]
    assert reasons  # the record is wrong in the way the test means

    login(page, officer_a)
    open_from_nav(page, "Data quality")
    expect(page.locator("main h1")).to_contain_text(geo.commune_a.name)
    expect(badge(page, "invalid-ids")).to_have_text("1")
    expect(badge(page, "not-registered")).to_have_text("1")
    expect(page.get_by_test_id("complete-with_village").locator("td").nth(1)).to_have_text("2")
    main = page.locator("main")
    expect(main).not_to_contain_text("Vũ Thị Bích")  # commune B's child is not the officer's

    # The ID number that disagrees with the record: its line says why, and leads to the form.
    line = page.locator("#invalid-ids li", has_text="Trần Văn Nam").first
    expect(line).to_contain_text("048315000123")
    for reason in reasons:
        expect(line).to_contain_text(reason)
    screenshot(page, "quality-findings.png")
    with page.expect_navigation():
        line.get_by_role("link", name=vi("Edit"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/children/{nam.pk}/edit/\?next="))
    expect(page.locator("main h1")).to_contain_text("Trần Văn Nam")
    page.fill("#id_personal_id", "048215000123")  # digit 4 is 2: a boy born in the 2000s
    submit_main_form(page)

    # Saved, and back on the quality page, where the finding is gone.
    expect(page).to_have_url(re.compile(r"/children/quality/$"))
    expect(page.get_by_role("alert").filter(has_text=vi("The record is saved."))).to_be_visible()
    expect(badge(page, "invalid-ids")).to_have_text("0")
    expect(page.locator("#invalid-ids")).to_contain_text(vi("Nothing to check."))
    expect(page.locator("#invalid-ids")).not_to_contain_text("Trần Văn Nam")
    nam.refresh_from_db()
    assert nam.personal_id == "048215000123" and nam.updated_by == officer_a

    # The birth not registered (and the village missing): the same way.
    line = page.locator("#not-registered li", has_text="Lê Thị Hoa")
    with page.expect_navigation():
        line.get_by_role("link", name=vi("Edit"), exact=True).click()
    page.select_option("#id_birth_registered", "true")
    page.select_option("#id_village", label=geo.village_a.name)
    page.fill("#id_birth_registration_place", "UBND Phường An")
    submit_main_form(page)
    expect(page).to_have_url(re.compile(r"/children/quality/$"))
    expect(badge(page, "not-registered")).to_have_text("0")
    expect(page.locator("#not-registered")).not_to_contain_text("Lê Thị Hoa")
    expect(page.get_by_test_id("complete-with_village").locator("td").nth(1)).to_have_text("3")
    hoa.refresh_from_db()
    assert (hoa.birth_registered, hoa.village, hoa.birth_registration_place) == (
        True,
        geo.village_a,
        "UBND Phường An",
    )
    # Commune B's finding was not touched.
    assert Child.objects.get(pk=findings["b"].pk).birth_registered is False


# --- duplicates ---------------------------------------------------------------------------------


@pytest.fixture
def twins(geo):
    """The same girl registered twice in commune A: once with diacritics, once (from a school list)
    without, and with her mother recorded only on the second record."""
    first = ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Nguyễn Thị Ánh",
        sex="female",
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
    )
    second = ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Nguyen Thi Anh",
        sex="female",
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
        personal_id="048315000999",
        source="Danh sách trường",
        source_key="HS-17",
    )
    mother = Caregiver.objects.create(child=second, relationship="mother", full_name="Trần Thị Bé")
    return first, second, mother


def test_officer_finds_and_merges_a_duplicate(page, login, officer_a, geo, twins):
    first, second, mother = twins
    login(page, officer_a)
    open_from_nav(page, "Data quality")
    expect(badge(page, "duplicates")).to_have_text("0")  # nobody has looked yet

    with page.expect_navigation():
        page.get_by_role("button", name=vi("Look for duplicates now")).click()
    expect(page).to_have_url(re.compile(rf"/children/quality/duplicates/\?unit={geo.commune_a.pk}$"))
    with translation.override("vi"):
        found = translation.gettext("%(found)s possible duplicates in %(unit)s (%(created)s new).") % {
            "found": 1,
            "unit": geo.commune_a.name,
            "created": 1,
        }
    expect(page.get_by_role("alert").filter(has_text=found)).to_be_visible()
    pairs = page.locator("#duplicates tbody tr")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Nguyễn Thị Ánh")
    expect(pairs.first).to_contain_text("Nguyen Thi Anh")
    candidate = DuplicateCandidate.objects.get()

    with page.expect_navigation():
        pairs.first.get_by_role("link", name=vi("Review")).click()
    expect(page).to_have_url(re.compile(rf"/children/quality/duplicates/{candidate.pk}/$"))
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("Nguyễn Thị Ánh")
    expect(comparison).to_contain_text("Nguyen Thi Anh")
    expect(comparison).to_contain_text("02/03/2015")
    # Opening the pair shows both records: each opening is in the audit log.
    viewed = AuditEvent.objects.filter(action="children.child.viewed", actor=officer_a)
    assert sorted(viewed.values_list("object_id", flat=True)) == sorted([str(first.pk), str(second.pk)])
    screenshot(page, "duplicate-review.png")

    page.check("#keep-a")  # the record written with diacritics
    with page.expect_navigation():
        page.locator("#merge-form").get_by_role("button", name=vi("Merge")).click()

    # Back on the kept record, which now holds what only the other record knew.
    expect(page).to_have_url(re.compile(rf"/children/{first.pk}/$"))
    with translation.override("vi"):
        merged = translation.gettext("The records were merged into %(name)s.") % {"name": first.full_name}
    expect(page.get_by_role("alert").filter(has_text=merged)).to_be_visible()
    expect(page.locator("#child-record")).to_contain_text("048315000999")
    expect(page.locator("#caregivers")).to_contain_text("Trần Thị Bé")

    first.refresh_from_db()
    second.refresh_from_db()
    mother.refresh_from_db()
    assert first.is_active and first.personal_id == "048315000999"
    # The other record is kept as history: out of the registry, pointing at the kept one.
    assert not second.is_active and second.merged_into == first
    assert (second.source, second.source_key) == ("Danh sách trường", "HS-17")
    assert mother.child == first
    candidate.refresh_from_db()
    assert (candidate.status, candidate.kept, candidate.decided_by) == (
        DuplicateStatus.MERGED,
        first,
        officer_a,
    )
    assert set(
        AuditEvent.objects.filter(action__startswith="children.child.merged").values_list(
            "action", "object_id"
        )
    ) == {("children.child.merged", str(first.pk)), ("children.child.merged_away", str(second.pk))}

    # The merged record still opens, and says where it went.
    page.goto(second.get_absolute_url())
    expect(page.locator("main h1")).to_contain_text("Nguyen Thi Anh")
    gone = page.get_by_role("status").filter(has_text=vi("merged into"))
    expect(gone.get_by_role("link", name="Nguyễn Thị Ánh")).to_have_attribute(
        "href", first.get_absolute_url()
    )

    # The registry lists the child once, and no pair waits any more.
    open_from_nav(page, "Children")
    expect(page.locator("#child-rows tr")).to_have_count(1)
    expect(page.locator("#child-rows")).to_contain_text("Nguyễn Thị Ánh")
    open_from_nav(page, "Data quality")
    expect(badge(page, "duplicates")).to_have_text("0")


# --- statistics ---------------------------------------------------------------------------------


@pytest.fixture
def commune_children(geo):
    """Six girls and two boys in commune A; three children of commune B that must not count."""
    today = timezone.localdate()
    for n in range(6):
        ChildFactory(
            commune=geo.commune_a, village=geo.village_a, sex="female", birth_year=today.year - 3 - n
        )
    for n in range(2):
        ChildFactory(commune=geo.commune_a, village=geo.village_a, sex="male", birth_year=today.year - 8 - n)
    for n in range(3):
        ChildFactory(commune=geo.commune_b, village=geo.village_b, sex="male", birth_year=today.year - 5 - n)


def find_row(rows: list[list], label: str) -> list:
    matches = [row for row in rows if row and row[0] == label]
    assert len(matches) == 1, (label, rows)
    return matches[0]


def test_officer_exports_the_communes_statistics(page, login, officer_a, geo, commune_children, tmp_path):
    today = timezone.localdate()
    login(page, officer_a)
    open_from_nav(page, "Child statistics")
    # The officer's only commune is shown, broken down by its villages and by sex.
    expect(page.get_by_test_id("breadcrumb")).to_contain_text(geo.commune_a.name)
    table = page.locator("#statistics")
    expect(table).to_contain_text(geo.village_a.name)
    expect(table).not_to_contain_text(geo.commune_b.name)
    screenshot(page, "statistics-commune.png")

    # Exact counts: the officer may see the records, so the page offers them (not for publication).
    before = AuditEvent.objects.filter(action="children.statistics.exported").count()
    path = download(page, page.get_by_test_id("export-exact"), tmp_path)
    assert path.name == f"thong-ke-tre-em-20001-{today.isoformat()}-chinh-xac.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    rows = rows_of(book.worksheets[0])
    heading = [row[0] for row in rows[1:8]]
    with translation.override("vi"):
        assert translation.gettext("Unit: %(unit)s") % {"unit": geo.commune_a.label} in heading
        assert translation.gettext("Exact counts: not for publication.") in heading
    assert find_row(rows, vi("Unit"))[:4] == [vi("Unit"), vi("Male"), vi("Female"), vi("Total")]
    assert find_row(rows, geo.village_a.name)[:4] == [geo.village_a.name, 2, 6, 8]
    assert find_row(rows, vi("Total"))[:4] == [vi("Total"), 2, 6, 8]

    # For publication (the default): no count under 5 leaves the commune as a number.
    path = download(page, page.get_by_test_id("export-publication"), tmp_path)
    assert path.name == f"thong-ke-tre-em-20001-{today.isoformat()}.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    rows = rows_of(book.worksheets[0])
    heading = [row[0] for row in rows[1:8]]
    assert vi("Suppressed: counts under 5 shown as <5.") in heading
    village = find_row(rows, geo.village_a.name)
    assert village[1] == "<5"  # the two boys
    assert village[2] == "x"  # the girls too, or 8 - 6 would give the boys away
    assert village[3] == 8
    for sheet in book.worksheets:
        for row in rows_of(sheet):
            small = [v for v in row if isinstance(v, int | float) and 0 < v < 5]
            assert not small, f"{sheet.title}: {row}"

    events = AuditEvent.objects.filter(action="children.statistics.exported").order_by("id")
    assert events.count() == before + 2
    assert [e.changes["mode"] for e in events] == ["exact", "publication"]
    assert all(e.actor == officer_a and e.unit == geo.commune_a for e in events)
