"""Plan pages: plans and their tasks, progress reports, reporting rates, inspections.

Every page starts from a restricted queryset (out of scope: 404). Writes go through
``plans.services`` (and ``plans.loader``); a refused write shows the service's message (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from treem.accounts.models import Agency
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from treem.plans import loader, selectors, services
from treem.plans.filtersets import ReportFilterSet, TaskFilterSet
from treem.plans.forms import (
    AgencyChooseForm,
    DecideForm,
    FindingsForm,
    FollowUpForm,
    InspectionForm,
    PassTasksForm,
    PeriodForm,
    PlanLoadForm,
    RecommendationForm,
    ReportForm,
    TaskStatusForm,
)
from treem.plans.models import (
    AgencyReport,
    Inspection,
    Plan,
    PlanAgency,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    ReportStatus,
    Task,
    TaskStatus,
    is_coordinator,
)


def _coordinator_required(user) -> None:
    if not is_coordinator(user):
        raise PermissionDenied


# --- plans ---------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    model = Plan
    template_name = "plans/plan_list.html"

    def get_queryset(self):
        self.filterset = None
        return selectors.visible_plans(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["coordinator"] = is_coordinator(self.request.user)
        return ctx


class PlanDetailView(ScopedDetailView):
    model = Plan
    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return selectors.visible_plans(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        ctx.update(
            legal_bases=plan.legal_bases.all(),
            sections=plan.sections.all(),
            task_rows=selectors.task_table(plan=plan, user=user) if user.has_perm("plans.view_task") else [],
            periods=plan.periods.order_by("-ends_on", "kind"),
            sub_plans=selectors.visible_plans(user).filter(parent=plan),
            coordinator=is_coordinator(user)
            and Plan.objects.restrict(user, "change").filter(pk=plan.pk).exists(),
            waiting_names=PlanAgency.objects.restrict(user).filter(plan=plan, binding="waiting").count(),
        )
        return ctx


class PlanLoadView(ScopedQuerysetMixin, View):
    """The coordinator loads the province's plan (the bundled file, or an uploaded one)."""

    model = Plan
    action = "add"
    template_name = "plans/plan_load.html"

    def get(self, request):
        _coordinator_required(request.user)
        return render(request, self.template_name, {"form": PlanLoadForm()})

    def post(self, request):
        _coordinator_required(request.user)
        form = PlanLoadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = form.cleaned_data.get("file")
                if upload:
                    data = loader.read_plan_file(upload.read(), upload.name)
                else:
                    data = loader.read_plan_file(loader.BUNDLED_PLAN.read_bytes(), loader.BUNDLED_PLAN.name)
                result = loader.plan_load(acting_user=request.user, data=data)
            except ScopeError:
                form.add_error(None, _("The plan's province is not one of your units."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if result.changed:
                    waiting = PlanAgency.objects.filter(plan=result.plan, binding="waiting").count()
                    messages.success(
                        request,
                        _(
                            "The plan is loaded: %(tasks)s tasks, %(sections)s sections. "
                            "%(waiting)s names of agencies wait for you to choose their agency."
                        )
                        % {
                            "tasks": result.created.get("tasks", 0),
                            "sections": result.created.get("sections", 0),
                            "waiting": waiting,
                        },
                    )
                else:
                    messages.info(request, _("The plan was already loaded: nothing changed."))
                return redirect(result.plan)
        return render(request, self.template_name, {"form": form}, status=400)


class AgencyReviewView(ScopedQuerysetMixin, View):
    """The agencies a plan names and what each is bound to; the coordinator chooses the agency of
    a name that waits, and its tasks go to that agency (audited)."""

    model = Plan  # the plan's coordinator (plans.change_plan and plans.coordinate_plan)
    action = "change"
    template_name = "plans/agency_review.html"

    def context(self, request, plan, form=None, chosen=None):
        return {
            "plan": plan,
            "rows": selectors.plan_agencies(plan=plan, user=request.user),
            "form": form,
            "chosen": chosen,
            "agencies": AgencyChooseForm(user=request.user, plan=plan).fields["agency"].queryset,
        }

    def plan(self, request, pk):
        _coordinator_required(request.user)
        return get_object_or_404(Plan.objects.restrict(request.user, "change"), pk=pk)

    def get(self, request, pk):
        plan = self.plan(request, pk)
        return render(request, self.template_name, self.context(request, plan))

    def post(self, request, pk):
        plan = self.plan(request, pk)
        form = AgencyChooseForm(request.POST, user=request.user, plan=plan)
        if form.is_valid():
            try:
                named = services.plan_agency_choose(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is now %(agency)s: its tasks went to that agency.")
                    % {"name": named.name, "agency": named.agency},
                )
                return redirect("plans:agency_review", plan.pk)
        chosen = form.cleaned_data.get("named") if hasattr(form, "cleaned_data") else None
        return render(request, self.template_name, self.context(request, plan, form, chosen), status=400)


# --- tasks ---------------------------------------------------------------------------------------


class TaskListView(ScopedListView):
    model = Task
    filterset_class = TaskFilterSet
    template_name = "plans/task_list.html"

    def get_queryset(self):
        qs = selectors.visible_tasks(self.request.user).order_by("plan_id", "position", "id")
        self.filterset = TaskFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reminders"] = selectors.my_reminders(self.request.user)
        return ctx


def _task(request, pk, action="view") -> Task:
    return get_object_or_404(selectors.visible_tasks(request.user, action), pk=pk)


def task_page_context(request, task: Task) -> dict:
    user = request.user
    periods = selectors.task_periods(task)
    reports = list(
        selectors.visible_reports(user).filter(task=task).order_by("-period__ends_on", "agency__name")
    )
    return {
        "task": task,
        "object": task,
        "cooperating": task.cooperating_agencies.order_by("name"),
        "history": task.history.select_related("from_agency", "to_agency", "actor"),
        "passed_from": task.history.filter(kind="succession").select_related("from_agency").last(),
        "areas": task.areas.order_by("position"),
        "can_choose": is_coordinator(user),
        "reports": reports,
        "open_periods": [p for p in periods if p.is_open()],
        "status_form": TaskStatusForm(initial={"status": task.status}),
        "can_change": services._may_work_on_task(user, task, "plans.change_task"),
        "can_report": user.has_perm("plans.add_progressreport")
        and task.lead_agency_id is not None
        and bool(user.agency_id or is_coordinator(user) or services.is_commune_share_of(user, task)),
        "shares": selectors.commune_shares(task=task, user=user) if task.parent_id is None else [],
        # The lead agency reports on the task in its one report of the period (all its tasks);
        # a cooperating agency writes its contribution on this task alone.
        "reports_as_lead": (services.reporting_agency_for(user, task) or Agency()).pk == task.lead_agency_id,
    }


class TaskDetailView(ScopedDetailView):
    model = Task
    template_name = "plans/task_detail.html"

    def get_queryset(self):
        return selectors.visible_tasks(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(task_page_context(self.request, self.object))
        return ctx


class TaskStatusView(ScopedQuerysetMixin, View):
    model = Task
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        task = _task(request, pk, "change")
        form = TaskStatusForm(request.POST)
        errors = []
        if form.is_valid():
            try:
                services.task_set_status(acting_user=request.user, task=task, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("The task's status is saved."))
                return redirect(task)
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        task.refresh_from_db()
        ctx = {**task_page_context(request, task), "errors": errors}
        return render(request, "plans/task_detail.html", ctx, status=400)


class PassTasksView(ScopedQuerysetMixin, View):
    """Agencies merged in 2025: give their open tasks to their successor."""

    model = Task
    action = "change"
    template_name = "plans/pass_tasks.html"

    def context(self, request, form=None):
        agencies = services.agencies_with_open_tasks_to_pass(request.user)
        return {"agencies": agencies, "form": form or PassTasksForm(user=request.user)}

    def get(self, request):
        _coordinator_required(request.user)
        return render(request, self.template_name, self.context(request))

    def post(self, request):
        _coordinator_required(request.user)
        form = PassTasksForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                moved = services.tasks_pass_to_successor(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)s tasks passed to the successor agency.") % {"n": moved})
                return redirect("plans:pass_tasks")
        return render(request, self.template_name, self.context(request, form), status=400)


# --- periods and reporting rates -------------------------------------------------------------------


def _period(request, pk) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.restrict(request.user).select_related("plan"), pk=pk)


class PeriodAddView(ScopedQuerysetMixin, View):
    model = ReportingPeriod
    action = "add"
    template_name = "plans/period_form.html"

    def get(self, request, pk):
        plan = get_object_or_404(Plan.objects.restrict(request.user, "change"), pk=pk)
        return render(request, self.template_name, {"form": PeriodForm(), "plan": plan})

    def post(self, request, pk):
        plan = get_object_or_404(Plan.objects.restrict(request.user, "change"), pk=pk)
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                period = services.period_create(acting_user=request.user, plan=plan, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The reporting period is added."))
                return redirect(period)
        return render(request, self.template_name, {"form": form, "plan": plan}, status=400)


class PeriodDetailView(ScopedDetailView):
    """A period's reporting rates per agency (completeness, timeliness) and its reports."""

    model = ReportingPeriod
    template_name = "plans/period_detail.html"
    context_object_name = "period"

    def get_queryset(self):
        return ReportingPeriod.objects.restrict(self.request.user).select_related("plan")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        rates = selectors.reporting_rates(period=self.object, user=user, by="agency")
        commune_rates = selectors.reporting_rates(period=self.object, user=user, by="commune")
        ctx.update(
            agency_rates=rates,
            agency_total=selectors.total_rate(rates),
            commune_rates=commune_rates,
            commune_total=selectors.total_rate(commune_rates),
            reports=selectors.visible_reports(user).filter(period=self.object),
            agency_reports=AgencyReport.objects.restrict(user)
            .filter(period=self.object)
            .select_related("agency", "agency__unit"),
            is_open=self.object.is_open(),
            my_reports=selectors.my_period_reports(user, self.object) if self.object.is_open() else [],
        )
        return ctx


class DashboardView(ScopedQuerysetMixin, View):
    """Late and missing reports: the reporting rates of each period whose reports are open."""

    model = ReportingPeriod
    template_name = "plans/dashboard.html"

    def get(self, request):
        from django.utils import timezone

        today = timezone.localdate()
        periods = (
            ReportingPeriod.objects.restrict(request.user)
            .filter(opens_on__lte=today)
            .select_related("plan")
            .order_by("-due_on", "kind")[:8]
        )
        rows = []
        for period in periods:
            rates = selectors.reporting_rates(period=period, user=request.user)
            rows.append((period, selectors.total_rate(rates), rates))
        late_tasks = selectors.visible_tasks(request.user).filter(
            status__in=("not_started", "in_progress"), deadline__lt=today
        )
        overdue = (
            selectors.overdue_recommendations(request.user).select_related("inspection", "owner")
            if request.user.has_perm("plans.view_recommendation")
            else []
        )
        return render(
            request,
            self.template_name,
            {"rows": rows, "late_tasks": late_tasks[:50], "overdue": overdue, "today": today},
        )


# --- reports ---------------------------------------------------------------------------------------


class ReportListView(ScopedListView):
    model = ProgressReport
    filterset_class = ReportFilterSet
    template_name = "plans/report_list.html"

    def get_queryset(self):
        qs = selectors.visible_reports(self.request.user).order_by("-period__ends_on", "task__position", "id")
        self.filterset = ReportFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.template_name]


class ReportFormView(ScopedQuerysetMixin, View):
    """Write or correct the user's agency's report on a task for a period; save or submit it."""

    model = ProgressReport
    action = "add"
    template_name = "plans/report_form.html"

    def objects(self, request, pk, period):
        task = _task(request, pk)
        period = _period(request, period)
        if period.plan_id != task.plan_id:
            raise Http404
        agency = services.reporting_agency_for(request.user, task)
        if agency is None or agency.pk not in services._task_agencies(task):
            agency = task.lead_agency if is_coordinator(request.user) else agency
        report = (
            ProgressReport.objects.filter(period=period, task=task, agency=agency).first() if agency else None
        )
        return task, period, agency, report

    def get(self, request, pk, period):
        task, period, agency, report = self.objects(request, pk, period)
        initial = {f: getattr(report, f) for f in services.REPORT_FIELDS} if report else {}
        ctx = {
            "form": ReportForm(initial=initial),
            "task": task,
            "period": period,
            "agency": agency,
            "report": report,
        }
        return render(request, self.template_name, ctx)

    def post(self, request, pk, period):
        task, period, agency, report = self.objects(request, pk, period)
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_save(
                    acting_user=request.user, period=period, task=task, agency=agency, **form.cleaned_data
                )
                if "submit" in request.POST:
                    services.report_submit(acting_user=request.user, report=report)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                # The draft saved before a refused submission stays; nothing else was written.
                apply_service_errors(form, exc)
            else:
                if report.status == ReportStatus.SUBMITTED:
                    messages.success(request, _("The report is submitted."))
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect(report)
        ctx = {"form": form, "task": task, "period": period, "agency": agency, "report": report}
        return render(request, self.template_name, ctx, status=400)


def _report(request, pk, action="view") -> ProgressReport:
    return get_object_or_404(selectors.visible_reports(request.user, action), pk=pk)


def report_page_context(request, report: ProgressReport) -> dict:
    user = request.user
    return {
        "report": report,
        "object": report,
        "decide_form": DecideForm(),
        "can_decide": report.status == ReportStatus.SUBMITTED and services.may_decide(user, report),
        "can_edit": report.editable
        and user.has_perm("plans.change_progressreport")
        and services._may_report_for(user, report.task, report.agency),
    }


class ReportDetailView(ScopedDetailView):
    model = ProgressReport
    template_name = "plans/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return selectors.visible_reports(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(report_page_context(self.request, self.object))
        return ctx


class ReportDecideView(ScopedQuerysetMixin, View):
    """Accept a submitted report, or return it with comments."""

    model = ProgressReport
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        report = _report(request, pk, "change")
        form = DecideForm(request.POST)
        errors = []
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.report_accept(
                        acting_user=request.user, report=report, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The report is accepted."))
                else:
                    services.report_return(
                        acting_user=request.user, report=report, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The report is returned to the agency."))
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                errors = exc.messages
            else:
                return redirect(report)
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        report.refresh_from_db()
        ctx = {**report_page_context(request, report), "errors": errors, "decide_form": form}
        return render(request, "plans/report_detail.html", ctx, status=400)


# --- one report per agency (or commune) per period ------------------------------------------------


class AgencyReportOpenView(ScopedQuerysetMixin, View):
    """Open the user's agency's (or commune's) report for a period: one form for all its tasks."""

    model = ProgressReport
    action = "add"
    http_method_names = ["post"]

    def post(self, request, pk):
        period = _period(request, pk)
        agency = None
        if is_coordinator(request.user) and request.POST.get("agency"):
            agency = get_object_or_404(Agency.objects.restrict(request.user), pk=request.POST["agency"])
        elif request.POST.get("agency"):
            agency = get_object_or_404(Agency.objects.all(), pk=request.POST["agency"])
        try:
            report = services.agency_report_open(acting_user=request.user, period=period, agency=agency)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(period)
        return redirect(report)


def _agency_report(request, pk) -> AgencyReport:
    # Seen by who may see it; who may write or decide it is the services' rule (ScopeError: 404).
    return get_object_or_404(
        AgencyReport.objects.restrict(request.user).select_related("period__plan__unit", "agency"),
        pk=pk,
    )


def agency_report_context(request, report: AgencyReport, errors=(), posted=None) -> dict:
    user = request.user
    rows = list(report.rows.select_related("task").order_by("task__position", "task__code", "id"))
    if posted:
        for row in rows:
            for name, value in posted.get(row.task_id, {}).items():
                setattr(row, name, value)
    return {
        "report": report,
        "object": report,
        "rows": rows,
        "task_statuses": [
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
            (TaskStatus.DONE, TaskStatus.DONE.label),
        ],
        "errors": list(errors),
        "decide_form": DecideForm(),
        "can_edit": report.editable and services._may_act_for(user, report.period, report.agency),
        "can_decide": report.status == ReportStatus.SUBMITTED
        and services.may_decide_agency_report(user, report),
    }


def _posted_rows(request, report: AgencyReport) -> dict:
    rows = {}
    for task_id in report.rows.values_list("task_id", flat=True):
        values = {}
        for name in services.ROW_FIELDS:
            key = f"row-{task_id}-{name}"
            if key in request.POST:
                values[name] = request.POST[key][:20000]
        if values:
            rows[task_id] = values
    return rows


class AgencyReportDetailView(ScopedQuerysetMixin, View):
    """The agency's report for a period, a row per task: read it, or write, save and submit it."""

    model = ProgressReport
    action = "view"
    template_name = "plans/agency_report_detail.html"

    def get(self, request, pk):
        report = _agency_report(request, pk)
        return render(request, self.template_name, agency_report_context(request, report))

    def post(self, request, pk):
        report = _agency_report(request, pk)
        rows = _posted_rows(request, report)
        try:
            services.agency_report_save(
                acting_user=request.user,
                report=report,
                summary=request.POST.get("summary"),
                rows=rows,
            )
            if "submit" in request.POST:
                services.agency_report_submit(acting_user=request.user, report=report)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            report.refresh_from_db()
            ctx = agency_report_context(request, report, errors=exc.messages, posted=rows)
            return render(request, self.template_name, ctx, status=400)
        if report.status == ReportStatus.SUBMITTED:
            messages.success(request, _("The report is submitted."))
        else:
            messages.success(request, _("The draft is saved."))
        return redirect(report)


class AgencyReportDecideView(ScopedQuerysetMixin, View):
    """The coordinator accepts an agency's report, or returns it with comments."""

    model = ProgressReport
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        report = _agency_report(request, pk)
        form = DecideForm(request.POST)
        errors = []
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.agency_report_accept(
                        acting_user=request.user, report=report, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The report is accepted."))
                else:
                    services.agency_report_return(
                        acting_user=request.user, report=report, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The report is returned to the agency."))
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                errors = exc.messages
            else:
                return redirect(report)
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        report.refresh_from_db()
        ctx = {**agency_report_context(request, report, errors=errors), "decide_form": form}
        return render(request, "plans/agency_report_detail.html", ctx, status=400)


# --- inspections -----------------------------------------------------------------------------------


class InspectionListView(ScopedListView):
    model = Inspection
    template_name = "plans/inspection_list.html"

    def get_queryset(self):
        self.filterset = None
        return selectors.visible_inspections(self.request.user)

    def get_template_names(self):
        return [self.template_name]


class InspectionAddView(ScopedQuerysetMixin, View):
    model = Inspection
    action = "add"
    template_name = "plans/inspection_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InspectionForm(user=request.user)})

    def post(self, request):
        form = InspectionForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                inspection = services.inspection_create(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The inspection is saved."))
                return redirect(inspection)
        return render(request, self.template_name, {"form": form}, status=400)


def inspection_page_context(request, inspection: Inspection, **forms) -> dict:
    user = request.user
    return {
        "inspection": inspection,
        "object": inspection,
        "recommendations": inspection.recommendations.select_related("owner"),
        "findings_form": forms.get("findings_form")
        or FindingsForm(
            initial={
                "status": inspection.status,
                "findings": inspection.findings,
                "ends_on": inspection.ends_on,
            }
        ),
        "recommendation_form": forms.get("recommendation_form") or RecommendationForm(user=user),
        "follow_up_form": FollowUpForm(),
        "can_change": Inspection.objects.restrict(user, "change").filter(pk=inspection.pk).exists(),
        "errors": forms.get("errors", []),
    }


def _inspection(request, pk, action="view") -> Inspection:
    return get_object_or_404(Inspection.objects.restrict(request.user, action), pk=pk)


class InspectionDetailView(ScopedDetailView):
    model = Inspection
    template_name = "plans/inspection_detail.html"

    def get_queryset(self):
        return selectors.visible_inspections(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(inspection_page_context(self.request, self.object))
        return ctx


class InspectionFindingsView(ScopedQuerysetMixin, View):
    model = Inspection
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = _inspection(request, pk, "change")
        form = FindingsForm(request.POST)
        if form.is_valid():
            try:
                services.inspection_record_findings(
                    acting_user=request.user, inspection=inspection, **form.cleaned_data
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The findings are saved."))
                return redirect(inspection)
        inspection.refresh_from_db()
        ctx = inspection_page_context(request, inspection, findings_form=form)
        return render(request, "plans/inspection_detail.html", ctx, status=400)


class RecommendationAddView(ScopedQuerysetMixin, View):
    model = Recommendation
    action = "add"
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = _inspection(request, pk, "change")
        form = RecommendationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.recommendation_add(
                    acting_user=request.user, inspection=inspection, **form.cleaned_data
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The recommendation is added."))
                return redirect(inspection)
        ctx = inspection_page_context(request, inspection, recommendation_form=form)
        return render(request, "plans/inspection_detail.html", ctx, status=400)


class RecommendationFollowUpView(ScopedQuerysetMixin, View):
    model = Recommendation
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        rec = get_object_or_404(
            Recommendation.objects.restrict(request.user, "change").select_related("inspection"), pk=pk
        )
        form = FollowUpForm(request.POST)
        errors = []
        if form.is_valid():
            try:
                services.recommendation_follow_up(
                    acting_user=request.user, recommendation=rec, **form.cleaned_data
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("The follow-up is saved."))
                return redirect(rec.inspection)
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        ctx = inspection_page_context(request, rec.inspection, errors=errors)
        return render(request, "plans/inspection_detail.html", ctx, status=400)
