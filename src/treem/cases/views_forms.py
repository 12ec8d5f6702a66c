"""The case forms Mẫu 01–06 (Decree 56) as ``.docx`` downloads, from the case page.

Who gets them follows the case's confidentiality (``selectors.case_access``): a case outside the
user's units is 404; inside them, only users who see the case's content (its group, or a user who
broke the glass) get the forms; anyone else in scope, who may only know that the case exists, is
refused (403), as for the case's actions. Every download is audited as a view of the case
(``cases.case.viewed``) naming the form and the record it was filled from, with the reason of a
broken glass. The list of forms shows no narrative and is not audited; the documents are.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_record
from treem.cases import selectors
from treem.cases.forms_docx import FORMS, CaseForm
from treem.cases.models import Assessment, Case, Plan, Report
from treem.core.views import ScopedQuerysetMixin
from treem.documents.http import docx_response
from treem.documents.official import build_docx


def _case_with_content(request, pk) -> tuple[Case, selectors.CaseAccessInfo]:
    qs = Case.objects.restrict(request.user, "view").select_related(
        "commune",
        "commune__parent",
        "child",
        "child__commune",
        "child__commune__parent",
        "child__village",
        "supervisor",
        "step",
    )
    case = get_object_or_404(qs, pk=pk)
    info = selectors.case_access(request.user, case)
    if not info.sees_content:
        raise PermissionDenied
    return case, info


def _record_label(record) -> str:
    if isinstance(record, Report):
        return _("report %(code)s received %(when)s") % {
            "code": record.tracking_code,
            "when": f"{timezone.localtime(record.received_at):%d/%m/%Y %H:%M}",
        }
    if isinstance(record, Assessment):
        return _("recorded %(when)s by %(who)s") % {
            "when": f"{timezone.localtime(record.assessed_at):%d/%m/%Y %H:%M}",
            "who": record.assessed_by,
        }
    if isinstance(record, Plan):
        return _("plan v%(version)s, %(status)s") % {
            "version": record.version,
            "status": record.get_status_display(),
        }
    return ""


class CaseFormListView(ScopedQuerysetMixin, View):
    """The forms of a case: one line per record each form can be filled from, or a blank form."""

    model = Case

    def get(self, request, pk):
        case, _info = _case_with_content(request, pk)
        forms = []
        for form in FORMS.values():
            url = reverse("cases:case_form", kwargs={"pk": case.pk, "form": form.code})
            records = list(form.records(case))
            links = [
                {"url": f"{url}?record={record.pk}", "label": _record_label(record)} for record in records
            ]
            if not records:
                links = [{"url": url, "label": _("blank, to fill in by hand"), "blank": True}]
            forms.append({"code": form.code, "label": form.label, "links": links})
        return render(request, "cases/case_forms.html", {"case": case, "forms": forms})


class CaseFormDownloadView(ScopedQuerysetMixin, View):
    """One form of a case as a .docx file, filled from the chosen record (``?record=``)."""

    model = Case

    def get(self, request, pk, form):
        case, info = _case_with_content(request, pk)
        spec: CaseForm | None = FORMS.get(form)
        if spec is None:
            raise Http404
        record = self._record(spec, case, request.GET.get("record"))
        data = build_docx(spec.document(case, record))
        audit_record(
            request.user,
            "cases.case.viewed",
            case,
            changes={
                "access": info.level.value,
                "form": spec.code,
                "record": record.pk if record is not None else None,
            },
            reason=info.grant.reason if info.grant else "",
        )
        return docx_response(data, spec.filename(case, record))

    @staticmethod
    def _record(spec: CaseForm, case: Case, chosen: str | None):
        if chosen is None:
            return spec.default(case)
        if not chosen.isdigit() or len(chosen) > 18:
            raise Http404
        return get_object_or_404(spec.records(case), pk=int(chosen))
