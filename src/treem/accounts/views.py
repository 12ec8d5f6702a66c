from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from treem.accounts import services
from treem.accounts.filtersets import AgencyFilterSet, UserFilterSet
from treem.accounts.forms import AgencyForm, AgencySuccessionForm, UserForm
from treem.accounts.models import Agency, User
from treem.accounts.roles import role_label
from treem.core.forms import apply_service_errors
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin


class UserListView(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("groups", "unit_assignments__unit")


class UserDetailView(ScopedDetailView):
    """A person's account: their contact details are personal data, so each view is audited."""

    model = User
    template_name = "accounts/user_detail.html"
    context_object_name = "person"
    audit_views = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["roles"] = [role_label(g.name) for g in self.object.groups.all()]
        return ctx


class UserCreateView(ScopedQuerysetMixin, View):
    model = User
    action = "add"
    template_name = "accounts/user_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": UserForm(user=request.user)})

    def post(self, request):
        form = UserForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.user_create(
                    acting_user=request.user,
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                    roles=data["roles"],
                    units=list(data["units"]),
                    email=data["email"],
                    phone=data["phone"],
                    agency=data["agency"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("User %(name)s created.") % {"name": person})
                return redirect(person)
        return render(request, self.template_name, {"form": form}, status=400)


class UserUpdateView(ScopedQuerysetMixin, View):
    model = User
    action = "change"
    template_name = "accounts/user_form.html"

    def get_person(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk):
        person = self.get_person(pk)
        form = UserForm(
            user=request.user,
            editing=True,
            initial={
                "username": person.username,
                "full_name": person.full_name,
                "email": person.email,
                "phone": person.phone,
                "roles": [g.name for g in person.groups.all()],
                "units": [u.pk for u in person.units],
                "agency": person.agency_id,
                "is_active": person.is_active,
            },
        )
        return render(request, self.template_name, {"form": form, "person": person})

    def post(self, request, pk):
        person = self.get_person(pk)
        form = UserForm(request.POST, user=request.user, editing=True, initial={"username": person.username})
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update(
                    acting_user=request.user,
                    user=person,
                    full_name=data["full_name"],
                    roles=data["roles"],
                    units=list(data["units"]),
                    email=data["email"],
                    phone=data["phone"],
                    is_active=data["is_active"],
                    agency=data["agency"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("User saved."))
                return redirect(person)
        return render(request, self.template_name, {"form": form, "person": person}, status=400)


class AgencyListView(ScopedListView):
    model = Agency
    filterset_class = AgencyFilterSet
    select_related = ("unit",)
    template_name = "accounts/agency_list.html"


class AgencyDetailView(ScopedDetailView):
    model = Agency
    select_related = ("unit",)
    template_name = "accounts/agency_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["successors"] = self.object.successors.all()
        ctx["predecessors"] = self.object.predecessors.all()
        return ctx


class AgencyCreateView(ScopedQuerysetMixin, View):
    model = Agency
    action = "add"
    template_name = "accounts/agency_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": AgencyForm(user=request.user)})

    def post(self, request):
        form = AgencyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                agency = services.agency_create(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Agency saved."))
                return redirect(agency)
        return render(request, self.template_name, {"form": form}, status=400)


class AgencyUpdateView(ScopedQuerysetMixin, View):
    model = Agency
    action = "change"
    template_name = "accounts/agency_form.html"

    def get(self, request, pk):
        agency = get_object_or_404(self.get_queryset(), pk=pk)
        return render(
            request,
            self.template_name,
            {"form": AgencyForm(instance=agency, user=request.user), "agency": agency},
        )

    def post(self, request, pk):
        agency = get_object_or_404(self.get_queryset(), pk=pk)
        original = Agency.objects.get(pk=agency.pk)
        form = AgencyForm(request.POST, instance=agency, user=request.user)
        if form.is_valid():
            try:
                services.agency_update(acting_user=request.user, agency=original, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Agency saved."))
                return redirect(original)
        return render(request, self.template_name, {"form": form, "agency": agency}, status=400)


class AgencySucceedView(ScopedQuerysetMixin, View):
    """Record that an agency ended and who carries its work on (2025 mergers of departments)."""

    model = Agency
    action = "change"
    template_name = "accounts/agency_succeed.html"

    def get(self, request, pk):
        agency = get_object_or_404(self.get_queryset(), pk=pk)
        form = AgencySuccessionForm(user=request.user, agency=agency)
        return render(request, self.template_name, {"form": form, "agency": agency})

    def post(self, request, pk):
        agency = get_object_or_404(self.get_queryset(), pk=pk)
        form = AgencySuccessionForm(request.POST, user=request.user, agency=agency)
        if form.is_valid():
            try:
                services.agency_succeed(
                    acting_user=request.user,
                    predecessor=agency,
                    successors=list(form.cleaned_data["successors"]),
                    effective=form.cleaned_data["effective"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The merger or transfer was recorded."))
                return redirect(agency)
        return render(request, self.template_name, {"form": form, "agency": agency}, status=400)


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["roles"] = [role_label(g.name) for g in self.request.user.groups.all()]
        return ctx
