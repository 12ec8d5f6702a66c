"""Funding pages: the budget and its totals, priority areas, donors and donations, sponsorships of
children, international projects, and the public transparency report.

Every signed-in page starts from a restricted queryset: a record outside the user's units is 404,
whatever the id. Writes go through ``funding.services``; a refused write shows the form again
with the service's messages (status 400) and writes nothing. The transparency page is public and
reads only published reports (frozen sums and donors' public names).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError, unit_in_scope
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from treem.funding import selectors, services
from treem.funding.choices import Purpose, Source
from treem.funding.filtersets import (
    BudgetLineFilterSet,
    DonationFilterSet,
    DonorFilterSet,
    ProjectFilterSet,
    SponsorshipFilterSet,
)
from treem.funding.forms import (
    BudgetEntryForm,
    BudgetLineForm,
    DonationForm,
    DonationUseForm,
    DonorForm,
    PaymentForm,
    PriorityAreaForm,
    ProjectForm,
    ProjectReportForm,
    PublishForm,
    ReportSubmitForm,
    SettlementForm,
    SponsorshipForm,
    VisitForm,
)
from treem.funding.models import (
    MANAGE_BUDGET_PERMISSION,
    PUBLISH_PERMISSION,
    BudgetEntry,
    BudgetLine,
    Donation,
    DonationUse,
    Donor,
    InternationalProject,
    PriorityArea,
    Programme,
    ProjectReport,
    Sponsorship,
    SponsorshipPayment,
    SponsorshipVisit,
    TransparencyReport,
)
from treem.geo.models import Unit

FORM_TEMPLATE = "funding/form.html"


def _small_int(value: str | None) -> int | None:
    """A query-string id, or None when it is not a plausible one (never a database error)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _record(request, model, pk, action: str = "view", *related):
    qs = model.objects.restrict(request.user, action)
    return get_object_or_404(qs.select_related(*related) if related else qs, pk=pk)


class FormPage(ScopedQuerysetMixin, View):
    """A form whose valid input goes to one service call; GET shows it, POST runs it.

    ``record_model``/``record_action`` name the record of the URL (``pk``) when there is one;
    a record outside the user's units is 404 before anything else happens.
    """

    action = "add"
    form_class = None
    title = ""
    success_message = ""
    record_model = None
    record_action = "change"
    record_related: tuple[str, ...] = ()

    def get_record(self):
        if self.record_model is None:
            return None
        return _record(
            self.request, self.record_model, self.kwargs["pk"], self.record_action, *self.record_related
        )

    def form_kwargs(self, record) -> dict:
        return {"user": self.request.user}

    def initial(self, record) -> dict:
        return {}

    def perform(self, form, record):
        raise NotImplementedError

    def page_title(self, record) -> str:
        return self.title

    def back_url(self, record) -> str:
        return record.get_absolute_url() if record is not None else ""

    def render_form(self, form, record, status: int = 200):
        ctx = {
            "form": form,
            "title": self.page_title(record),
            "record": record,
            "back_url": self.back_url(record),
        }
        return render(self.request, FORM_TEMPLATE, ctx, status=status)

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(initial=self.initial(record), **self.form_kwargs(record))
        return self.render_form(form, record)

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(request.POST, initial=self.initial(record), **self.form_kwargs(record))
        if form.is_valid():
            try:
                result = self.perform(form, record)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(result)
        return self.render_form(form, record, status=400)


class ActionPage(FormPage):
    """A form shown on a record's page and posted here (no page of its own)."""

    http_method_names = ["post"]


# --- budget -----------------------------------------------------------------------------------


def may_keep_line(user, line: BudgetLine) -> bool:
    """The user may record entries on this line (their agency's, or any with manage_budget)."""
    return (
        user.has_perm("funding.add_budgetentry")
        and unit_in_scope(user, line.agency.unit)
        and (user.has_perm(MANAGE_BUDGET_PERMISSION) or user.agency_id == line.agency_id)
    )


class BudgetLineListView(ScopedListView):
    model = BudgetLine
    filterset_class = BudgetLineFilterSet
    select_related = ("agency", "programme", "unit")
    template_name = "funding/budget_list.html"

    def get_template_names(self):
        return [self.template_name]


class BudgetLineCreateView(FormPage):
    model = BudgetLine
    form_class = BudgetLineForm

    def page_title(self, record):
        return _("New budget line")

    def perform(self, form, record):
        self.success_message = _("The budget line is saved.")
        return services.budget_line_create(acting_user=self.request.user, **form.cleaned_data)


