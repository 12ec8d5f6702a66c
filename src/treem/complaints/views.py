"""Pages of the register: list (scoped, overdue flagged), detail (audited), register, change,
answer, close. Writes go through ``complaints.services``; a refused write shows the service's
message again (status 400) and writes nothing. Out of scope is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_view
from treem.complaints import services
from treem.complaints.filtersets import ComplaintFilterSet
from treem.complaints.forms import AnswerForm, CloseForm, ComplaintForm
from treem.complaints.models import Complaint
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin


class ComplaintListView(ScopedListView):
    model = Complaint
    filterset_class = ComplaintFilterSet
    select_related = ("unit", "agency")
    template_name = "complaints/complaint_list.html"
    context_object_name = "complaints"

    def get_template_names(self):
        return [self.template_name]


def detail_context(request, complaint: Complaint, **forms) -> dict:
    may_change = request.user.has_perm("complaints.change_complaint") and not complaint.closed_on
    return {
        "complaint": complaint,
        "object": complaint,
        "may_change": may_change,
        "answer_form": forms.get("answer_form")
        or AnswerForm(initial={"answer": complaint.answer} if complaint.answer else None),
        "close_form": forms.get("close_form") or CloseForm(),
    }


class ComplaintDetailView(ScopedDetailView):
    model = Complaint
    select_related = ("unit", "agency")
    template_name = "complaints/complaint_detail.html"
    audit_views = True  # the sender's name and the details are shown

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(detail_context(self.request, self.object))
        return ctx


class ComplaintCreateView(ScopedQuerysetMixin, View):
    model = Complaint
    action = "add"
    template_name = "complaints/complaint_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ComplaintForm(user=request.user)})

    def post(self, request):
        form = ComplaintForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                complaint = services.complaint_register(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Registered as %(number)s; legal deadline %(due)s.")
                    % {"number": complaint.number, "due": complaint.due_on.strftime("%d/%m/%Y")},
                )
                return redirect(complaint)
        return render(request, self.template_name, {"form": form}, status=400)


class _OneComplaint(ScopedQuerysetMixin, View):
    model = Complaint
    action = "change"

    def complaint(self, pk) -> Complaint:
        return get_object_or_404(self.get_queryset().select_related("unit", "agency"), pk=pk)


class ComplaintUpdateView(_OneComplaint):
    template_name = "complaints/complaint_form.html"

    def get(self, request, pk):
        complaint = self.complaint(pk)
        audit_view(request.user, complaint)  # the form shows the sender and the details
        form = ComplaintForm(
            user=request.user, complaint=complaint, initial=ComplaintForm.initial_for(complaint)
        )
        return render(request, self.template_name, {"form": form, "complaint": complaint})

    def post(self, request, pk):
        complaint = self.complaint(pk)
        form = ComplaintForm(request.POST, user=request.user, complaint=complaint)
        if form.is_valid():
            try:
                services.complaint_update(acting_user=request.user, complaint=complaint, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The entry is saved."))
                return redirect(complaint)
        return render(request, self.template_name, {"form": form, "complaint": complaint}, status=400)


class ComplaintAnswerView(_OneComplaint):
    def post(self, request, pk):
        complaint = self.complaint(pk)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_answer(acting_user=request.user, complaint=complaint, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The answer is recorded."))
                return redirect(complaint)
        return render(
            request,
            "complaints/complaint_detail.html",
            detail_context(request, complaint, answer_form=form),
            status=400,
        )


class ComplaintCloseView(_OneComplaint):
    def post(self, request, pk):
        complaint = self.complaint(pk)
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_close(acting_user=request.user, complaint=complaint, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The entry is closed."))
                return redirect(complaint)
        return render(
            request,
            "complaints/complaint_detail.html",
            detail_context(request, complaint, close_form=form),
            status=400,
        )
