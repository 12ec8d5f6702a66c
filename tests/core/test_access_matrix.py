"""Generated access tests: every named URL of the project, for every kind of caller.

``ENDPOINTS`` is the table. Each entry names one URL and HTTP method, how to build its URL (and
body) for a record on a given side of the map, which persona may use it and which persona holds
no permission for it. The tests below are generated from it:

* anonymous → the login page (pages) or 401 (API), nothing written;
* no permission → 403, nothing written;
* in scope → 200 / 201 / 302, exactly the expected number of audit events, and lists show the
  caller's records and never those of another place;
* out of scope → 404 (400 where the out-of-scope unit is a form choice), nothing written.

``test_every_named_url_is_in_the_table`` walks the URL resolver, so a new endpoint cannot be added
without its line here.

The map: side "a" is commune A (officer_a, supervisor_a), side "b" is commune B (officer_b), side
"c" is a second province C with its own commune, village, agency and officer. The provincial
coordinator's scope is the province holding A and B, so for them "out of scope" is side "c".
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.cases.records import matrix_case_records
from tests.conftest import BEFORE, PERSONAS, REORG, build_geo, build_persona
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    CommuneFactory,
    ProvinceFactory,
    SuccessionFactory,
    UserFactory,
    VillageFactory,
)
from tests.matrix import Endpoint, app_tables
from tests.surveys.records import survey_records
from treem.accounts import services as services_accounts
from treem.accounts.models import Agency, User
from treem.audit.models import AuditEvent
from treem.cases.models import Case, CaseTransition, Report
from treem.children import importers, services, views_import
from treem.children.models import Child, CircumstanceGroup, CircumstanceMembership, Consent
from treem.children.models_duplicates import DuplicateCandidate
from treem.geo.models import PlacementReview, Unit, UnitSuccession
from treem.geo.services import village_create
from treem.jobs import files as job_files
from treem.jobs.models import Job, JobStatus
from treem.surveys.models import Question, Survey, SurveyResponse

# --- the map ----------------------------------------------------------------------------------


def _review(record_name: str, old_unit: Unit, scope_unit: Unit) -> PlacementReview:
    """A pending review of a village of a split old commune, decided by ``scope_unit``'s users."""
    record = VillageFactory(name=record_name, parent=old_unit)
    review = PlacementReview.objects.create(
        content_type=ContentType.objects.get_for_model(Unit),
        object_id=record.pk,
        field_name="parent",
        record_label=record.name,
        old_unit=old_unit,
        scope_unit=scope_unit,
        effective=REORG,
    )
    review.candidates.set([scope_unit])
    return review


CHILD_NAMES = {
    "a": ("Lò Thị Mai", "Lò Thị Mại"),
    "b": ("Vừ Văn Páo", "Vừ Văn Pào"),
    "c": ("Hà Thị Xuân", "Hà Thị Xuấn"),
}


def _children_records(side, tag: str) -> None:
    """A child of the side's commune, in a group, with a consent, and a possible duplicate of it."""
    name, twin_name = CHILD_NAMES[tag]
    side.child = ChildFactory(commune=side.commune, full_name=name)
    twin = ChildFactory(commune=side.commune, full_name=twin_name)
    side.membership = services.circumstance_enter(
        acting_user=side.user,
        child=side.child,
        group=CircumstanceGroup.objects.get(code="a"),
        entered_on=dt.date(2025, 1, 15),
    )
    side.consent = services.consent_record(
        acting_user=side.user,
        child=side.child,
        purpose="registry",
        given_on=dt.date(2025, 1, 10),
        legal_basis="consent",
        given_by="Mẹ của trẻ",
        child_agreed=True,
    )
    side.duplicate = DuplicateCandidate.objects.create(
        child_a=side.child, child_b=twin, score=0.9, reasons=["name"]
    )


