"""Registry pages of the child database: list and search, register, record page, changes.

Every page starts from ``Child.objects.restrict(user, action)``: a child outside the user's units
is 404, whatever the id. Writes go through ``children.services``; a refused write re-renders the
page with the service's messages (status 400) and writes nothing, not even a view event.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_view
from treem.children import services
from treem.children.filtersets import ChildFilterSet
from treem.children.forms import (
    CaregiverForm,
    ChildForm,
    CircumstanceEnterForm,
    CircumstanceLeaveForm,
    ConsentForm,
    ConsentWithdrawForm,
    DeactivateForm,
    SupportForm,
    communes_for,
)
from treem.children.identity import personal_id_findings
from treem.children.models import Caregiver, Child, CircumstanceMembership, Consent, Household, Support
from treem.children.search import child_search
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from treem.geo.models import Unit, UnitLevel

# A unit filter longer than this drops villages, then communes (a system administrator sees all).
UNIT_CHOICES_LIMIT = 400
SUGGESTIONS = 20


def unit_choices(user) -> list[tuple[str, str]]:
    """The user's units in force today, as a tree, for the list's unit filter."""
    units = Unit.objects.restrict(user, "view").current().exclude(level=UnitLevel.DISTRICT)
    if units.count() > UNIT_CHOICES_LIMIT:
        units = units.exclude(level=UnitLevel.VILLAGE)
    if units.count() > UNIT_CHOICES_LIMIT:
        units = units.filter(level=UnitLevel.PROVINCE)
    rows = list(units.order_by("path").values_list("pk", "name", "path")[:UNIT_CHOICES_LIMIT])
    top = min((path.count("/") for _pk, _name, path in rows), default=0)
    return [("", "---------")] + [
        (str(pk), "\u00a0\u00a0" * (path.count("/") - top) + name) for pk, name, path in rows
    ]


class ChildListView(ScopedListView):
    """Children the user may see; search by name without diacritics, with "Did you mean…"."""

    model = Child
    filterset_class = ChildFilterSet
    select_related = ("commune", "village")
    template_name = "children/child_list.html"
    paginate_by = 50

    def filter_data(self):
        data = self.request.GET.copy()
        data.pop("page", None)
        # The registry shows children in it unless the user asks otherwise.
        data.setdefault("active", "true")
        return data

    def get_queryset(self):
        self.scoped = ScopedQuerysetMixin.get_queryset(self)
        self.filterset = ChildFilterSet(self.filter_data(), queryset=self.scoped, request=self.request)
        self.filterset.form.fields["unit"].widget = forms.Select(choices=unit_choices(self.request.user))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["suggestions"] = self.suggestions(ctx["paginator"].count if ctx["paginator"] else None)
        return ctx

    def suggestions(self, count: int | None) -> list[Child]:
        """Names close to the search text when the exact search found nothing."""
        text = (self.filterset.form.cleaned_data.get("q") or "").strip()
        if count or not text or text.replace(" ", "").isdigit():
            return []
        data = self.filter_data()
        data.pop("q", None)
        others = ChildFilterSet(data, queryset=self.scoped, request=self.request).qs
        return child_search(queryset=others, text=text, limit=SUGGESTIONS)


class ChildCreateView(ScopedQuerysetMixin, View):
    """Register a child; choosing the commune reloads its villages and households."""

    model = Child
    action = "add"
    template_name = "children/child_form.html"

    def get(self, request):
        commune = None
        value = request.GET.get("commune", "")
        if value.isdigit():
            commune = communes_for(request.user).filter(pk=value).first()
        form = ChildForm(user=request.user, commune=commune)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ChildForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                child = services.child_register(
                    acting_user=request.user, commune=form.cleaned_data["commune"], **form.service_fields()
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": child.full_name})
                return redirect(child)
        return render(request, self.template_name, {"form": form}, status=400)


def next_url(request) -> str:
    """The page of this site named by ``?next=`` (the quality page a finding was fixed from), or ""."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else ""


