"""The consolidated report's lines of the access table (tests/core/test_access_matrix.py collects them).

Each side gets a plan of its province (tests/reporting/records.py) and a finished report job of
it, asked for by the province's coordinator (sides a and b) or the administrator (side c): the
coordinator's other side is c, whose plan is not among their choices and whose job is not theirs.
"""

from __future__ import annotations

from tests.matrix import Endpoint
from tests.reporting.records import YEAR, build_plan
from treem.reporting import services


def records(side, tag, personas) -> None:
    user = personas["admin"] if tag == "c" else personas["coordinator"]
    built = build_plan(
        unit=side.commune.parent,
        lead=side.successor,
        cooperating=side.agency,
        key=f"KH-BC-{tag}",
        number=f"{tag}-12/KH-UBND",
    )
    side.consolidated_plan = built.plan
    side.consolidated_job = services.report_request(acting_user=user, plan=built.plan, year=YEAR)
    assert side.consolidated_job.status == "done", side.consolidated_job.error


def _form(side) -> dict:
    return {"plan": side.consolidated_plan.pk, "year": str(YEAR), "period": "year", "issuer": "committee"}


def _texts(side) -> dict:
    return {**_form(side), "assessment": "Đánh giá chung của kỳ báo cáo."}


C = "coordinator"
ENDPOINTS = (
    # The form lists the user's own report jobs, never another province's.
    Endpoint(
        "reporting:report_form", permitted=C, denied="officer_a", shown=lambda side: [side.consolidated_job]
    ),
    # Generate: the job runs inline in tests and audits the report it made; another province's plan
    # is not among the form's choices (400).
    Endpoint(
        "reporting:report_form",
        "post",
        permitted=C,
        denied="officer_a",
        data=_form,
        ok=302,
        events=1,
        out_status=400,
    ),
    # The coordinator's texts: the page, and saving them (audited); another province's plan is not
    # among the form's choices (400).
    Endpoint("reporting:report_texts", permitted=C, denied="officer_a"),
    Endpoint(
        "reporting:report_texts",
        "post",
        permitted=C,
        denied="officer_a",
        data=_texts,
        ok=302,
        events=1,
        out_status=400,
    ),
    # A file of the user's own finished report job; every download audited.
    Endpoint(
        "reporting:report_download",
        permitted=C,
        denied="officer_a",
        record="consolidated_job",
        kwargs=lambda side: {"pk": side.consolidated_job.pk, "name": "docx"},
        events=1,
    ),
)
