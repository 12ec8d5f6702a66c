"""Access lines of the API endpoints added with the data exchange (issue 16): the hotline push.

The matrix's personas reach them through their session: a commune officer may submit reports,
so they may push one for their commune (and read back the status of those they pushed); the
hotline systems' tokens are tested in tests/api/test_hotline.py.
"""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import Endpoint
from treem.cases.api.services import hotline_call_receive


def _call(side) -> dict:
    return {
        "external_id": "111-MATRIX-1",
        "channel": "hotline_111",
        "received_at": (timezone.now() - timezone.timedelta(minutes=5)).isoformat(),
        "urgency": "normal",
        "caller_relation": "relative",
        "child_name": "Trẻ Qua Tổng Đài",
        "commune": side.commune.code,
        "summary": "Trẻ bị bỏ mặc ở nhà một mình",
    }


def records(side, tag: str, personas: dict) -> None:
    """A report the side's officer pushed through the API."""
    call, _created = hotline_call_receive(
        acting_user=side.user,
        external_id=f"111-{tag}",
        unit=side.commune,
        caller_relation="neighbour",
        urgency="urgent",
        channel="hotline_111",
        summary="Trẻ nghỉ học dài ngày",
        child_name=f"Trẻ Tổng Đài {tag}",
    )
    side.pushed_report = call.report


ENDPOINTS = (
    Endpoint(
        "api:report-list",
        "post",
        api=True,
        denied="viewer",
        data=_call,
        ok=201,
        events=2,  # the report's, as from the form, and the call's
        out_status=400,  # a commune code outside the caller's units reads as unknown
    ),
    Endpoint(
        "api:report-detail",
        api=True,
        denied="viewer",
        record="pushed_report",
        kwargs=lambda side: {"tracking_code": side.pushed_report.tracking_code},
        forged_key="tracking_code",
    ),
)