class BudgetLineUpdateView(FormPage):
    model = BudgetLine
    action = "change"
    form_class = BudgetLineForm
    record_model = BudgetLine
    record_related = ("agency__unit",)

    def page_title(self, record):
        return _("Change the budget line")

    def initial(self, record):
        return {
            "agency": record.agency_id,
            "unit": record.unit_id,
            "programme": record.programme_id,
            "year": record.year,
            "source": record.source,
            "title": record.title,
            "planned_vnd": record.planned_vnd,
        }

    def perform(self, form, record):
        self.success_message = _("The budget line is saved.")
        return services.budget_line_update(acting_user=self.request.user, line=record, **form.cleaned_data)


class BudgetLineDetailView(ScopedDetailView):
    model = BudgetLine
    select_related = ("agency__unit", "programme", "unit")
    template_name = "funding/budget_detail.html"
    context_object_name = "line"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        line = self.object
        user = self.request.user
        keep = may_keep_line(user, line) and not line.is_settled
        ctx.update(
            {
                "entries": line.entries.order_by("document_date", "id"),
                "totals": line.totals(),
                "entry_form": BudgetEntryForm() if keep else None,
                "settle_form": (
                    SettlementForm(
                        initial={
                            "status": line.settlement_status,
                            "settlement_number": line.settlement_number,
                            "settlement_date": line.settlement_date,
                        }
                    )
                    if may_keep_line(user, line) and user.has_perm("funding.change_budgetline")
                    else None
                ),
                "can_edit": keep and user.has_perm("funding.change_budgetline"),
            }
        )
        return ctx


