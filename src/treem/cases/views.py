"""Pages of the case process: intake, reports, cases, the step actions, break the glass.

Every page starts from ``restrict(user, action)``: a report or case outside the user's units is
404, whatever the id. Inside scope, ``selectors.case_access`` decides between the case's content
(its group, or a user who broke the glass) and the "exists" page (number and status). Every
opening of a case page is audited, the "exists" page too, with the access it gave. Actions are
POST-only forms of the case page; only the case's group may send them (403 otherwise); a refused
action shows the page again with the service's messages (status 400) and writes nothing, not even
a view event (as for the child registry: the user had opened the page to send the form).
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_record
from treem.cases import selectors, services
from treem.cases.filtersets import CaseFilterSet, ReportFilterSet
from treem.cases.forms import (
    AdvanceForm,
    AssessmentForm,
    AssignForm,
    AttachmentForm,
    BreakGlassForm,
    CaseOpenForm,
    CloseRequestForm,
    CreateChildForm,
    DecisionForm,
    EmptyForm,
    LinkChildForm,
    NoteForm,
    PlanForm,
    ReferralAnswerForm,
    ReferralForm,
    ReportDetailsForm,
    ReportIntakeForm,
    ShareForm,
    TransferDecisionForm,
    TransferRequestForm,
    VerifyForm,
)
from treem.cases.models import Attachment, Case, CaseAccess, Referral, Report, Transfer
from treem.cases.selectors import Access
from treem.children.models import Child
from treem.children.search import ranked_children
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedListView, ScopedQuerysetMixin

CHILD_MATCHES = 10


def _get_case(request, pk) -> Case:
    qs = Case.objects.restrict(request.user, "view").select_related("commune", "child", "step", "supervisor")
    return get_object_or_404(qs, pk=pk)


def audit_case_view(user, case: Case, info: selectors.CaseAccessInfo) -> None:
    """Every opening of a case page: who, what they could see, and why (break the glass)."""
    audit_record(
        user,
        "cases.case.viewed",
        case,
        changes={"access": info.level.value},
        reason=info.grant.reason if info.grant else "",
    )


# --- reports ----------------------------------------------------------------------------------


class ReportIntakeView(ScopedQuerysetMixin, View):
    """The hotline's quick intake: a short form, filled in while on the phone."""

    model = Report
    action = "add"
    template_name = "cases/report_intake.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ReportIntakeForm(user=request.user)})

    def post(self, request):
        form = ReportIntakeForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            unit = data.pop("unit")
            try:
                report = services.report_receive(acting_user=request.user, unit=unit, **data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Report recorded. Tracking code: %(code)s") % {"code": report.tracking_code},
                )
                return redirect(report)
        return render(request, self.template_name, {"form": form}, status=400)


class ReportListView(ScopedListView):
    """Reports in scope. A report joined to a case shows its content only to the case's group."""

    model = Report
    filterset_class = ReportFilterSet
    select_related = ("unit", "child", "case")
    template_name = "cases/report_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case_ids = {r.case_id for r in ctx["object_list"] if r.case_id}
        ctx["member_cases"] = set(
            Case.objects.filter(pk__in=case_ids)
            .filter(selectors.member_q(self.request.user))
            .values_list("pk", flat=True)
        )
        return ctx


def _report_access(request, report: Report) -> selectors.CaseAccessInfo | None:
    """None for a report not in a case (scope is enough); the case's access otherwise."""
    return selectors.case_access(request.user, report.case) if report.case_id else None


