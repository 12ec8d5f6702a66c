"""Training certificates (giấy chứng nhận) as Word documents, one per participant who attended."""

from __future__ import annotations

import io
import re
import zipfile

from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from treem.core.text import fold
from treem.workforce.models import Participant, TrainingCourse

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y")


def _centered(document, text: str, *, size: int = 12, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def certificate_document(participant: Participant) -> bytes:
    """The certificate of one participant (who attended), in Vietnamese, as .docx bytes."""
    course: TrainingCourse = participant.course
    with translation.override("vi"):
        document = Document()
        _centered(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
        _centered(document, "Độc lập - Tự do - Hạnh phúc", bold=True)
        _centered(document, course.organiser.name.upper(), size=12)
        _centered(document, _("CERTIFICATE"), size=20, bold=True)
        _centered(document, _("of attendance at a training course"), size=13)
        _centered(document, _("This certifies that"), size=12)
        _centered(document, participant.full_name, size=18, bold=True)
        document.add_paragraph(_("attended the training course: %(topic)s") % {"topic": course.topic})
        if course.starts_on == course.ends_on:
            period = _("on %(day)s") % {"day": _day(course.starts_on)}
        else:
            period = _("from %(start)s to %(end)s") % {
                "start": _day(course.starts_on),
                "end": _day(course.ends_on),
            }
        document.add_paragraph(_("Dates: %(period)s") % {"period": period})
        if course.place:
            document.add_paragraph(_("Place: %(place)s") % {"place": course.place})
        document.add_paragraph(_("Organised by: %(organiser)s") % {"organiser": course.organiser.name})
        document.add_paragraph(
            _("Certificate number: %(number)s") % {"number": certificate_number(participant)}
        )
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def certificate_number(participant: Participant) -> str:
    return f"TH-{participant.course_id}-{participant.pk}"


def certificate_filename(participant: Participant) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", fold(participant.full_name)).strip("-") or "hoc-vien"
    return f"chung-nhan-{certificate_number(participant)}-{name}.docx"


def certificates_zip(course: TrainingCourse, participants: list[Participant]) -> bytes:
    """Every certificate of ``participants`` in one .zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for participant in participants:
            archive.writestr(certificate_filename(participant), certificate_document(participant))
    return buffer.getvalue()