class BudgetEntryAddView(ActionPage):
    model = BudgetEntry
    form_class = BudgetEntryForm
    record_model = BudgetLine
    record_action = "view"
    record_related = ("agency__unit",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Record an entry on “%(line)s”") % {"line": record}

    def perform(self, form, record):
        self.success_message = _("The entry is recorded.")
        entry = services.budget_entry_add(acting_user=self.request.user, line=record, **form.cleaned_data)
        return entry.line


class BudgetSettleView(ActionPage):
    model = BudgetLine
    action = "change"
    form_class = SettlementForm
    record_model = BudgetLine
    record_related = ("agency__unit",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Settlement of “%(line)s”") % {"line": record}

    def perform(self, form, record):
        self.success_message = _("The settlement status is saved.")
        return services.budget_line_settle(acting_user=self.request.user, line=record, **form.cleaned_data)


class TotalsView(LoginRequiredMixin, View):
    """Budget totals of the user's units for a year: by agency, programme, source and unit,
    against plan, with the priority areas marked."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_totals(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 2000), 2100)
        wanted = _small_int(request.GET.get("programme"))
        programme = Programme.objects.filter(pk=wanted).first() if wanted else None
        source = request.GET.get("source", "")
        source = source if source in Source.values else ""
        totals = selectors.budget_totals(user=request.user, year=year, programme=programme, source=source)
        ctx = {
            "totals": totals,
            "year": year,
            "programmes": Programme.objects.all(),
            "programme": programme,
            "sources": Source.choices,
            "source": source,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
        }
        return render(request, "funding/totals.html", ctx)


# --- priority areas ---------------------------------------------------------------------------


class PriorityAreaListView(ScopedListView):
    model = PriorityArea
    select_related = ("unit",)
    template_name = "funding/priority_list.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.user.has_perm("funding.add_priorityarea"):
            ctx["form"] = PriorityAreaForm(user=self.request.user)
        return ctx


class PriorityAreaAddView(ActionPage):
    model = PriorityArea
    form_class = PriorityAreaForm
    title = ""

    def page_title(self, record):
        return _("Add a priority area")

    def back_url(self, record):
        from django.urls import reverse

        return reverse("funding:priority_list")

    def perform(self, form, record):
        self.success_message = _("The unit is now a priority area.")
        return services.priority_area_add(acting_user=self.request.user, **form.cleaned_data)


class PriorityAreaRemoveView(ScopedQuerysetMixin, View):
    model = PriorityArea
    action = "delete"
    http_method_names = ["post"]

    def post(self, request, pk):
        area = _record(request, PriorityArea, pk, "delete", "unit")
        try:
            services.priority_area_remove(acting_user=request.user, area=area)
        except ScopeError as exc:
            raise Http404 from exc
        messages.success(request, _("The unit is no longer a priority area."))
        return redirect("funding:priority_list")


# --- donors and donations ---------------------------------------------------------------------


class DonorListView(ScopedListView):
    model = Donor
    filterset_class = DonorFilterSet
    select_related = ("unit",)
    template_name = "funding/donor_list.html"

    def get_template_names(self):
        return [self.template_name]


class DonorCreateView(FormPage):
    model = Donor
    form_class = DonorForm

    def page_title(self, record):
        return _("New donor")

    def perform(self, form, record):
        self.success_message = _("The donor is saved.")
        return services.donor_create(acting_user=self.request.user, **form.cleaned_data)


class DonorUpdateView(FormPage):
    model = Donor
    action = "change"
    form_class = DonorForm
    record_model = Donor
    record_related = ("unit",)

    def page_title(self, record):
        return _("Change the donor")

    def initial(self, record):
        return {name: getattr(record, name) for name in ("kind", "name", "anonymous", "contact", "notes")} | {
            "unit": record.unit_id
        }

    def perform(self, form, record):
        self.success_message = _("The donor is saved.")
        return services.donor_update(acting_user=self.request.user, donor=record, **form.cleaned_data)


class DonorDetailView(ScopedDetailView):
    """A donor's page: an individual's contact details, and the names of the sponsored children
    in the user's units: each view is audited."""

    model = Donor
    audit_views = True
    select_related = ("unit",)
    template_name = "funding/donor_detail.html"
    context_object_name = "donor"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["donations"] = Donation.objects.restrict(user).filter(donor=self.object).select_related("unit")
        # Only the sponsorships of children in the user's units: the others do not exist here.
        ctx["sponsorships"] = (
            Sponsorship.objects.restrict(user).filter(sponsor=self.object).select_related("child__commune")
        )
        ctx["can_edit"] = Donor.objects.restrict(user, "change").filter(pk=self.object.pk).exists()
        return ctx


class DonationListView(ScopedListView):
    model = Donation
    filterset_class = DonationFilterSet
    select_related = ("donor", "unit")
    template_name = "funding/donation_list.html"

    def get_template_names(self):
        return [self.template_name]


class DonationCreateView(FormPage):
    model = Donation
    form_class = DonationForm

    def page_title(self, record):
        return _("Record a donation")

    def initial(self, record):
        initial = {
            "received_on": timezone.localdate(),
            "kind": "cash",
            "purpose": Purpose.GENERAL,
            "currency": "VND",
        }
        donor = _small_int(self.request.GET.get("donor"))
        if donor:
            initial["donor"] = donor
        return initial

    def perform(self, form, record):
        self.success_message = _("The donation is recorded.")
        return services.donation_record(acting_user=self.request.user, **form.cleaned_data)


class DonationDetailView(ScopedDetailView):
    model = Donation
    select_related = ("donor", "unit")
    template_name = "funding/donation_detail.html"
    context_object_name = "donation"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        donation = self.object
        used = donation.used_vnd()
        ctx.update(
            {
                "uses": DonationUse.objects.restrict(self.request.user)
                .filter(donation=donation)
                .select_related("unit"),
                "used": used,
                "left": donation.amount_vnd - used,
                "use_form": (
                    DonationUseForm(initial={"used_on": timezone.localdate()})
                    if self.request.user.has_perm("funding.add_donationuse")
                    else None
                ),
            }
        )
        return ctx


class DonationUseView(ActionPage):
    model = DonationUse
    form_class = DonationUseForm
    record_model = Donation
    record_action = "view"
    record_related = ("unit", "donor")

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Record a use of %(donation)s") % {"donation": record}

    def perform(self, form, record):
        self.success_message = _("The use is recorded.")
        return services.donation_use_record(
            acting_user=self.request.user, donation=record, **form.cleaned_data
        )


# --- sponsorships -----------------------------------------------------------------------------


class SponsorshipListView(ScopedListView):
    """Sponsorships of the children in the user's units (the child's commune decides)."""

    model = Sponsorship
    filterset_class = SponsorshipFilterSet
    select_related = ("sponsor", "child__commune")
    template_name = "funding/sponsorship_list.html"

    def get_template_names(self):
        return [self.template_name]


class SponsorshipCreateView(FormPage):
    model = Sponsorship
    form_class = SponsorshipForm

    def page_title(self, record):
        return _("New sponsorship of a child")

    def initial(self, record):
        return {"starts_on": timezone.localdate(), "purpose": Purpose.SPONSORSHIP}

    def perform(self, form, record):
        self.success_message = _("The sponsorship is saved.")
        return services.sponsorship_create(acting_user=self.request.user, **form.cleaned_data)


class SponsorshipUpdateView(FormPage):
    model = Sponsorship
    action = "change"
    form_class = SponsorshipForm
    record_model = Sponsorship
    record_related = ("child__commune", "sponsor")

    def form_kwargs(self, record):
        return {"user": self.request.user, "editing": True}

    def page_title(self, record):
        return _("Change %(sponsorship)s") % {"sponsorship": record}

    def initial(self, record):
        names = ("starts_on", "ends_on", "monthly_amount_vnd", "commitment", "purpose", "status")
        return {name: getattr(record, name) for name in names} | {"sponsor": record.sponsor_id}

    def perform(self, form, record):
        self.success_message = _("The sponsorship is saved.")
        return services.sponsorship_update(
            acting_user=self.request.user, sponsorship=record, **form.cleaned_data
        )


class SponsorshipDetailView(ScopedDetailView):
    """Who the child is, payments and visits: every opening is audited."""

    model = Sponsorship
    select_related = ("sponsor", "child__commune")
    template_name = "funding/sponsorship_detail.html"
    context_object_name = "sponsorship"
    audit_views = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        sponsorship = self.object
        ctx.update(
            {
                "payments": sponsorship.payments.order_by("paid_on", "id"),
                "visits": sponsorship.visits.order_by("visited_on", "id"),
                "paid": sponsorship.paid_vnd(),
                "payment_form": (
                    PaymentForm(
                        initial={
                            "paid_on": timezone.localdate(),
                            "amount_vnd": sponsorship.monthly_amount_vnd,
                        }
                    )
                    if user.has_perm("funding.add_sponsorshippayment")
                    else None
                ),
                "visit_form": (
                    VisitForm(initial={"visited_on": timezone.localdate()})
                    if user.has_perm("funding.add_sponsorshipvisit")
                    else None
                ),
                "can_edit": user.has_perm("funding.change_sponsorship"),
            }
        )
        return ctx


class PaymentAddView(ActionPage):
    model = SponsorshipPayment
    form_class = PaymentForm
    record_model = Sponsorship
    record_action = "view"
    record_related = ("child__commune",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Record a payment of %(sponsorship)s") % {"sponsorship": record}

    def perform(self, form, record):
        self.success_message = _("The payment is recorded.")
        payment = services.sponsorship_payment_record(
            acting_user=self.request.user, sponsorship=record, **form.cleaned_data
        )
        return payment.sponsorship


class VisitAddView(ActionPage):
    model = SponsorshipVisit
    form_class = VisitForm
    record_model = Sponsorship
    record_action = "view"
    record_related = ("child__commune",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Record a visit of %(sponsorship)s") % {"sponsorship": record}

    def perform(self, form, record):
        self.success_message = _("The visit is recorded.")
        visit = services.sponsorship_visit_record(
            acting_user=self.request.user, sponsorship=record, **form.cleaned_data
        )
        return visit.sponsorship


# --- international projects -------------------------------------------------------------------


class ProjectListView(ScopedListView):
    model = InternationalProject
    filterset_class = ProjectFilterSet
    select_related = ("unit", "agency")
    template_name = "funding/project_list.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        overdue = set(
            ProjectReport.objects.restrict(self.request.user)
            .filter(submitted_on__isnull=True, due_on__lt=today)
            .values_list("project_id", flat=True)
        )
        ctx["overdue_projects"] = overdue
        return ctx


class ProjectCreateView(FormPage):
    model = InternationalProject
    form_class = ProjectForm

    def page_title(self, record):
        return _("New international project")

    def perform(self, form, record):
        self.success_message = _("The project is saved.")
        return services.project_create(acting_user=self.request.user, **form.cleaned_data)


class ProjectUpdateView(FormPage):
    model = InternationalProject
    action = "change"
    form_class = ProjectForm
    record_model = InternationalProject
    record_related = ("unit",)

    def page_title(self, record):
        return _("Change the project")

    def initial(self, record):
        names = ("title", "partner", "starts_on", "ends_on", "linked_tasks", "linked_indicators", "currency")
        initial = {name: getattr(record, name) for name in names}
        initial |= {
            "unit": record.unit_id,
            "agency": record.agency_id,
            "target_units": list(record.target_units.values_list("pk", flat=True)),
            "amount": record.original_amount if record.is_foreign else record.amount_vnd,
            "exchange_rate": record.exchange_rate,
        }
        return initial

    def perform(self, form, record):
        self.success_message = _("The project is saved.")
        return services.project_update(acting_user=self.request.user, project=record, **form.cleaned_data)


class ProjectDetailView(ScopedDetailView):
    model = InternationalProject
    select_related = ("unit", "agency")
    template_name = "funding/project_detail.html"
    context_object_name = "project"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        reports = list(self.object.reports.order_by("due_on", "id"))
        for report in reports:
            report.overdue = report.is_overdue(today)
        ctx.update(
            {
                "reports": reports,
                "target_units": self.object.target_units.order_by("path"),
                "report_form": ProjectReportForm() if user.has_perm("funding.add_projectreport") else None,
                "may_submit": user.has_perm("funding.change_projectreport"),
                "today": today,
                "can_edit": user.has_perm("funding.change_internationalproject"),
            }
        )
        return ctx


class ProjectReportAddView(ActionPage):
    model = ProjectReport
    form_class = ProjectReportForm
    record_model = InternationalProject
    record_action = "view"
    record_related = ("unit",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("A report due for “%(project)s”") % {"project": record}

    def perform(self, form, record):
        self.success_message = _("The report is added.")
        report = services.project_report_add(
            acting_user=self.request.user, project=record, **form.cleaned_data
        )
        return report.project


class ProjectReportSubmitView(ActionPage):
    model = ProjectReport
    action = "change"
    form_class = ReportSubmitForm
    record_model = ProjectReport
    record_related = ("project__unit",)

    def form_kwargs(self, record):
        return {}

    def page_title(self, record):
        return _("Submit the report “%(report)s”") % {"report": record}

    def perform(self, form, record):
        self.success_message = _("The report is marked as submitted.")
        report = services.project_report_submit(
            acting_user=self.request.user, report=record, **form.cleaned_data
        )
        return report.project


# --- transparency -----------------------------------------------------------------------------


class TransparencyManageView(ScopedQuerysetMixin, View):
    """The coordinator's page: the published reports, and a preview of a period before publishing."""

    model = TransparencyReport
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = PublishForm(
            request.GET or None, user=request.user, initial={"year": timezone.localdate().year}
        )
        preview = None
        if request.GET and form.is_valid():
            data = form.cleaned_data
            preview = selectors.transparency_figures(
                unit=data["unit"], year=data["year"], quarter=data["quarter"]
            )
        ctx = {
            "form": form,
            "preview": preview and present_figures(preview),
            "reports": TransparencyReport.objects.restrict(request.user).select_related(
                "unit", "published_by"
            ),
        }
        return render(request, "funding/transparency_manage.html", ctx)


class TransparencyPublishView(ActionPage):
    model = TransparencyReport
    action = "add"
    form_class = PublishForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def page_title(self, record):
        return _("Publish a transparency report")

    def back_url(self, record):
        from django.urls import reverse

        return reverse("funding:transparency_manage")

    def perform(self, form, record):
        self.success_message = _("The transparency report is published.")
        return services.transparency_publish(acting_user=self.request.user, **form.cleaned_data)


def present_figures(figures: dict) -> dict:
    """Published figures with purposes' labels and anonymous donors named in today's language."""
    labels = dict(Purpose.choices)
    purposes = [
        {**row, "label": labels.get(row["purpose"], row["purpose"])} for row in figures.get("purposes", [])
    ]
    donors = [
        {**row, "label": _("Anonymous donor") if row.get("anonymous") else row["name"]}
        for row in figures.get("donors", [])
    ]
    return {**figures, "purposes": purposes, "donors": donors}


class TransparencyView(View):
    """PUBLIC: the published transparency reports of a province, no sign-in needed.

    It reads published reports only (frozen sums by purpose and donors' public names): no
    child, sponsorship or record of the database is queried here.
    """

    def get(self, request):
        published = TransparencyReport.objects.select_related("unit").order_by(
            "unit__name", "-year", "-quarter"
        )
        units = Unit.objects.filter(pk__in=published.values("unit_id")).order_by("name")
        wanted_unit, wanted_report = (
            _small_int(request.GET.get("unit")),
            _small_int(request.GET.get("report")),
        )
        unit = units.filter(pk=wanted_unit).first() if wanted_unit else None
        report = None
        if wanted_report:
            report = published.filter(pk=wanted_report).first()
            unit = report.unit if report else unit
        if unit is None and units.count() == 1:
            unit = units.first()
        periods = list(published.filter(unit=unit)) if unit else []
        if report is None and periods:
            report = periods[0]
        ctx = {
            "units": units,
            "unit": unit,
            "periods": periods,
            "report": report,
            "figures": present_figures(report.figures) if report else None,
        }
        return render(request, "funding/transparency.html", ctx)