class ReportDetailView(ScopedQuerysetMixin, View):
    """A report: its content, the child it is about (search, link, register) and opening a case."""

    model = Report
    template_name = "cases/report_detail.html"

    def get(self, request, pk):
        report = get_object_or_404(
            self.get_queryset().select_related("unit", "child", "case", "hotline_call__account"), pk=pk
        )
        return self.render_page(request, report)

    def render_page(self, request, report: Report, bound: dict | None = None, status: int = 200):
        """The report page; audited as a view unless shown again after a refused form (``bound``)."""
        access = _report_access(request, report)
        shown_again = bound is not None
        if access is not None and not access.sees_content:
            if not shown_again:
                audit_record(
                    request.user, "cases.report.viewed", report, changes={"access": access.level.value}
                )
            return render(request, "cases/report_in_case.html", {"report": report}, status=status)
        if not shown_again:
            reason = access.grant.reason if access and access.grant else ""
            audit_record(request.user, "cases.report.viewed", report, reason=reason)
        bound = bound or {}
        ctx = {"report": report, "object": report}
        user = request.user
        can_change = user.has_perm("cases.change_report") and not report.case_id
        if can_change and report.child_id is None:
            query = request.GET.get("q", "").strip()
            if query:
                qs = Child.objects.restrict(user, "view").filter(is_active=True)
                ctx["matches"] = ranked_children(
                    user=user, queryset=qs.select_related("commune"), text=query, limit=CHILD_MATCHES
                )
            ctx["query"] = query
            if user.has_perm("children.add_child"):
                ctx["create_child_form"] = bound.get("create_child_form") or CreateChildForm(
                    user=user,
                    prefix="child",
                    initial={
                        "full_name": report.child_name,
                        "sex": report.child_sex,
                        "birth_year": report.child_birth_year
                        or (
                            timezone.localdate().year - report.child_age
                            if report.child_age is not None
                            else None
                        ),
                        "commune": report.unit if report.unit.level == "commune" else None,
                    },
                )
        if report.child_id and not report.case_id and user.has_perm("cases.add_case"):
            ctx["open_form"] = bound.get("open_form") or CaseOpenForm(
                user=user, commune=report.child.commune, prefix="open"
            )
        ctx["can_change"] = can_change
        ctx["errors"] = bound.get("errors")
        return render(request, self.template_name, ctx, status=status)