class ChildUpdateView(ScopedQuerysetMixin, View):
    """Change a child's record. The form shows the whole record, so opening it is audited as a view.

    After saving, back to ``?next=`` when it names a page of this site, else to the record.
    """

    model = Child
    action = "change"
    select_related = ("commune",)
    template_name = "children/child_form.html"

    def get(self, request, pk):
        child = get_object_or_404(self.get_queryset(), pk=pk)
        audit_view(request.user, child)
        form = ChildForm(user=request.user, child=child, initial=ChildForm.initial_for(child))
        ctx = {"form": form, "child": child, "next_url": next_url(request)}
        return render(request, self.template_name, ctx)

    def post(self, request, pk):
        child = get_object_or_404(self.get_queryset(), pk=pk)
        form = ChildForm(request.POST, user=request.user, child=child)
        if form.is_valid():
            try:
                services.child_update(acting_user=request.user, child=child, **form.service_fields())
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
                child.refresh_from_db()  # the service may have set fields before refusing
            else:
                messages.success(request, _("The record is saved."))
                return redirect(next_url(request) or child.get_absolute_url())
        ctx = {"form": form, "child": child, "next_url": next_url(request)}
        return render(request, self.template_name, ctx, status=400)


def child_page_context(request, child: Child, bound: dict | None = None) -> dict:
    """What the record page shows, with the small forms (``bound`` replaces some with posted ones)."""
    user, bound = request.user, bound or {}
    memberships = list(
        CircumstanceMembership.objects.restrict(user, "view").filter(child=child).select_related("group")
    )
    consents = list(Consent.objects.restrict(user, "view").filter(child=child))
    can = {
        "change": user.has_perm("children.change_child"),
        "enter": user.has_perm("children.add_circumstancemembership"),
        "leave": user.has_perm("children.change_circumstancemembership"),
        "support": user.has_perm("children.add_support"),
        "consent": user.has_perm("children.add_consent"),
        "withdraw": user.has_perm("children.change_consent"),
    }

    def row_form(kind: str, form_class, obj):
        posted_pk, posted_form = bound.get(kind, (None, None))
        return posted_form if posted_pk == obj.pk else form_class(prefix=f"{kind}-{obj.pk}")

    current = [m for m in memberships if m.is_current()]
    ctx = {
        "findings": personal_id_findings(child.personal_id, sex=child.sex, birth_year=child.birth_year),
        "household": Household.objects.restrict(user, "view").filter(pk=child.household_id).first(),
        "merged_into": Child.objects.restrict(user, "view").filter(pk=child.merged_into_id).first(),
        "caregivers": Caregiver.objects.restrict(user, "view").filter(child=child),
        "current_memberships": [
            (m, row_form("leave", CircumstanceLeaveForm, m) if can["leave"] and m.left_on is None else None)
            for m in current
        ],
        "past_memberships": [m for m in memberships if m not in current],
        "supports": Support.objects.restrict(user, "view").filter(child=child).select_related("agency"),
        "consents": [
            (
                c,
                row_form("withdraw", ConsentWithdrawForm, c)
                if can["withdraw"] and not c.withdrawn_on
                else None,
            )
            for c in consents
        ],
        "can": can,
    }
    if can["change"]:
        ctx["caregiver_form"] = bound.get("caregiver_form") or CaregiverForm(prefix="caregiver")
        if child.is_active:
            ctx["deactivate_form"] = bound.get("deactivate_form") or DeactivateForm(prefix="deactivate")
    if can["enter"]:
        ctx["circumstance_form"] = bound.get("circumstance_form") or CircumstanceEnterForm(
            prefix="circumstance", user=user
        )
    if can["support"]:
        ctx["support_form"] = bound.get("support_form") or SupportForm(prefix="support", user=user)
    if can["consent"]:
        ctx["consent_form"] = bound.get("consent_form") or ConsentForm(prefix="consent")
    return ctx


class ChildDetailView(ScopedDetailView):
    """A child's record: every opening is audited (children's data are sensitive)."""

    model = Child
    select_related = ("commune", "village", "ethnicity")
    template_name = "children/child_detail.html"
    context_object_name = "child"
    audit_views = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(child_page_context(self.request, self.object))
        return ctx


def render_child_page(request, child: Child, bound: dict):
    """The record page again, with the refused form and its messages (no view event: see module)."""
    ctx = {"child": child, "object": child, **child_page_context(request, child, bound)}
    return render(request, ChildDetailView.template_name, ctx, status=400)


