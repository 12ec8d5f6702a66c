"""Access lines of the case forms (Mẫu 01–06 as .docx, cases/views_forms.py).

They use the case records the central table builds on every side (tests/cases/records.py,
``matrix_case_records``): the side's officer is assigned to each, so sees their content; the
coordinator, in scope but in no case's group, is refused (tests/cases/test_forms_docx.py).
"""

from tests.matrix import Endpoint


def _form(record: str, code: str):
    return lambda side: {"pk": getattr(side, record).pk, "form": code}


ENDPOINTS = (
    # The list of forms shows no narrative: not audited (each download is).
    Endpoint("cases:case_forms", denied="viewer", record="case"),
    # Mẫu 01 from the case's report; every download is a view of the case, audited.
    Endpoint(
        "cases:case_form", denied="viewer", record="case", kwargs=_form("case", "01"), events=1, variant="01"
    ),
    # Mẫu 05, the chairman's decision on an approved plan.
    Endpoint(
        "cases:case_form",
        denied="viewer",
        record="case_approved",
        kwargs=_form("case_approved", "05"),
        events=1,
        variant="05",
    ),
    # Mẫu 06 of a case at review without its review recorded: the blank form.
    Endpoint(
        "cases:case_form",
        denied="viewer",
        record="case_review",
        kwargs=_form("case_review", "06"),
        events=1,
        variant="06",
    ),
)