class ReportUpdateView(ScopedQuerysetMixin, View):
    """The rest of Mẫu 01 after the call (a report in a case: only the case's group)."""

    model = Report
    action = "change"
    template_name = "cases/report_form.html"

    def get_report(self, request, pk) -> Report:
        report = get_object_or_404(self.get_queryset().select_related("case", "unit"), pk=pk)
        access = _report_access(request, report)
        if access is not None and access.level != Access.MEMBER:
            raise PermissionDenied
        return report

    def get(self, request, pk):
        report = self.get_report(request, pk)
        audit_record(request.user, "cases.report.viewed", report)
        initial = {name: getattr(report, name) for name in ReportDetailsForm.FIELDS}
        return render(
            request, self.template_name, {"form": ReportDetailsForm(initial=initial), "report": report}
        )

    def post(self, request, pk):
        report = self.get_report(request, pk)
        form = ReportDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.report_update(acting_user=request.user, report=report, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
                report.refresh_from_db()
            else:
                messages.success(request, _("The report is saved."))
                return redirect(report)
        return render(request, self.template_name, {"form": form, "report": report}, status=400)


class ReportActionView(ScopedQuerysetMixin, View):
    """A POST-only form of the report page."""

    model = Report
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        report = get_object_or_404(
            Report.objects.restrict(request.user, "view").select_related("unit", "child", "case"), pk=pk
        )
        try:
            result = self.perform(request, report)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            return ReportDetailView().render_page(request, report, self.bound(exc), status=400)
        return redirect(result)

    def bound(self, exc: ValidationError) -> dict:
        return {"errors": exc.messages}


class ReportLinkChildView(ReportActionView):
    def perform(self, request, report):
        form = LinkChildForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a child."))
        child = get_object_or_404(Child.objects.restrict(request.user, "view"), pk=form.cleaned_data["child"])
        services.report_link_child(acting_user=request.user, report=report, child=child)
        messages.success(request, _("The report is linked to %(name)s.") % {"name": child.full_name})
        return report


class ReportCreateChildView(ReportActionView):
    model = Child
    action = "add"

    def perform(self, request, report):
        self.form = CreateChildForm(request.POST, user=request.user, prefix="child")
        if not self.form.is_valid():
            raise ValidationError(_("Check the child's details."))
        data = self.form.cleaned_data
        try:
            child = services.report_create_child(
                acting_user=request.user,
                report=report,
                commune=data["commune"],
                full_name=data["full_name"],
                birth_year=data["birth_year"],
                sex=data["sex"],
            )
        except ValidationError as exc:
            apply_service_errors(self.form, exc)
            raise
        messages.success(
            request, _("%(name)s is registered and linked to the report.") % {"name": child.full_name}
        )
        return report

    def bound(self, exc):
        return {"create_child_form": self.form}


class CaseOpenView(ReportActionView):
    model = Case
    action = "add"

    def perform(self, request, report):
        commune = report.child.commune if report.child_id else None
        self.form = CaseOpenForm(request.POST, user=request.user, commune=commune, prefix="open")
        if not self.form.is_valid():
            raise ValidationError(_("Check the case's details."))
        data = self.form.cleaned_data
        try:
            case = services.case_open(
                acting_user=request.user,
                reports=[report],
                commune=data["commune"],
                supervisor=data["supervisor"],
                protection_level=data["protection_level"],
                harm_kinds=data["harm_kinds"],
                emergency=data["emergency"],
                setting=data["setting"],
            )
        except ValidationError as exc:
            apply_service_errors(self.form, exc)
            raise
        messages.success(request, _("Case %(number)s is open.") % {"number": case.number})
        return case

    def bound(self, exc):
        return {"open_form": self.form}


# --- cases ------------------------------------------------------------------------------------


class CaseListView(ScopedListView):
    """Cases in scope: my cases by default; overdue and due soon. Content only for the case's group."""

    model = Case
    filterset_class = CaseFilterSet
    template_name = "cases/case_list.html"

    def get_queryset(self):
        data = self.request.GET.copy()
        data.setdefault("show", "mine")
        self.filterset = CaseFilterSet(
            data, queryset=selectors.case_list(user=self.request.user), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["overdue"] = selectors.cases_with_deadlines(user=user, state="overdue").count()
        ctx["due_soon"] = selectors.cases_with_deadlines(user=user, state="due_soon").count()
        ctx["waiting_reports"] = (
            selectors.reports_waiting(user=user).count() if user.has_perm("cases.view_report") else None
        )
        ctx["incoming_transfers"] = selectors.transfers_incoming(user=user).count()
        return ctx


def case_page_context(request, case: Case, bound: dict | None = None) -> dict:
    """What the case page shows to its group, with the forms of the actions the user may take."""
    user, bound = request.user, bound or {}
    is_worker = selectors.is_worker(user, case)
    is_supervisor = case.supervisor_id == user.pk
    plan = case.plans.order_by("-version").first()
    ctx = {
        "case": case,
        "object": case,
        "reports": case.reports.select_related("unit").order_by("received_at"),
        "deadlines": selectors.deadline_rows(case),
        "assessments": case.assessments.prefetch_related("ratings__factor").select_related("assessed_by"),
        "plans": case.plans.select_related("drafted_by", "decided_by").order_by("-version"),
        "notes": case.notes.select_related("author"),
        "events": case.events.select_related("actor", "step"),
        "workers": case.workers.all(),
        "shared_with": case.shared_with.all(),
        "harm_kinds": case.harm_kinds.all(),
        "glass_breaks": case.glass_breaks.select_related("user") if is_supervisor else None,
        "is_worker": is_worker,
        "is_supervisor": is_supervisor,
        "current_plan": plan,
        "referrals": list(case.referrals.select_related("agency", "referred_by")),
        "transfers": list(
            case.transfers.select_related("to_commune", "from_commune", "requested_by", "decided_by")
        ),
        "attachments": case.attachments.select_related("uploaded_by"),
        "warnings": selectors.case_warnings(case),
    }
    if case.status != "open":
        return ctx
    can_act = user.has_perm("cases.change_case")
    forms_shown = {}
    if is_worker and can_act:
        code = case.step.code
        if code == "received":
            forms_shown["verify_form"] = VerifyForm(prefix="verify")
        if code in ("verified", "initial_assessment", "plan_in_progress"):
            kind = {"verified": "initial", "initial_assessment": "specific", "plan_in_progress": "review"}[
                code
            ]
            forms_shown["assess_form"] = AssessmentForm(prefix="assess", initial={"kind": kind})
        if code in ("specific_assessment", "review") or (
            code == "plan_drafted" and plan is not None and plan.status in ("draft", "rejected")
        ):
            initial = (
                {"goals": plan.goals, "actions": plan.actions, "review_on": plan.review_on} if plan else {}
            )
            forms_shown["plan_form"] = PlanForm(prefix="plan", initial=initial)
        if code == "plan_drafted" and plan is not None and plan.status == "draft":
            forms_shown["submit_form"] = EmptyForm(prefix="submit")
        advance = AdvanceForm(prefix="advance", case=case)
        if advance.fields["target"].queryset.exists():
            forms_shown["advance_form"] = advance
        if case.closure_requested_at is None and code in ("initial_assessment", "review"):
            forms_shown["close_request_form"] = CloseRequestForm(prefix="close")
    if is_supervisor and user.has_perm("cases.approve_case"):
        if plan is not None and plan.status == "submitted":
            forms_shown["decide_form"] = DecisionForm(prefix="decide")
        if case.closure_requested_at is not None:
            forms_shown["close_decide_form"] = DecisionForm(prefix="closedecide")
    if is_worker and can_act:
        forms_shown["refer_form"] = ReferralForm(prefix="refer", case=case)
        if not any(t.status == "requested" for t in ctx["transfers"]):
            forms_shown["transfer_form"] = TransferRequestForm(
                prefix="transfer", communes_url=reverse("public_report:communes")
            )
        ctx["referral_answer_forms"] = {
            r.pk: ReferralAnswerForm(prefix="answer", auto_id=f"id_ref{r.pk}_%s")
            for r in ctx["referrals"]
            if r.status in ("sent", "accepted")
        }
    if (is_worker or is_supervisor) and can_act:
        forms_shown["attach_form"] = AttachmentForm(prefix="attach")
        forms_shown["note_form"] = NoteForm(prefix="note")
        forms_shown["assign_form"] = AssignForm(
            prefix="assign",
            case=case,
            initial={"workers": list(case.workers.all()), "supervisor": case.supervisor},
        )
        forms_shown["share_form"] = ShareForm(prefix="share", case=case)
    forms_shown.update(bound)
    ctx.update(forms_shown)
    return ctx


class CaseDetailView(ScopedQuerysetMixin, View):
    """A case: its content for the group (and after breaking the glass), else that it exists."""

    model = Case

    def get(self, request, pk):
        case = _get_case(request, pk)
        info = selectors.case_access(request.user, case)
        audit_case_view(request.user, case, info)
        if not info.sees_content:
            return render(request, "cases/case_exists.html", {"case": case, "form": BreakGlassForm()})
        ctx = case_page_context(request, case)
        ctx["access"] = info
        return render(request, "cases/case_detail.html", ctx)


class CaseBreakGlassView(ScopedQuerysetMixin, View):
    """Open a case from outside its group by stating a reason (audited, shown to the supervisor)."""

    model = Case
    template_name = "cases/case_exists.html"

    def get(self, request, pk):
        case = _get_case(request, pk)
        return render(request, self.template_name, {"case": case, "form": BreakGlassForm()})

    def post(self, request, pk):
        case = _get_case(request, pk)
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            try:
                services.case_break_glass(
                    acting_user=request.user, case=case, reason=form.cleaned_data["reason"]
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect(case)
        return render(request, self.template_name, {"case": case, "form": form}, status=400)


class GlassListView(ScopedListView):
    """Break-the-glass openings of the cases the user supervises."""

    model = CaseAccess
    template_name = "cases/glass_list.html"

    def get_queryset(self):
        self.filterset = None
        return selectors.glass_breaks_for_supervisor(user=self.request.user)


class CaseActionView(ScopedQuerysetMixin, View):
    """One action of the case page (POST only): the case's group only (403 for others in scope)."""

    model = Case
    action = "change"
    http_method_names = ["post"]
    form_class: type[forms.Form] = EmptyForm
    prefix = ""
    context_name = ""

    def get_form(self, case):
        return self.form_class(self.request.POST, prefix=self.prefix)

    def perform(self, case, data: dict) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def post(self, request, pk):
        case = _get_case(request, pk)
        info = selectors.case_access(request.user, case)
        if info.level != Access.MEMBER:
            raise PermissionDenied
        form = self.get_form(case)
        if form.is_valid():
            try:
                message = self.perform(case, form.cleaned_data)
            except ScopeError as exc:
                raise PermissionDenied from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(case)
        case = _get_case(request, pk)  # as stored: the refused service changed nothing
        ctx = case_page_context(request, case, {self.context_name: form})
        ctx["access"] = info
        return render(request, "cases/case_detail.html", ctx, status=400)


class CaseVerifyView(CaseActionView):
    form_class, prefix, context_name = VerifyForm, "verify", "verify_form"

    def perform(self, case, data):
        services.case_verify(acting_user=self.request.user, case=case, note=data["note"])
        return _("The report is verified.")


class CaseAssessView(CaseActionView):
    form_class, prefix, context_name = AssessmentForm, "assess", "assess_form"

    def perform(self, case, data):
        form = self.form
        assessment = services.assessment_record(
            acting_user=self.request.user, case=case, **form.service_fields()
        )
        return _("Recorded: %(kind)s.") % {"kind": assessment.get_kind_display()}

    def get_form(self, case):
        self.form = AssessmentForm(self.request.POST, prefix=self.prefix)
        return self.form


class CasePlanView(CaseActionView):
    form_class, prefix, context_name = PlanForm, "plan", "plan_form"

    def perform(self, case, data):
        plan = services.plan_draft(acting_user=self.request.user, case=case, **data)
        return _("Plan v%(version)s saved as a draft.") % {"version": plan.version}


class CasePlanSubmitView(CaseActionView):
    form_class, prefix, context_name = EmptyForm, "submit", "submit_form"

    def perform(self, case, data):
        services.plan_submit(acting_user=self.request.user, case=case)
        return _("The plan is submitted to the supervisor.")


class CasePlanDecideView(CaseActionView):
    form_class, prefix, context_name = DecisionForm, "decide", "decide_form"

    def perform(self, case, data):
        if data["decision"] == "approve":
            services.plan_approve(acting_user=self.request.user, case=case, comments=data["comments"])
            return _("The plan is approved.")
        services.plan_reject(acting_user=self.request.user, case=case, comments=data["comments"])
        return _("The plan is returned with your comments.")


class CaseAdvanceView(CaseActionView):
    form_class, prefix, context_name = AdvanceForm, "advance", "advance_form"

    def get_form(self, case):
        return AdvanceForm(self.request.POST, prefix=self.prefix, case=case)

    def perform(self, case, data):
        services.case_step_advance(acting_user=self.request.user, case=case, target=data["target"].target)
        return _("The case moved on.")


class CaseCloseRequestView(CaseActionView):
    form_class, prefix, context_name = CloseRequestForm, "close", "close_request_form"

    def perform(self, case, data):
        services.case_close_request(acting_user=self.request.user, case=case, note=data["note"])
        return _("Closing the case is requested from the supervisor.")


class CaseCloseDecideView(CaseActionView):
    form_class, prefix, context_name = DecisionForm, "closedecide", "close_decide_form"

    def perform(self, case, data):
        if data["decision"] == "approve":
            services.case_close(acting_user=self.request.user, case=case, comments=data["comments"])
            return _("The case is closed.")
        services.case_close_reject(acting_user=self.request.user, case=case, comments=data["comments"])
        return _("The case stays open.")


class CaseAssignView(CaseActionView):
    form_class, prefix, context_name = AssignForm, "assign", "assign_form"

    def get_form(self, case):
        return AssignForm(self.request.POST, prefix=self.prefix, case=case)

    def perform(self, case, data):
        services.case_assign(
            acting_user=self.request.user, case=case, workers=data["workers"], supervisor=data["supervisor"]
        )
        return _("The assignment is saved.")


class CaseShareView(CaseActionView):
    form_class, prefix, context_name = ShareForm, "share", "share_form"

    def get_form(self, case):
        return ShareForm(self.request.POST, prefix=self.prefix, case=case)

    def perform(self, case, data):
        services.case_share(
            acting_user=self.request.user, case=case, user=data["user"], reason=data["reason"]
        )
        return _("The case is shared with %(name)s.") % {"name": data["user"]}


class NoteAddView(CaseActionView):
    form_class, prefix, context_name = NoteForm, "note", "note_form"

    def perform(self, case, data):
        services.note_add(acting_user=self.request.user, case=case, text=data["text"])
        return _("Note added.")


# --- referrals --------------------------------------------------------------------------------


class CaseReferView(CaseActionView):
    form_class, prefix, context_name = ReferralForm, "refer", "refer_form"

    def get_form(self, case):
        return ReferralForm(self.request.POST, prefix=self.prefix, case=case)

    def perform(self, case, data):
        referral = services.referral_create(acting_user=self.request.user, case=case, **data)
        return _("The case is referred to %(agency)s.") % {"agency": referral.agency_label}


class ReferralAnswerView(ScopedQuerysetMixin, View):
    """The agency's answer to a referral, recorded by the case's worker (POST only)."""

    model = Case
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        referral = get_object_or_404(
            Referral.objects.restrict(request.user, "view").select_related("case"), pk=pk
        )
        case = _get_case(request, referral.case_id)
        info = selectors.case_access(request.user, case)
        if info.level != Access.MEMBER:
            raise PermissionDenied
        form = ReferralAnswerForm(request.POST, prefix="answer")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "accepted":
                    services.referral_accept(acting_user=request.user, referral=referral)
                elif data["decision"] == "rejected":
                    services.referral_reject(acting_user=request.user, referral=referral, reason=data["text"])
                else:
                    services.referral_done(acting_user=request.user, referral=referral, outcome=data["text"])
            except ScopeError as exc:
                raise PermissionDenied from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The referral is updated."))
                return redirect(case)
        case = _get_case(request, referral.case_id)
        ctx = case_page_context(request, case)
        ctx["access"] = info
        ctx["referral_errors"] = [str(e) for errors in form.errors.values() for e in errors]
        return render(request, "cases/case_detail.html", ctx, status=400)


# --- transfers --------------------------------------------------------------------------------


class CaseTransferView(CaseActionView):
    form_class, prefix, context_name = TransferRequestForm, "transfer", "transfer_form"

    def get_form(self, case):
        return TransferRequestForm(
            self.request.POST, prefix=self.prefix, communes_url=reverse("public_report:communes")
        )

    def perform(self, case, data):
        transfer = services.transfer_request(
            acting_user=self.request.user, case=case, to_commune=data["to_commune"], reason=data["reason"]
        )
        return _("The transfer is sent to %(commune)s; it waits for their answer.") % {
            "commune": transfer.to_commune.name
        }


class TransferListView(ScopedListView):
    """Transfers from and to the user's communes; those waiting for the user's answer first."""

    model = Transfer
    template_name = "cases/transfer_list.html"
    select_related = ("case", "from_commune", "to_commune", "requested_by")

    def get_queryset(self):
        self.filterset = None
        return super().get_queryset().order_by("-requested_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["incoming"] = selectors.transfers_incoming(user=self.request.user)
        return ctx


def _can_decide(user, transfer: Transfer) -> bool:
    from treem.core.scope import unit_in_scope

    return (
        transfer.status == "requested"
        and user.has_perm("cases.add_case")
        and unit_in_scope(user, transfer.to_commune)
    )


class TransferDetailView(ScopedQuerysetMixin, View):
    """A transfer: what the receiving commune needs to decide (the case's content stays closed
    to it until it accepts). Every opening is audited: it names a child."""

    model = Transfer
    template_name = "cases/transfer_detail.html"

    def get_transfer(self, request, pk) -> Transfer:
        qs = self.get_queryset().select_related(
            "case", "case__child", "from_commune", "to_commune", "requested_by", "decided_by"
        )
        return get_object_or_404(qs, pk=pk)

    def render_page(self, request, transfer, form=None, status=200):
        ctx = {"transfer": transfer, "case": transfer.case}
        if _can_decide(request.user, transfer):
            ctx["form"] = form or TransferDecisionForm(prefix="decide", commune=transfer.to_commune)
        ctx["sees_case"] = Case.objects.restrict(request.user, "view").filter(pk=transfer.case_id).exists()
        return render(request, self.template_name, ctx, status=status)

    def get(self, request, pk):
        transfer = self.get_transfer(request, pk)
        audit_record(request.user, "cases.transfer.viewed", transfer)
        return self.render_page(request, transfer)


class TransferDecideView(TransferDetailView):
    """The receiving commune accepts (choosing the workers) or refuses (with the reason)."""

    model = Case
    action = "add"
    http_method_names = ["post"]

    def get_queryset(self):
        return Transfer.objects.restrict(self.request.user, "view")

    def post(self, request, pk):
        transfer = self.get_transfer(request, pk)
        if not _can_decide(request.user, transfer):
            raise PermissionDenied
        form = TransferDecisionForm(request.POST, prefix="decide", commune=transfer.to_commune)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "accept":
                    case = services.transfer_accept(
                        acting_user=request.user,
                        transfer=transfer,
                        workers=data["workers"],
                        supervisor=data["supervisor"],
                    )
                    messages.success(
                        request, _("Case %(number)s is now your commune's.") % {"number": case.number}
                    )
                    return redirect(case)
                services.transfer_refuse(acting_user=request.user, transfer=transfer, reason=data["reason"])
            except ScopeError as exc:
                raise PermissionDenied from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The transfer is refused; the case stays where it was."))
                return redirect(transfer)
        transfer = self.get_transfer(request, pk)
        return self.render_page(request, transfer, form=form, status=400)


# --- attachments ------------------------------------------------------------------------------


class AttachmentAddView(CaseActionView):
    form_class, prefix, context_name = AttachmentForm, "attach", "attach_form"

    def get_form(self, case):
        return AttachmentForm(self.request.POST, self.request.FILES, prefix=self.prefix)

    def perform(self, case, data):
        services.attachment_add(
            acting_user=self.request.user, case=case, upload=data["file"], description=data["description"]
        )
        return _("The file is attached.")


class AttachmentDownloadView(ScopedQuerysetMixin, View):
    """A case's file, only for those who see the case's content; every download is audited."""

    model = Attachment

    def get(self, request, pk):
        from treem.cases.attachments import read_content

        attachment = get_object_or_404(self.get_queryset().select_related("case"), pk=pk)
        case = _get_case(request, attachment.case_id)
        info = selectors.case_access(request.user, case)
        if not info.sees_content:
            raise PermissionDenied
        try:
            content = read_content(attachment)  # decrypted in memory, never written in clear
        except (ValueError, OSError) as exc:
            raise Http404 from exc
        audit_record(
            request.user,
            "cases.attachment.downloaded",
            attachment,
            changes={"access": info.level.value},
            reason=info.grant.reason if info.grant else "",
        )
        response = FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=attachment.file_name,
            content_type=attachment.content_type,
        )
        response["Cache-Control"] = "no-store"
        return response