class ChildActionView(ScopedQuerysetMixin, View):
    """A small form of the record page (POST only): calls one service, then back to the page.

    ``model`` and ``action`` name the permission the service needs (403 without it). Subclasses
    say which record the URL names (``get_target``), which form to read and which service to call.
    """

    http_method_names = ["post"]
    form_class: type[forms.Form]
    prefix = ""
    context_name = ""
    success_message = ""

    def get_target(self, pk):
        return get_object_or_404(Child.objects.restrict(self.request.user, "view"), pk=pk)

    def child_of(self, target) -> Child:
        return target

    def get_form(self, target):
        return self.form_class(self.request.POST, prefix=self.prefix)

    def bound(self, target, form) -> dict:
        return {self.context_name: form}

    def perform(self, target, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        target = self.get_target(pk)
        form = self.get_form(target)
        if form.is_valid():
            try:
                self.perform(target, form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.child_of(target))
        child = Child.objects.select_related("commune", "village", "ethnicity").get(
            pk=self.child_of(target).pk
        )
        return render_child_page(request, child, self.bound(target, form))


class ChildDeactivateView(ChildActionView):
    model = Child
    action = "change"
    form_class = DeactivateForm
    prefix = "deactivate"
    context_name = "deactivate_form"

    def perform(self, target, data):
        services.child_deactivate(acting_user=self.request.user, child=target, reason=data["reason"])
        self.success_message = _("%(name)s is no longer in the registry.") % {"name": target.full_name}


class CaregiverAddView(ChildActionView):
    model = Child  # caregivers are part of the child's record: changing the child is the right
    action = "change"
    form_class = CaregiverForm
    prefix = "caregiver"
    context_name = "caregiver_form"

    def perform(self, target, data):
        services.caregiver_add(acting_user=self.request.user, child=target, **data)
        self.success_message = _("Caregiver added.")


class CircumstanceEnterView(ChildActionView):
    model = CircumstanceMembership
    action = "add"
    prefix = "circumstance"
    context_name = "circumstance_form"

    def get_form(self, target):
        return CircumstanceEnterForm(self.request.POST, prefix=self.prefix, user=self.request.user)

    def perform(self, target, data):
        services.circumstance_enter(acting_user=self.request.user, child=target, **data)
        self.success_message = _("Recorded: the child is in the group %(group)s.") % {"group": data["group"]}


class CircumstanceLeaveView(ChildActionView):
    model = CircumstanceMembership
    action = "change"
    form_class = CircumstanceLeaveForm

    def get_target(self, pk):
        qs = CircumstanceMembership.objects.restrict(self.request.user, "change").select_related(
            "child__commune"
        )
        return get_object_or_404(qs, pk=pk)

    def child_of(self, target):
        return target.child

    def get_form(self, target):
        return CircumstanceLeaveForm(self.request.POST, prefix=f"leave-{target.pk}")

    def bound(self, target, form):
        return {"leave": (target.pk, form)}

    def perform(self, target, data):
        services.circumstance_leave(acting_user=self.request.user, membership=target, **data)
        self.success_message = _("Recorded: the child left the group %(group)s.") % {"group": target.group}


class SupportAddView(ChildActionView):
    model = Support
    action = "add"
    prefix = "support"
    context_name = "support_form"

    def get_form(self, target):
        return SupportForm(self.request.POST, prefix=self.prefix, user=self.request.user)

    def perform(self, target, data):
        services.support_record(acting_user=self.request.user, child=target, **data)
        self.success_message = _("Support recorded.")


class ConsentAddView(ChildActionView):
    model = Consent
    action = "add"
    form_class = ConsentForm
    prefix = "consent"
    context_name = "consent_form"

    def perform(self, target, data):
        services.consent_record(acting_user=self.request.user, child=target, **data)
        self.success_message = _("Consent recorded.")


class ConsentWithdrawView(ChildActionView):
    model = Consent
    action = "change"

    def get_target(self, pk):
        qs = Consent.objects.restrict(self.request.user, "change").select_related("child__commune")
        return get_object_or_404(qs, pk=pk)

    def child_of(self, target):
        return target.child

    def get_form(self, target):
        return ConsentWithdrawForm(self.request.POST, prefix=f"withdraw-{target.pk}")

    def bound(self, target, form):
        return {"withdraw": (target.pk, form)}

    def perform(self, target, data):
        services.consent_withdraw(acting_user=self.request.user, consent=target, **data)
        self.success_message = _("Consent withdrawn.")
