from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_otp import login as otp_login

from treem.accounts import services
from treem.accounts.filtersets import AgencyFilterSet, UserFilterSet
from treem.accounts.forms import (
    AgencyForm,
    AgencySuccessionForm,
    ApiClientForm,
    ApiTokenForm,
    OneTimeCodeForm,
    UserForm,
)
from treem.accounts.lockout import failure_counts, failure_total
from treem.accounts.models import Agency, ApiClient, User
from treem.accounts.roles import role_label
from treem.accounts.selectors import login_history
from treem.accounts.two_factor import (
    confirmed_device,
    enrolment_device,
    qr_svg,
    secret_base32,
    two_factor_required,
)
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
        ctx["two_factor_required"] = two_factor_required(self.object)
        ctx["two_factor_enrolled"] = confirmed_device(self.object) is not None
        if self.request.user.has_perm("axes.view_accessattempt"):
            ctx["login_failures"] = failure_total(username=self.object.get_username())
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
                if person.pk == request.user.pk:
                    # Their own roles or units may have changed, which ended their sessions:
                    # this one goes on under a new session id, signed with the new salt.
                    update_session_auth_hash(request, person)
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
    """The user's own account: roles, units, two-factor state and their login history."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["roles"] = [role_label(g.name) for g in user.groups.all()]
        ctx["two_factor_required"] = two_factor_required(user)
        ctx["two_factor_enrolled"] = confirmed_device(user) is not None
        ctx["login_history"] = login_history(user=user)
        ctx["idle_minutes"] = settings.TREEM_IDLE_TIMEOUT_MINUTES
        return ctx


class LogoutEverywhereView(LoginRequiredMixin, View):
    """End every session of the user on every device; this one stays signed in."""

    def post(self, request):
        services.user_sessions_end(user=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("You were logged out on every other device and browser."))
        return redirect("accounts:profile")


# --- two-factor authentication ----------------------------------------------------------------


def _next_url(request) -> str:
    """Where to go after the code: the page first asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(request, name: str):
    """A redirect to another code page, keeping the page first asked for."""
    url = resolve_url(name)
    target = request.POST.get("next") or request.GET.get("next")
    if target:
        url = f"{url}?{urlencode({'next': target})}"
    return redirect(url)


