"""Access lines of the case pages added after the central table: referrals, transfers between
communes, attachments, and the public report form (no sign-in)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import REORG
from tests.factories import ChildFactory, CommuneFactory
from tests.matrix import Endpoint
from treem.cases import attachments
from treem.cases.models import Attachment, Case, CaseStep, Referral, Transfer
from treem.geo.models import Unit

TRANSFER_TARGET = "30001"  # side c's commune (Xã Xa Xôi): somewhere else for sides a and b


@dataclass(frozen=True)
class CommuneCode:
    """A commune in force as a form value, looked up when the request is sent."""

    code: str

    def __str__(self) -> str:
        return str(Unit.objects.current().get(code=self.code, level="commune").pk)


class TextUpload(SimpleUploadedFile):
    """The same small text file for every side (the body names no record)."""

    def __init__(self):
        super().__init__("bien-ban.txt", "Biên bản làm việc với gia đình".encode(), content_type="text/plain")

    def __eq__(self, other):
        return isinstance(other, TextUpload)

    __hash__ = object.__hash__


def records(side, tag: str, personas: dict) -> None:
    """A referral of the side's new case, a file on it, and a transfer waiting for the side's
    commune (of a case of a commune nobody in the map works in)."""
    now = timezone.now()
    side.referral = Referral.objects.create(
        case=side.case,
        service="health",
        agency_name=f"Trạm Y tế Chuyển Gửi {tag}",
        request="Khám sức khỏe cho trẻ",
        referred_at=now,
        referred_by=side.user,
    )
    content = b"Giay kham suc khoe"
    side.attachment = Attachment.objects.create(
        case=side.case,
        file_name=f"giay-kham-{tag}.txt",
        content_type="text/plain; charset=utf-8",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_path=attachments.store(content, side.case.pk),
        uploaded_at=now,
        uploaded_by=side.user,
    )
    elsewhere = CommuneFactory(name=f"Xã Nơi Cũ {tag}", valid_from=REORG)
    child = ChildFactory(commune=elsewhere, full_name=f"Trẻ Chuyển Đến {tag}")
    case = Case.objects.create(
        number=f"TMP-{secrets.token_hex(6)}",
        commune=elsewhere,
        child=child,
        step=CaseStep.objects.get(code="verified"),
        opened_at=now - dt.timedelta(days=3),
    )
    case.number = f"2026-{case.pk:06d}"
    case.save(update_fields=["number"])
    side.transfer = Transfer.objects.create(
        case=case,
        from_commune=elsewhere,
        to_commune=side.commune,
        reason="Gia đình chuyển đến ở với bà ngoại",
        requested_at=now,
        requested_by=personas["admin"],
    )


def marker(obj) -> str | None:
    if isinstance(obj, Referral):
        return obj.agency_name
    if isinstance(obj, Transfer):
        return obj.case.number
    if isinstance(obj, Attachment):
        return obj.file_name
    return None


ENDPOINTS = (
    # --- referrals: the case's workers record them and the agencies' answers ---
    Endpoint(
        "cases:case_refer",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {"refer-service": "police", "refer-agency_name": "Công an xã"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "cases:referral_answer",
        "post",
        denied="viewer",
        record="referral",
        data=lambda side: {"answer-decision": "accepted"},
        ok=302,
        events=1,
    ),
    # --- transfers: asked by the case's workers, decided by the receiving commune ---
    Endpoint(
        "cases:case_transfer",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {
            "transfer-to_commune": CommuneCode(TRANSFER_TARGET),
            "transfer-reason": "Chuyển nhà",
        },
        ok=302,
        events=1,
    ),
    Endpoint("cases:transfer_list", denied="viewer", shown=lambda side: [side.transfer]),
    Endpoint("cases:transfer_detail", denied="viewer", record="transfer", events=1),  # it names a child
    Endpoint(
        "cases:transfer_decide",
        "post",
        denied="viewer",
        record="transfer",
        data=lambda side: {"decide-decision": "accept"},
        ok=302,
        events=2,  # the case transferred, and its child's registry record moved with it
    ),
    # --- attachments ---
    Endpoint(
        "cases:attachment_add",
        "post",
        denied="viewer",
        record="case",
        data=lambda side: {"attach-file": TextUpload(), "attach-description": "Biên bản"},
        ok=302,
        events=1,
    ),
    Endpoint("cases:attachment_download", denied="viewer", record="attachment", events=1),
    # --- the public report form: anyone may report a child at risk, without an account ---
    Endpoint(
        "public_report:form",
        permitted=None,
        anonymous=200,
        public="reporting a child at risk needs no account",
    ),
    Endpoint(
        "public_report:form",
        "post",
        permitted=None,
        anonymous=400,  # an empty form: its messages, nothing written
        public="reporting a child at risk needs no account",
    ),
    Endpoint(
        "public_report:thanks",
        permitted=None,
        anonymous=302,  # no report sent in this session: back to the form
        public="the tracking code of the report the visitor just sent",
    ),
    Endpoint(
        "public_report:status",
        permitted=None,
        anonymous=200,
        public="a reporter follows their report by its code: received, being handled or closed only",
    ),
    Endpoint(
        "public_report:communes",
        permitted=None,
        anonymous=200,
        public="today's communes of a province (public reference data) for the form's second list",
    ),
)
