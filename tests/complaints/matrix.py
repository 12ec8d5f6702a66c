"""Access lines of the register of complaints, denunciations and petitions."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from tests.matrix import Endpoint
from treem.complaints.models import Complaint


def _complaint(side, tag: str, *, answered: bool = False) -> Complaint:
    """An entry of the side's commune, built directly (no audit event)."""
    received = timezone.localdate() - dt.timedelta(days=10)
    complaint = Complaint.objects.create(
        number=f"TMP-{secrets.token_hex(6)}",
        kind="complaint",
        received_on=received,
        sender_kind="parent",
        sender_name=f"Người gửi {tag}",
        subject=f"Khiếu nại về học phí {tag}",
        unit=side.commune,
        due_on=received + dt.timedelta(days=42),
        deadline_rule="complaint: working_days=30",
        answer="Đã trả lời" if answered else "",
        answered_on=received + dt.timedelta(days=3) if answered else None,
    )
    complaint.number = f"KN-{received:%Y}-{complaint.pk:06d}"
    complaint.save(update_fields=["number"])
    return complaint


def records(side, tag: str, personas: dict) -> None:
    side.complaint = _complaint(side, tag)
    side.complaint_answered = _complaint(side, tag, answered=True)


def marker(obj):
    return obj.number if isinstance(obj, Complaint) else None


def _form(side) -> dict:
    return {
        "kind": "petition",
        "unit": side.commune.pk,
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "sender_kind": "child",
        "subject": "Kiến nghị về sân chơi cho trẻ em",
    }


def _edit(side) -> dict:
    return {
        "kind": "complaint",
        "received_on": (timezone.localdate() - dt.timedelta(days=10)).strftime("%d/%m/%Y"),
        "sender_kind": "guardian",
        "subject": "Khiếu nại về học phí (đã sửa)",
    }


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


ENDPOINTS = (
    Endpoint("complaints:complaint_list", denied="viewer", shown=lambda side: [side.complaint]),
    Endpoint("complaints:complaint_add", denied="viewer"),
    Endpoint(
        "complaints:complaint_add",
        "post",
        denied="viewer",
        data=_form,
        ok=302,
        events=1,
        out_status=400,  # a commune outside the officer's units is not among the form's choices
    ),
    Endpoint("complaints:complaint_detail", denied="viewer", record="complaint", events=1),
    Endpoint("complaints:complaint_edit", denied="viewer", record="complaint", events=1),  # shows the sender
    Endpoint(
        "complaints:complaint_edit", "post", denied="viewer", record="complaint", data=_edit, ok=302, events=1
    ),
    Endpoint(
        "complaints:complaint_answer",
        "post",
        denied="viewer",
        record="complaint",
        data=lambda side: {"answer-answer": "Nhà trường đã giảm học phí", "answer-answered_on": _today()},
        ok=302,
        events=1,
    ),
    Endpoint(
        "complaints:complaint_close",
        "post",
        denied="viewer",
        record="complaint_answered",
        data=lambda side: {"close-closed_on": _today()},
        ok=302,
        events=1,
    ),
)