def _build_world() -> SimpleNamespace:
    """Every persona, and the records of three places (sides a, b and c)."""
    geo = build_geo()
    built = {name: build_persona(name, geo) for name in PERSONAS}
    admin, coordinator, officer_a, officer_b = (
        built[n] for n in ("admin", "coordinator", "officer_a", "officer_b")
    )
    viewer, supervisor_a, officer_no_unit, no_role_a = (
        built[n] for n in ("viewer", "supervisor_a", "officer_no_unit", "no_role_a")
    )
    province_c = ProvinceFactory(name="Tỉnh Xa", code="47", kind="Tỉnh", valid_from=REORG)
    commune_c = CommuneFactory(name="Xã Xa Xôi", code="30001", parent=province_c, valid_from=REORG)
    old_c = CommuneFactory(name="Xã Xa Cũ", code="30005", valid_to=BEFORE)
    officer_c = UserFactory(username="canbo_xa", roles=["commune_officer"], units=[commune_c])

    def event_in(commune, actor, name):
        village = village_create(acting_user=actor, commune=commune, name=name)
        return AuditEvent.objects.for_object(village).get()

    sides = {
        "a": SimpleNamespace(
            commune=geo.commune_a,
            village=geo.village_a,
            agency=geo.agency_a,
            successor=geo.department,
            user=officer_a,
            succession=UnitSuccession.objects.get(predecessor=geo.old_1, successor=geo.commune_a),
            review=_review("Thôn Cũ An", geo.old_2, geo.commune_a),
        ),
        "b": SimpleNamespace(
            commune=geo.commune_b,
            village=geo.village_b,
            agency=geo.agency_b,
            successor=geo.department,
            user=officer_b,
            succession=UnitSuccession.objects.get(predecessor=geo.old_2, successor=geo.commune_b),
            review=_review("Thôn Cũ Bình", geo.old_2, geo.commune_b),
        ),
        "c": SimpleNamespace(
            commune=commune_c,
            village=VillageFactory(name="Thôn Xa", parent=commune_c),
            agency=AgencyFactory(name="UBND Xã Xa Xôi", kind="commune_pc", unit=commune_c),
            successor=AgencyFactory(name="Sở Y tế Tỉnh Xa", kind="department", unit=province_c),
            user=officer_c,
            succession=SuccessionFactory(predecessor=old_c, successor=commune_c, kind="full"),
        ),
    }
    for tag, side in sides.items():
        _children_records(side, tag)
        survey_records(side, definer=admin if tag == "c" else coordinator, tag=tag)
        matrix_case_records(side, tag=tag, supervisor=supervisor_a if tag == "a" else None)
        side.job = _failed_import_job(side, tag)
    personas = {
        "admin": admin,
        "coordinator": coordinator,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "viewer": viewer,
        "supervisor_a": supervisor_a,
        "officer_no_unit": officer_no_unit,
        "no_role_a": no_role_a,
    }
    for tag, side in sides.items():
        for table in APP_TABLES:
            if hasattr(table, "records"):
                before = dict(vars(side))
                table.records(side, tag, personas)
                replaced = [name for name, value in before.items() if vars(side)[name] is not value]
                assert not replaced, (
                    f"{table.__name__}.records replaced side attributes {replaced}: rename yours"
                )
    # The audit event each side's lists must show: written last, so that it is on the first page
    # of the audit log whatever the apps' records above wrote.
    for side, actor, name in (
        (sides["a"], officer_a, "Thôn Nhật Ký An"),
        (sides["b"], officer_b, "Thôn Nhật Ký Bình"),
        (sides["c"], admin, "Thôn Nhật Ký Xa"),
    ):
        side.event = event_in(side.commune, actor, name)
    return SimpleNamespace(geo=geo, sides=sides, personas=personas)


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world is built once for the module, inside a transaction rolled back at its end; each
    test runs in a savepoint of it (pytest-django's ``db``), so what a test writes is undone
    before the next, as if the world had been built for it alone."""
    settings = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),  # import reports are written there
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TREEM_JOBS_INLINE=True,
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        built = _build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    """The module's world, with Python objects of the test's own: a test that changes a record in
    memory (``user.is_active = False``) leaves the next test's copy as built."""
    return copy.deepcopy(_world)


# Which side is "mine" and which is "someone else's" for each permitted persona.
SIDES = {"officer_a": ("a", "b"), "supervisor_a": ("a", "b"), "coordinator": ("a", "c")}


# --- the table --------------------------------------------------------------------------------


def _user_form(side) -> dict:
    return {
        "username": "canbo_moi",
        "full_name": "Cán Bộ Mới",
        "password": "Mat-khau-moi-2026!",
        "roles": ["commune_officer"],
        "units": [side.commune.pk],
    }


def _user_edit_form(side) -> dict:
    return {
        "full_name": "Tên Đã Sửa",
        "roles": ["commune_officer"],
        "units": [side.commune.pk],
        "is_active": "on",
    }


def _agency_form(side) -> dict:
    return {"name": "Hội Liên hiệp Phụ nữ", "kind": "mass_org", "unit": side.commune.pk}


@dataclass(frozen=True)
class GroupChoice:
    """A circumstance group (reference data, the same for every side) as a form value, looked up
    when the request is sent (the table is read before the database exists)."""

    code: str

    def __str__(self) -> str:
        return str(CircumstanceGroup.objects.get(code=self.code).pk)


def _child_form(side) -> dict:
    return {
        "commune": side.commune.pk,
        "village": side.village.pk,
        "full_name": "Trẻ Mới Đăng Ký",
        "sex": "male",
        "birth_year": "2019",
        "nationality": "VN",
        "schooling_status": "unknown",
    }


def _child_edit_form(side) -> dict:
    return {
        "village": side.village.pk,
        "full_name": "Tên Trẻ Đã Sửa",
        "sex": "female",
        "birth_year": "2018",
        "nationality": "VN",
        "schooling_status": "in_school",
    }


def _import_file(side) -> dict:
    """A one-row children file for the side's commune (the commune is named by its code)."""
    header = importers.template_csv()
    row = f"Trẻ Nhập Từ Tệp,Nữ,,2017,,Kinh,VN,{side.commune.code}".encode()
    content = header + row + b"," * (header.count(b",") - row.count(b",")) + b"\r\n"
    return {"file": SimpleUploadedFile("tre-em.csv", content, content_type="text/csv")}


def _import_report_token(side) -> dict:
    """The token of an error report of a refused import by the side's user (made on first use)."""
    if not hasattr(side, "report_token"):
        header = importers.template_csv()
        row = "Trẻ Lỗi,Nữ,,2017,,Kinh,VN,99999".encode()  # no commune has this code
        path = views_import.report_dir().parent / f"loi-{side.user.pk}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(header + row + b"," * (header.count(b",") - row.count(b",")) + b"\r\n")
        token = secrets.token_urlsafe(24)
        report = views_import.report_path(side.user, token)
        report.parent.mkdir(parents=True, exist_ok=True)
        result = importers.children_import(acting_user=side.user, path=path, report_path=report)
        assert result.report_path and report.exists(), "the refused import wrote no report"
        side.report_token = token
    return {"token": side.report_token}


def _failed_import_job(side, tag: str) -> Job:
    """An import of a one-row file of the side's commune by its user, failed and kept for a retry."""
    name = f"tre-em-{tag}.csv"
    upload = _import_file(side)["file"]
    upload.name = name
    return Job.objects.create(
        kind="children.import",
        subject=name,
        arguments={"file_name": name, "dry_run": False, "report_token": secrets.token_urlsafe(24)},
        input_file=job_files.store_upload(upload, "imports"),
        requested_by=side.user,
        unit=side.commune,
        status=JobStatus.FAILED,
        attempts=1,
        error="Records changed while the file was being checked: nothing was imported. Import it again.",
    )


@dataclass(frozen=True)
class TransitionChoice:
    """A case transition (reference data) as a form value, looked up when the request is sent."""

    source: str
    target: str

    def __str__(self) -> str:
        return str(CaseTransition.objects.get(source__code=self.source, target__code=self.target).pk)


def _report_form(side) -> dict:
    return {
        "channel": "hotline_111",
        "unit": side.commune.pk,
        "summary": "Nghi trẻ bị bỏ rơi",
        "child_description": "Bé gái khoảng 6 tuổi ở chợ",
        "child_sex": "female",
    }


def _plan_form(side) -> dict:
    review_on = dt.date.today() + dt.timedelta(days=40)
    return {
        "plan-goals": "Trẻ an toàn",
        "plan-actions": "Tư vấn; chuyển gửi",
        "plan-review_on": f"{review_on:%d/%m/%Y}",
    }


def _survey_form(side) -> dict:
    return {
        "title": "Khảo sát mới",
        "subject_kind": "child",
        "unit": side.commune.pk,
        "starts_on": "01/01/2026",
        "ends_on": "31/12/2030",
    }


def _api_child(side) -> dict:
    return {"commune": side.commune.pk, "full_name": "Trẻ Qua API", "sex": "male", "birth_year": 2019}


def _agency_put(side) -> dict:
    return {
        "name": "UBND (đổi tên)",
        "short_name": "",
        "kind": "commune_pc",
        "unit": side.commune.pk,
        "valid_from": None,
        "valid_to": None,
        "email": "",
        "phone": "",
    }


ENDPOINTS: tuple[Endpoint, ...] = (
    # --- public pages ---
    Endpoint("login", permitted=None, anonymous=200, public="the sign-in form"),
    Endpoint("logout", "post", permitted=None, anonymous=302, public="signing out needs no rights"),
    Endpoint(
        "set_language", "post", permitted=None, anonymous=302, public="the language switch on the login page"
    ),
    Endpoint("javascript-catalog", permitted=None, anonymous=200, public="translated strings of the scripts"),
    Endpoint("healthz", permitted=None, anonymous=200, public="load balancers and monitoring probe it"),
    Endpoint(
        "schema",
        permitted=None,
        anonymous=200,
        public="the OpenAPI schema, no records: public in debug mode or with TREEM_API_SCHEMA_PUBLIC, "
        "signed-in users only in production (tests/api/test_production_mode.py)",
    ),
    Endpoint(
        "api-docs",
        permitted=None,
        anonymous=200,
        public="Swagger UI shell, no data; published like the schema",
    ),
    # --- pages for every signed-in user ---
    Endpoint("home", open_to_all="the dashboard; every card counts only what the user may see"),
    Endpoint("search", open_to_all="the search box; each finder searches the user's restricted records"),
    Endpoint("accounts:profile", open_to_all="the user's own profile"),
    Endpoint(
        "accounts:logout_everywhere", "post", open_to_all="ends the user's own sessions", ok=302, events=1
    ),
    # Two-factor pages of one's own login; a role without two-factor (officer_a) is sent on.
    Endpoint("accounts:two_factor_setup", open_to_all="enrolment of one's own authenticator", ok=302),
    Endpoint("accounts:two_factor_verify", open_to_all="the code step of one's own login", ok=302),
    # --- geography ---
    Endpoint(
        "geo:unit_list",
        denied="no_role_a",
        shown=lambda side: [side.commune, side.village],
    ),
    Endpoint(
        "geo:unit_export",
        denied="no_role_a",
        events=1,
        shown=lambda side: [side.commune, side.village],
    ),
    Endpoint("geo:unit_statistics", denied="no_role_a", shown=lambda side: [side.commune]),
    Endpoint("geo:unit_import", permitted="admin", denied="coordinator"),
    Endpoint("geo:unit_detail", denied="no_role_a", record="commune"),
    Endpoint(
        "geo:village_add",
        "post",
        denied="viewer",
        record="commune",
        data=lambda side: {"name": "Thôn Mới", "kind": "Thôn"},
        ok=302,
        events=1,
    ),
    Endpoint("geo:village_edit", denied="viewer", record="village"),
    Endpoint(
        "geo:village_edit",
        "post",
        denied="viewer",
        record="village",
        data=lambda side: {"name": "Thôn Đổi Tên", "kind": "Xóm"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "geo:village_retire",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="village",
        ok=302,
        events=1,
    ),
    Endpoint("geo:review_list", denied="viewer", shown=lambda side: [side.review]),
    Endpoint("geo:review_detail", denied="viewer", record="review"),
    Endpoint(
        "geo:review_detail",
        "post",
        denied="viewer",
        record="review",
        data=lambda side: {"new_unit": side.commune.pk},
        ok=302,
        events=1,
    ),
    # --- users and agencies ---
    Endpoint(
        "accounts:user_list", permitted="coordinator", denied="officer_a", shown=lambda side: [side.user]
    ),
    Endpoint("accounts:user_detail", permitted="coordinator", denied="officer_a", record="user", events=1),
    Endpoint("accounts:user_add", permitted="coordinator", denied="officer_a"),
    Endpoint(
        "accounts:user_add",
        "post",
        permitted="coordinator",
        denied="officer_a",
        data=_user_form,
        ok=302,
        events=1,
        out_status=400,  # a unit outside the coordinator's scope is not among the form's choices
    ),
    Endpoint("accounts:user_edit", permitted="coordinator", denied="officer_a", record="user"),
    Endpoint(
        "accounts:user_edit",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="user",
        data=_user_edit_form,
        ok=302,
        events=1,
    ),
    # Administrators only (not limited by place): lockouts and authenticator resets.
    Endpoint("accounts:lockout_list", permitted="admin", denied="coordinator"),
    # An empty body names nothing to unlock: a message, nothing written.
    Endpoint("accounts:lockout_unlock", "post", permitted="admin", denied="coordinator", ok=302),
    Endpoint(
        "accounts:two_factor_reset",
        "post",
        permitted="admin",
        denied="coordinator",
        kwargs=lambda side: {"pk": side.user.pk},
        ok=302,  # the side's officer has no authenticator: a message, nothing written
    ),
    Endpoint("accounts:agency_list", denied="no_role_a", shown=lambda side: [side.agency]),
    Endpoint("accounts:agency_detail", denied="no_role_a", record="agency"),
    Endpoint("accounts:agency_add", permitted="coordinator", denied="officer_a"),
    Endpoint(
        "accounts:agency_add",
        "post",
        permitted="coordinator",
        denied="officer_a",
        data=_agency_form,
        ok=302,
        events=1,
        out_status=400,  # not among the form's unit choices
    ),
    Endpoint("accounts:agency_edit", permitted="coordinator", denied="officer_a", record="agency"),
    Endpoint(
        "accounts:agency_edit",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="agency",
        data=lambda side: {"name": "UBND (đổi tên)", "kind": "commune_pc", "unit": side.commune.pk},
        ok=302,
        events=1,
    ),
    Endpoint("accounts:agency_succeed", permitted="coordinator", denied="officer_a", record="agency"),
    Endpoint(
        "accounts:agency_succeed",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="agency",
        data=lambda side: {"successors": [side.successor.pk], "effective": "2025-07-01", "note": "Sáp nhập"},
        ok=302,
        events=1,
    ),
    # --- audit ---
    Endpoint(
        "audit:event_list", permitted="coordinator", denied="officer_a", shown=lambda side: [side.event]
    ),
    Endpoint(
        "audit:history",
        permitted="coordinator",
        denied="officer_a",
        record="village",
        kwargs=lambda side: {"app_label": "geo", "model_name": "unit", "pk": side.village.pk},
        variant="unit",
    ),
    Endpoint(
        "audit:history",
        permitted="supervisor_a",
        denied="officer_a",
        record="agency",
        kwargs=lambda side: {"app_label": "accounts", "model_name": "agency", "pk": side.agency.pk},
        variant="agency",
    ),
    # --- the child database: registry pages ---
    Endpoint("children:child_list", denied="viewer", shown=lambda side: [side.child]),
    Endpoint("children:child_add", denied="supervisor_a"),
    Endpoint(
        "children:child_add",
        "post",
        denied="supervisor_a",
        data=_child_form,
        ok=302,
        events=1,
        out_status=400,  # a commune outside the officer's units is not among the form's choices
    ),
    Endpoint("children:child_detail", denied="viewer", record="child", events=1),
    Endpoint("children:child_edit", denied="supervisor_a", record="child", events=1),
    Endpoint(
        "children:child_edit",
        "post",
        denied="supervisor_a",
        record="child",
        data=_child_edit_form,
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:child_deactivate",
        "post",
        denied="supervisor_a",
        record="child",
        data=lambda side: {"deactivate-reason": "Chuyển khỏi tỉnh"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:caregiver_add",
        "post",
        denied="supervisor_a",
        record="child",
        data=lambda side: {"caregiver-relationship": "mother", "caregiver-full_name": "Lò Thị Hoa"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:circumstance_enter",
        "post",
        denied="supervisor_a",
        record="child",
        data=lambda side: {
            "circumstance-group": GroupChoice("d"),
            "circumstance-entered_on": "2025-03-01",
        },
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:circumstance_leave",
        "post",
        denied="supervisor_a",
        record="membership",
        data=lambda side: {f"leave-{side.membership.pk}-left_on": "2025-06-01"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:support_add",
        "post",
        denied="supervisor_a",
        record="child",
        data=lambda side: {
            "support-kind": "Trợ cấp xã hội hằng tháng",
            "support-given_on": "2025-04-01",
            "support-agency": side.agency.pk,
            "support-amount_vnd": "500000",
        },
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:consent_add",
        "post",
        denied="supervisor_a",
        record="child",
        data=lambda side: {
            "consent-purpose": "sharing",
            "consent-legal_basis": "consent",
            "consent-given_by": "Mẹ của trẻ",
            "consent-child_agreed": "true",
            "consent-given_on": "2025-05-01",
        },
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:consent_withdraw",
        "post",
        denied="supervisor_a",
        record="consent",
        data=lambda side: {f"withdraw-{side.consent.pk}-withdrawn_on": "2025-07-01"},
        ok=302,
        events=1,
    ),
    # --- the child database: import and export ---
    Endpoint("children:import", denied="supervisor_a"),
    Endpoint(
        "children:import",
        "post",
        denied="supervisor_a",
        data=_import_file,
        events=1,  # one event for the whole file
        out_status=400,  # a row of a commune outside the officer's units refuses the file
    ),
    Endpoint("children:import_template", denied="supervisor_a", kwargs=lambda side: {"fmt": "xlsx"}),
    Endpoint(
        "children:import_report",
        denied="supervisor_a",
        record="user",  # the report of a refused import by the side's user
        kwargs=_import_report_token,
        forged_key="token",
    ),
    Endpoint("children:export", denied="viewer", variant="page"),
    Endpoint(
        "children:export",
        denied="viewer",
        query={"format": "csv"},
        events=1,
        shown=lambda side: [side.child],
        variant="csv",
    ),
    # --- the child database: quality ---
    Endpoint("children:quality", denied="viewer", data=lambda side: {"unit": side.commune.pk}),
    Endpoint("children:duplicate_list", denied="viewer", shown=lambda side: [side.duplicate]),
    Endpoint(
        "children:duplicate_find",
        "post",
        denied="supervisor_a",
        data=lambda side: {"unit": side.commune.pk},
        ok=302,
        events=1,
    ),
    Endpoint("children:duplicate_detail", denied="viewer", record="duplicate", events=2),  # both records
    Endpoint(
        "children:duplicate_merge",
        "post",
        denied="supervisor_a",
        record="duplicate",
        data=lambda side: {"keep": side.child.pk},
        ok=302,
        events=2,
    ),
    Endpoint(
        "children:duplicate_dismiss",
        "post",
        denied="supervisor_a",
        record="duplicate",
        data=lambda side: {"reason": "Hai trẻ khác nhau"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "children:child_population_check",
        "post",
        denied="supervisor_a",
        record="child",
        ok=302,  # the registry is not configured in tests: a message, nothing recorded
    ),
    # --- the child database: statistics ---
    Endpoint("children:statistics", denied="no_role_a", data=lambda side: {"unit": side.commune.pk}),
    Endpoint(
        "children:statistics_export",
        denied="no_role_a",
        data=lambda side: {"unit": side.commune.pk},
        events=1,
    ),
    # --- surveys ---
    Endpoint("surveys:survey_list", denied="no_role_a", shown=lambda side: [side.survey]),
    Endpoint("surveys:survey_add", permitted="coordinator", denied="officer_a"),
    Endpoint(
        "surveys:survey_add",
        "post",
        permitted="coordinator",
        denied="officer_a",
        data=_survey_form,
        ok=302,
        events=1,
        out_status=400,  # a unit outside the coordinator's province is not among the form's choices
    ),
    Endpoint("surveys:survey_detail", denied="no_role_a", record="survey"),
    Endpoint("surveys:survey_edit", permitted="coordinator", denied="officer_a", record="draft"),
    Endpoint(
        "surveys:survey_edit",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="draft",
        data=_survey_form,
        ok=302,
        events=1,
    ),
    Endpoint(
        "surveys:survey_open",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="draft",
        ok=302,
        events=1,
    ),
    Endpoint(
        "surveys:survey_close",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="survey",
        ok=302,
        events=1,
    ),
    Endpoint("surveys:question_add", permitted="coordinator", denied="officer_a", record="draft"),
    Endpoint(
        "surveys:question_add",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="draft",
        data=lambda side: {"text": "Trẻ có giấy khai sinh?", "kind": "yes_no", "required": "on"},
        ok=302,
        events=1,
    ),
    Endpoint("surveys:question_edit", permitted="coordinator", denied="officer_a", record="draft_question"),
    Endpoint(
        "surveys:question_edit",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="draft_question",
        data=lambda side: {"text": "Câu hỏi đã sửa", "kind": "number", "min_value": "0", "max_value": "10"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "surveys:question_delete",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="draft_question",
        ok=302,
        events=1,
    ),
    Endpoint("surveys:answer_list", denied="supervisor_a", record="survey", shown=lambda side: [side.child]),
    Endpoint(
        "surveys:response_form",
        denied="supervisor_a",
        record="survey",
        kwargs=lambda side: {"pk": side.survey.pk, "subject": side.child.pk},
        events=1,  # the form shows the answers given: a view of the response
    ),
    Endpoint(
        "surveys:response_form",
        "post",
        denied="supervisor_a",
        record="survey",
        kwargs=lambda side: {"pk": side.survey.pk, "subject": side.child.pk},
        data=lambda side: side.survey_answers,
        ok=302,
        events=1,
    ),
    Endpoint("surveys:response_list", denied="viewer", record="survey", shown=lambda side: [side.child]),
    Endpoint("surveys:response_detail", denied="viewer", record="response", events=1),
    Endpoint("surveys:results", permitted="supervisor_a", denied="no_role_a", record="survey"),
    Endpoint(
        "surveys:results_export", permitted="supervisor_a", denied="no_role_a", record="survey", events=1
    ),
    Endpoint(
        "surveys:child_responses",
        denied="viewer",
        record="child",
        kwargs=lambda side: {"child": side.child.pk},
        forged_key="child",
        shown=lambda side: [side.survey],
    ),
    # --- background jobs: one's own ---
    Endpoint("jobs:job_list", open_to_all="the user's own background jobs", shown=lambda side: [side.job]),
    Endpoint("jobs:job_detail", open_to_all="the user's own background job", record="job"),
    Endpoint(
        "jobs:job_retry",
        "post",
        open_to_all="the user retries their own job",
        record="job",
        ok=302,
        events=2,  # the retry, and the import it runs (at once in the tests)
    ),
    # --- child protection cases ---
    Endpoint("cases:case_list", denied="viewer", shown=lambda side: [side.case]),
    Endpoint("cases:case_detail", denied="viewer", record="case", events=1),  # every view is audited
    # Break the glass: the coordinator is in scope of commune A but in no case's group.
    Endpoint("cases:case_break_glass", permitted="coordinator", denied="viewer", record="case"),
    Endpoint(
        "cases:case_break_glass",
        "post",
        permitted="coordinator",
        denied="viewer",
        record="case",
        data=lambda side: {"reason": "Trẻ được đưa vào bệnh viện tỉnh lúc nửa đêm"},
        ok=302,
        events=1,
    ),
    Endpoint("cases:glass_list", permitted="supervisor_a", denied="officer_a"),
    Endpoint("cases:case_verify", "post", denied="viewer", record="case", ok=302, events=1),
    Endpoint(
        "cases:case_assess",
        "post",
        denied="viewer",
        record="case_verified",
        data=lambda side: {"assess-kind": "initial", "assess-findings": "Có vết bầm"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_plan", "post", denied="viewer", record="case_review", data=_plan_form, ok=302, events=1
    ),
    Endpoint("cases:case_plan_submit", "post", denied="viewer", record="case_drafted", ok=302, events=1),
    Endpoint(
        "cases:case_plan_decide",
        "post",
        permitted="supervisor_a",
        denied="officer_a",
        record="case_submitted",
        data=lambda side: {"decide-decision": "approve"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_advance",
        "post",
        denied="viewer",
        record="case_approved",
        data=lambda side: {"advance-target": TransitionChoice("plan_approved", "plan_in_progress")},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_close_request",
        "post",
        denied="viewer",
        record="case_review",
        data=lambda side: {"close-note": "Trẻ đã an toàn, ổn định"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_close_decide",
        "post",
        permitted="supervisor_a",
        denied="officer_a",
        record="case_closing",
        data=lambda side: {"closedecide-decision": "approve"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_assign",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {"assign-workers": [side.user.pk], "assign-supervisor": side.supervisor.pk},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:case_share",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {"share-user": side.supervisor.pk, "share-reason": "Phối hợp xác minh tại trường"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:note_add",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {"note-text": "Đã gặp mẹ của trẻ"},
        ok=302,
        events=1,
    ),
    Endpoint("cases:report_list", denied="viewer", shown=lambda side: [side.report]),
    Endpoint("cases:report_add", denied="viewer"),
    Endpoint(
        "cases:report_add",
        "post",
        denied="viewer",
        data=_report_form,
        ok=302,
        events=1,
        out_status=400,  # a commune outside the officer's units is not among the form's choices
    ),
    Endpoint("cases:report_detail", denied="viewer", record="report", events=1),
    Endpoint("cases:report_edit", denied="viewer", record="report", events=1),  # the form shows the report
    Endpoint(
        "cases:report_edit",
        "post",
        denied="viewer",
        record="report",
        data=lambda side: {"place": "Chợ phường", "narrative": "Trẻ ngủ ở chợ nhiều đêm"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:report_link_child",
        "post",
        denied="viewer",
        record="report",
        data=lambda side: {"child": side.child.pk},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:report_create_child",
        "post",
        denied="supervisor_a",
        record="report",
        data=lambda side: {
            "child-commune": side.commune.pk,
            "child-full_name": "Trẻ Báo Tin Mới",
            "child-birth_year": "2018",
            "child-sex": "female",
        },
        ok=302,
        events=2,  # the child registered, the report linked
    ),
    Endpoint(
        "cases:case_open",
        "post",
        denied="viewer",
        record="report_linked",
        data=lambda side: {"open-protection_level": "support"},
        ok=302,
        events=1,
    ),
    # --- API ---
    Endpoint("api:api-root", api=True, open_to_all="lists the endpoints; each checks its own rights"),
    Endpoint("api:me", api=True, open_to_all="the caller's own account"),
    Endpoint("api:unit-list", api=True, denied="no_role_a", shown=lambda side: [side.commune, side.village]),
    Endpoint(
        "api:unit-list",
        "post",
        api=True,
        denied="viewer",
        data=lambda side: {"commune": side.commune.pk, "name": "Thôn API"},
        ok=201,
        events=1,
    ),
    Endpoint("api:unit-detail", api=True, denied="no_role_a", record="commune"),
    Endpoint("api:unitsuccession-list", api=True, denied="no_role_a", shown=lambda side: [side.succession]),
    Endpoint("api:unitsuccession-detail", api=True, denied="no_role_a", record="succession"),
    Endpoint("api:placementreview-list", api=True, denied="viewer", shown=lambda side: [side.review]),
    Endpoint("api:placementreview-detail", api=True, denied="viewer", record="review"),
    Endpoint(
        "api:placementreview-decide",
        "post",
        api=True,
        denied="viewer",
        record="review",
        data=lambda side: {"new_unit": side.commune.pk},
        events=1,
    ),
    Endpoint("api:agency-list", api=True, denied="no_role_a", shown=lambda side: [side.agency]),
    Endpoint(
        "api:agency-list",
        "post",
        api=True,
        permitted="coordinator",
        denied="officer_a",
        data=_agency_form,
        ok=201,
        events=1,
    ),
    Endpoint("api:agency-detail", api=True, denied="no_role_a", record="agency"),
    Endpoint(
        "api:agency-detail",
        "patch",
        api=True,
        permitted="coordinator",
        denied="officer_a",
        record="agency",
        data=lambda side: {"phone": "0236 3822 111"},
        events=1,
    ),
    Endpoint(
        "api:agency-detail",
        "put",
        api=True,
        permitted="coordinator",
        denied="officer_a",
        record="agency",
        data=_agency_put,
        events=1,
    ),
    Endpoint(
        "api:user-list", api=True, permitted="coordinator", denied="officer_a", shown=lambda side: [side.user]
    ),
    Endpoint("api:user-detail", api=True, permitted="coordinator", denied="officer_a", record="user"),
    Endpoint(
        "api:auditevent-list",
        api=True,
        permitted="coordinator",
        denied="officer_a",
        shown=lambda side: [side.event],
    ),
    Endpoint("api:auditevent-detail", api=True, permitted="coordinator", denied="officer_a", record="event"),
    Endpoint("api:child-list", api=True, denied="viewer", shown=lambda side: [side.child]),
    Endpoint(
        "api:child-list",
        "post",
        api=True,
        denied="supervisor_a",
        data=_api_child,
        ok=201,
        events=1,
        out_status=400,  # not among the serializer's commune choices
    ),
    Endpoint("api:child-detail", api=True, denied="viewer", record="child", events=1),
    Endpoint(
        "api:child-detail",
        "patch",
        api=True,
        denied="supervisor_a",
        record="child",
        data=lambda side: {"village": side.village.pk, "notes": "Ghi chú qua API"},
        events=1,
    ),
    Endpoint(
        "api:child-detail",
        "put",
        api=True,
        denied="supervisor_a",
        record="child",
        data=lambda side: {"full_name": "Tên Qua API", "sex": "female", "birth_year": 2018},
        events=1,
    ),
)

APP_TABLES = app_tables()
ENDPOINTS += tuple(entry for table in APP_TABLES for entry in table.ENDPOINTS)

PUBLIC_ENDPOINTS = [e for e in ENDPOINTS if e.permitted is None]
SIGNED_IN_ENDPOINTS = [e for e in ENDPOINTS if e.permitted is not None]
DENIABLE = [e for e in SIGNED_IN_ENDPOINTS if e.denied]
SCOPED = [e for e in SIGNED_IN_ENDPOINTS if e.scoped]
LISTS = [e for e in SIGNED_IN_ENDPOINTS if e.shown]


def ids(entries):
    return [e.id for e in entries]


# --- helpers ----------------------------------------------------------------------------------


def call(client, entry: Endpoint, side: SimpleNamespace | None):
    """Send the entry's request for ``side``'s record; returns (url, response)."""
    url = reverse(entry.name, kwargs=entry.url_kwargs(side))
    if entry.query:
        url = f"{url}?{urlencode(entry.query)}"
    send = getattr(client, entry.method)
    if entry.data is None:
        return url, send(url)
    data = entry.data(side)
    if entry.method == "get":  # the body of a GET is its query string (part of the login's "next")
        url = f"{url}?{urlencode(data, doseq=True)}"
        return url, send(url)
    if entry.api:
        return url, send(url, json.dumps(data), content_type="application/json")
    return url, send(url, data)


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def marker(obj) -> str:
    """The text by which a record shows in a page or an export."""
    for table in APP_TABLES:
        text = table.marker(obj) if hasattr(table, "marker") else None
        if text is not None:
            return text
    if isinstance(obj, Child):
        return obj.full_name
    if isinstance(obj, (CircumstanceMembership, Consent)):
        return obj.child.full_name
    if isinstance(obj, DuplicateCandidate):
        return obj.child_a.full_name
    if isinstance(obj, UnitSuccession):
        return obj.successor.name
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, AuditEvent):
        return obj.object_label
    if isinstance(obj, PlacementReview):
        return obj.record_label
    if isinstance(obj, Survey):
        return obj.title
    if isinstance(obj, SurveyResponse):
        return obj.subject_label
    if isinstance(obj, Question):
        return obj.text
    if isinstance(obj, Case):
        return obj.number
    if isinstance(obj, Report):
        return obj.tracking_code
    if isinstance(obj, Job):
        return obj.subject
    return obj.name


def api_ids(response) -> set[int]:
    data = response.json()
    return {row["id"] for row in data["results"]}


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={quote(path, safe='/')}"


def persona_sides(world, entry):
    mine, theirs = SIDES[entry.permitted]
    return world.sides[mine], world.sides[theirs]


# --- the table itself -------------------------------------------------------------------------


def _named_urls(patterns, prefix=""):
    """(name, route) of every endpoint reachable from ``patterns``; name None when unnamed."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            yield (f"{prefix}{pattern.name}" if pattern.name else None), str(pattern.pattern)


def test_every_named_url_is_in_the_table():
    """A new endpoint cannot be added without its access line in ENDPOINTS."""
    found = list(_named_urls(get_resolver().url_patterns))
    unnamed = [route for name, route in found if name is None]
    assert not unnamed, f"endpoints without a name cannot be checked: {unnamed}"
    names = {name for name, _route in found}
    in_table = {e.name for e in ENDPOINTS}
    assert names - in_table == set(), "URL names missing from the access table"
    assert in_table - names == set(), "access table names that no longer exist"


def test_table_entries_say_who_is_refused():
    """Each signed-in endpoint names a persona without permission, or says why there is none."""
    for entry in SIGNED_IN_ENDPOINTS:
        assert bool(entry.denied) != bool(entry.open_to_all), entry.id
        if entry.scoped or entry.shown:
            assert entry.permitted in SIDES, entry.id
    for entry in PUBLIC_ENDPOINTS:
        assert entry.public and entry.anonymous, entry.id
    assert len({e.id for e in ENDPOINTS}) == len(ENDPOINTS), "duplicate table lines"


# --- generated tests --------------------------------------------------------------------------


@pytest.mark.parametrize("entry", SIGNED_IN_ENDPOINTS, ids=ids(SIGNED_IN_ENDPOINTS))
def test_anonymous_is_refused(client, world, entry):
    before = AuditEvent.objects.count()
    url, response = call(client, entry, world.sides["a"])
    if entry.api:
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")
    else:
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("entry", PUBLIC_ENDPOINTS, ids=ids(PUBLIC_ENDPOINTS))
def test_public_endpoint_answers_anonymous(client, db, entry):
    _url, response = call(client, entry, None)
    assert response.status_code == entry.anonymous


@pytest.mark.parametrize("entry", DENIABLE, ids=ids(DENIABLE))
def test_no_permission_is_403(client, world, entry):
    client.force_login(world.personas[entry.denied])
    before = AuditEvent.objects.count()
    _url, response = call(client, entry, world.sides["a"])
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("entry", SIGNED_IN_ENDPOINTS, ids=ids(SIGNED_IN_ENDPOINTS))
def test_permitted_in_scope(client, world, entry):
    mine, theirs = persona_sides(world, entry) if entry.permitted in SIDES else (world.sides["a"], None)
    client.force_login(world.personas[entry.permitted])
    before = AuditEvent.objects.count()
    _url, response = call(client, entry, mine)
    assert response.status_code == entry.ok, body(response)[:2000]
    assert AuditEvent.objects.count() == before + entry.events
    if entry.shown:
        shown, hidden = entry.shown(mine), entry.shown(theirs)
        if entry.api:
            found = api_ids(response)
            assert {o.pk for o in shown} <= found
            assert not {o.pk for o in hidden} & found
        else:
            text = body(response)
            for obj in shown:
                assert marker(obj) in text
            for obj in hidden:
                assert marker(obj) not in text


@pytest.mark.parametrize("entry", SCOPED, ids=ids(SCOPED))
def test_permitted_out_of_scope_is_404(client, world, entry):
    _mine, theirs = persona_sides(world, entry)
    client.force_login(world.personas[entry.permitted])
    before = AuditEvent.objects.count()
    _url, response = call(client, entry, theirs)
    assert response.status_code == entry.out_status
    assert AuditEvent.objects.count() == before
    if entry.record:
        # The answer does not even name the other side's record.
        assert marker(getattr(theirs, entry.record)) not in body(response)


class _Placeholder:
    """Stands for a side at collection time: every record of it has a pk naming the side."""

    def __init__(self, tag: str):
        self.tag = tag

    def __getattr__(self, name: str):
        return SimpleNamespace(pk=f"{self.tag}:{name}")


def _body_names_a_record(entry: Endpoint) -> bool:
    return entry.data(_Placeholder("mine")) != entry.data(_Placeholder("theirs"))


MIXED = [e for e in SCOPED if e.record and e.data and _body_names_a_record(e)]


@pytest.mark.parametrize("entry", MIXED, ids=ids(MIXED))
def test_own_record_with_a_body_naming_another_place_is_refused(client, world, entry):
    """An in-scope URL does not let the body reach out of scope (a unit, a successor, a candidate)."""
    mine, theirs = persona_sides(world, entry)
    client.force_login(world.personas[entry.permitted])
    before = AuditEvent.objects.count()
    url = reverse(entry.name, kwargs=entry.url_kwargs(mine))
    data = entry.data(theirs)
    send = getattr(client, entry.method)
    response = send(url, json.dumps(data), content_type="application/json") if entry.api else send(url, data)
    assert response.status_code in (400, 404), response.status_code
    assert AuditEvent.objects.count() == before


# --- forged identifiers -----------------------------------------------------------------------

FORGED_PKS = ("0", "999999999", "9" * 25)  # no such row; beyond every integer column
FORGED_API_PKS = ("abc", "-1", "1 OR 1=1")  # the router's pattern lets these through to the view
WITH_RECORD = [e for e in SIGNED_IN_ENDPOINTS if e.record]


@pytest.mark.parametrize("entry", WITH_RECORD, ids=ids(WITH_RECORD))
def test_forged_ids_are_404_never_500(client, world, entry):
    mine, _theirs = persona_sides(world, entry)
    client.force_login(world.personas[entry.permitted])
    before = AuditEvent.objects.count()
    forged = FORGED_PKS + (FORGED_API_PKS if entry.api else ())
    for value in forged:
        kwargs = {**entry.url_kwargs(mine), entry.forged_key: value}
        url = reverse(entry.name, kwargs=kwargs)
        send = getattr(client, entry.method)
        if entry.data is None:
            response = send(url)
        elif entry.api:
            response = send(url, json.dumps(entry.data(mine)), content_type="application/json")
        else:
            response = send(url, entry.data(mine))
        assert response.status_code == 404, (value, response.status_code)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("app_label", "model_name"),
    [("geo", "nothing"), ("auth", "permission"), ("accounts", "unitassignment"), ("audit", "auditevent")],
)
def test_history_of_an_unlisted_record_type_is_404(client, world, app_label, model_name):
    client.force_login(world.personas["admin"])
    url = reverse("audit:history", kwargs={"app_label": app_label, "model_name": model_name, "pk": 1})
    assert client.get(url).status_code == 404


# --- out-of-scope records never appear --------------------------------------------------------


def test_officer_unit_list_and_search_hide_the_other_commune(client, world):
    geo = world.geo
    client.force_login(world.personas["officer_a"])
    page = client.get(reverse("geo:unit_list"))
    assert list(page.context["object_list"]) != []
    assert set(page.context["object_list"]) <= set(Unit.objects.descendants_of(geo.commune_a))
    for query in ({"q": "Bình"}, {"q": geo.commune_b.code}, {"parent": geo.commune_b.pk}, {"q": "Thôn Hai"}):
        page = client.get(reverse("geo:unit_list"), query)
        assert page.status_code == 200
        assert list(page.context["object_list"]) == [], query


def test_officer_csv_export_holds_only_own_commune(client, world):
    geo = world.geo
    client.force_login(world.personas["officer_a"])
    text = body(client.get(reverse("geo:unit_export")))
    rows = text.lstrip("\ufeff").splitlines()
    names = {row.split(",")[1] for row in rows[1:]}
    assert names == set(Unit.objects.descendants_of(geo.commune_a).values_list("name", flat=True))
    assert "Xã Bình" not in text and "Thôn Hai" not in text
    filtered = body(client.get(reverse("geo:unit_export"), {"q": "Bình"}))
    assert len(filtered.lstrip("\ufeff").splitlines()) == 1  # the header only
    # The export was audited with the number of rows the officer actually got.
    event = AuditEvent.objects.filter(action="geo.unit.exported").latest("id")
    assert event.changes == {"rows": 0, "filters": {"q": "Bình"}}


def test_officer_api_unit_list_and_search_hide_the_other_commune(client, world):
    geo = world.geo
    client.force_login(world.personas["officer_a"])
    url = reverse("api:unit-list")
    assert api_ids(client.get(url)) == set(
        Unit.objects.descendants_of(geo.commune_a).values_list("pk", flat=True)
    )
    assert api_ids(client.get(url, {"q": "Bình"})) == set()
    assert api_ids(client.get(url, {"q": "20002"})) == set()
    assert api_ids(client.get(url, {"parent": geo.commune_b.pk})) == set()
    assert api_ids(client.get(url, {"q": "Phường An"})) == {geo.commune_a.pk}


def test_dashboard_counts_only_what_the_user_may_see(client, world):
    client.force_login(world.personas["officer_a"])
    counts = client.get(reverse("home")).context["counts"]
    # commune A; village A and the village the world fixture added; agency A
    assert counts == {"communes": 1, "villages": 2, "agencies": 1}
    client.force_login(world.personas["coordinator"])
    response = client.get(reverse("home"))
    counts = response.context["counts"]
    assert counts["communes"] == 2  # A and B, not C
    assert counts["agencies"] == 3  # A, B and the provincial department, not C's
    expected_users = User.objects.filter(unit_assignments__unit__path__startswith=world.geo.province.path)
    assert counts["users"] == expected_users.distinct().count()
    assert "canbo_xa" not in body(response)


def test_officer_agency_list_and_api_hide_the_other_commune(client, world):
    geo = world.geo
    client.force_login(world.personas["officer_a"])
    page = client.get(reverse("accounts:agency_list"))
    assert list(page.context["object_list"]) == [geo.agency_a]
    assert list(client.get(reverse("accounts:agency_list"), {"q": "Bình"}).context["object_list"]) == []
    assert api_ids(client.get(reverse("api:agency-list"))) == {geo.agency_a.pk}
    assert api_ids(client.get(reverse("api:agency-list"), {"unit": geo.commune_b.pk})) == set()


def test_coordinator_user_lists_hide_users_of_another_province(client, world):
    client.force_login(world.personas["coordinator"])
    other = world.sides["c"].user
    page = client.get(reverse("accounts:user_list"))
    assert other not in page.context["object_list"]
    assert world.sides["a"].user in page.context["object_list"]
    assert list(client.get(reverse("accounts:user_list"), {"q": "canbo_xa"}).context["object_list"]) == []
    assert api_ids(client.get(reverse("api:user-list"), {"q": "canbo_xa"})) == set()
    # The system administrator (no unit, sees all) is not one of the province's users either.
    assert world.personas["admin"].pk not in api_ids(client.get(reverse("api:user-list")))
    listed = api_ids(client.get(reverse("api:user-list")))
    assert len(listed) == len(client.get(reverse("api:user-list")).json()["results"])  # no duplicates


def test_officer_without_unit_sees_nothing_anywhere(client, world):
    client.force_login(world.personas["officer_no_unit"])
    home = client.get(reverse("home"))
    assert home.context["counts"] == {"communes": 0, "villages": 0, "agencies": 0}
    assert home.context["pending_reviews"] == 0
    for name in ("geo:unit_list", "geo:review_list", "accounts:agency_list"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert list(page.context["object_list"]) == [], name
    for name in ("api:unit-list", "api:agency-list", "api:placementreview-list", "api:unitsuccession-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response.json()["count"] == 0, name
    export = body(client.get(reverse("geo:unit_export")))
    assert len(export.lstrip("\ufeff").splitlines()) == 1
    geo = world.geo
    assert client.get(reverse("geo:unit_detail", args=[geo.commune_a.pk])).status_code == 404
    assert (
        client.post(
            reverse("geo:village_add", args=[geo.commune_a.pk]), {"name": "X", "kind": "Thôn"}
        ).status_code
        == 404
    )
    assert client.get(reverse("api:unit-detail", args=[geo.commune_a.pk])).status_code == 404
    assert not Unit.objects.filter(name="X").exists()


# --- authentication ---------------------------------------------------------------------------


def _client_token(world, side: str = "a") -> str:
    """A token of the side's API client (a viewer of the side's commune)."""
    return services_accounts.api_token_issue(
        acting_user=world.personas["admin"], client=world.sides[side].api_client, days=30
    )


def test_api_token_authentication(client, world):
    geo = world.geo
    token = _client_token(world)
    url = reverse("api:unit-list")
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert geo.commune_a.pk in api_ids(response)
    assert geo.commune_b.pk not in api_ids(response)
    assert (
        client.get(
            reverse("api:unit-detail", args=[geo.commune_b.pk]), HTTP_AUTHORIZATION=f"Token {token}"
        ).status_code
        == 404
    )
    assert client.get(url, HTTP_AUTHORIZATION="Token not-a-real-key").status_code == 401


def test_token_of_a_deactivated_client_stops_working(client, world):
    token = _client_token(world)
    account = world.sides["a"].api_client.account
    account.is_active = False
    account.save(update_fields=["is_active"])
    assert client.get(reverse("api:unit-list"), HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_session_of_a_deactivated_user_stops_working(client, world):
    officer = world.personas["officer_a"]
    client.force_login(officer)
    assert client.get(reverse("geo:unit_list")).status_code == 200
    User.objects.filter(pk=officer.pk).update(is_active=False)
    response = client.get(reverse("geo:unit_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("api:unit-list")).status_code == 401


# --- methods an endpoint does not offer --------------------------------------------------------


def test_methods_not_offered_are_refused_and_change_nothing(client, world):
    geo = world.geo
    client.force_login(world.personas["admin"])
    assert client.delete(reverse("api:agency-detail", args=[geo.agency_a.pk])).status_code == 405
    assert Agency.objects.filter(pk=geo.agency_a.pk).exists()
    response = client.patch(
        reverse("api:unit-detail", args=[geo.village_a.pk]), {"name": "Đổi"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert Unit.objects.get(pk=geo.village_a.pk).name == "Thôn Một"
    assert client.get(reverse("geo:village_add", args=[geo.commune_a.pk])).status_code == 405
    assert client.get(reverse("geo:village_retire", args=[geo.village_a.pk])).status_code == 405
    assert (
        client.get(reverse("api:placementreview-decide", args=[world.sides["a"].review.pk])).status_code
        == 405
    )


def test_api_options_never_describe_an_out_of_scope_record(client, world):
    """OPTIONS answers 200 to any signed-in caller (DRF metadata), but only describes the form of
    a record the caller may change; it never carries a record's data."""
    coordinator = world.personas["coordinator"]
    client.force_login(coordinator)
    mine = client.options(reverse("api:agency-detail", args=[world.sides["a"].agency.pk]))
    assert mine.status_code == 200 and "PUT" in mine.json()["actions"]
    theirs = client.options(reverse("api:agency-detail", args=[world.sides["c"].agency.pk]))
    assert theirs.status_code == 200
    assert "actions" not in theirs.json()
    assert "Xa" not in theirs.content.decode()
    client.logout()
    assert client.options(reverse("api:agency-detail", args=[world.sides["a"].agency.pk])).status_code == 401


def test_schema_is_public_but_holds_no_records(client, world):
    """The OpenAPI schema, when published (debug mode, TREEM_API_SCHEMA_PUBLIC), is served without
    sign-in: it describes the endpoints but must not carry data."""
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/units/" in text
    for name in ("Phường An", "Xã Bình", "canbo_a", "UBND Phường An"):
        assert name not in text