def _second_factor_passed(request, device) -> None:
    """Mark the session verified with ``device``, under a new session id.

    The id given out at the password step belonged to a half signed-in session: whoever had
    planted or seen it must not hold the full session once the code is typed.
    """
    otp_login(request, device)
    request.session.cycle_key()


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrolment: scan the QR code (or type the secret) into an authenticator app, confirm a code."""

    template_name = "registration/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not two_factor_required(request.user):
                messages.info(request, _("Your roles do not require two-factor authentication."))
                return redirect(_next_url(request))
            if confirmed_device(request.user) is not None:
                return _with_next(request, "accounts:two_factor_verify")
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, form, status=200):
        device = enrolment_device(request.user)
        context = {
            "form": form,
            "qr_svg": qr_svg(device),
            "secret": secret_base32(device),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, OneTimeCodeForm())

    def post(self, request):
        form = OneTimeCodeForm(request.POST)
        if form.is_valid():
            try:
                device = services.two_factor_enrol(user=request.user, token=form.cleaned_data["token"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                _second_factor_passed(request, device)
                messages.success(request, _("Two-factor authentication is set up."))
                return redirect(_next_url(request))
        return self.render_page(request, form, status=400)


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second step of logging in: the code from the authenticator app."""

    template_name = "registration/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if user.is_verified() or not two_factor_required(user):
                return redirect(_next_url(request))
            if confirmed_device(user) is None:
                return _with_next(request, "accounts:two_factor_setup")
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, form, status=200):
        context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, OneTimeCodeForm())

    def post(self, request):
        form = OneTimeCodeForm(request.POST)
        if form.is_valid():
            try:
                device = services.two_factor_verify(user=request.user, token=form.cleaned_data["token"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                _second_factor_passed(request, device)
                return redirect(_next_url(request))
        return self.render_page(request, form, status=400)


class TwoFactorResetView(LoginRequiredMixin, View):
    """An administrator removes a user's authenticator (a lost or replaced phone)."""

    def post(self, request, pk):
        if not request.user.has_perm("otp_totp.delete_totpdevice"):
            raise PermissionDenied
        person = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
        try:
            services.two_factor_reset(acting_user=request.user, user=person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The authenticator of %(name)s was removed: they set up a new one at their next login.")
                % {"name": person},
            )
        return redirect(person)


# --- lockouts ---------------------------------------------------------------------------------


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes answers a refused login with (AXES_LOCKOUT_CALLABLE), status 429."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if cooloff else None
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class LockoutListView(LoginRequiredMixin, TemplateView):
    """Accounts and addresses with recent failed logins; locked ones can be unlocked."""

    template_name = "accounts/lockout_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("axes.view_accessattempt"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["accounts"], ctx["addresses"] = failure_counts()
        ctx["account_limit"] = settings.AXES_FAILURE_LIMIT
        ctx["address_limit"] = settings.TREEM_LOGIN_FAILURES_PER_ADDRESS
        cooloff = settings.AXES_COOLOFF_TIME
        ctx["lockout_minutes"] = int(cooloff.total_seconds() // 60) if cooloff else None
        return ctx


class LockoutUnlockView(LoginRequiredMixin, View):
    """Forget the failed logins of one account or one address (audited)."""

    def post(self, request):
        if not request.user.has_perm("axes.delete_accessattempt"):
            raise PermissionDenied
        username = request.POST.get("username", "")
        ip_address = request.POST.get("ip_address", "")
        try:
            services.lockout_clear(acting_user=request.user, username=username, ip_address=ip_address)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(who)s is unlocked.") % {"who": username or ip_address})
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("accounts:lockout_list")


# --- machine clients of the API -----------------------------------------------------------------


class ApiClientListView(ScopedListView):
    model = ApiClient
    template_name = "accounts/api_client_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("account")


class ApiClientDetailView(ScopedDetailView):
    model = ApiClient
    template_name = "accounts/api_client_detail.html"
    context_object_name = "client"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        account = self.object.account
        ctx["roles"] = [role_label(g.name) for g in account.groups.all()]
        ctx["units"] = [a.unit for a in account.unit_assignments.select_related("unit")]
        ctx.setdefault("token_form", ApiTokenForm())
        return ctx


class ApiClientCreateView(ScopedQuerysetMixin, View):
    model = ApiClient
    action = "add"
    template_name = "accounts/api_client_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ApiClientForm(user=request.user)})

    def post(self, request):
        form = ApiClientForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                client = services.api_client_create(
                    acting_user=request.user,
                    name=data["name"],
                    description=data["description"],
                    roles=data["roles"],
                    units=list(data["units"]),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("API client %(name)s created: issue its token.") % {"name": client}
                )
                return redirect(client)
        return render(request, self.template_name, {"form": form}, status=400)


class ApiTokenIssueView(ScopedQuerysetMixin, View):
    """Issue the client's token: shown on this one page, once; the old token stops working."""

    model = ApiClient
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        client = get_object_or_404(self.get_queryset(), pk=pk)
        form = ApiTokenForm(request.POST)
        token = None
        if form.is_valid():
            try:
                token = services.api_token_issue(
                    acting_user=request.user, client=client, days=form.cleaned_data["days"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
        view = ApiClientDetailView(request=request, kwargs={"pk": pk}, object=client)
        context = view.get_context_data(object=client, token=token, token_form=form)
        response = render(request, ApiClientDetailView.template_name, context, status=200 if token else 400)
        response["Cache-Control"] = "no-store"  # the token must not stay in any cache
        return response


class ApiTokenRevokeView(ScopedQuerysetMixin, View):
    model = ApiClient
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        client = get_object_or_404(self.get_queryset(), pk=pk)
        services.api_token_revoke(acting_user=request.user, client=client)
        messages.success(request, _("The token of %(name)s no longer works.") % {"name": client})
        return redirect(client)
