"""The public web form to report a child at risk, and the status page of its tracking code.

No sign-in. Against automated abuse, a submission must pass, in this order: the rate limit per
client address (``core.ratelimit``, scope ``public_report``: a flood gets the 429 page, and the
reports sent before it are kept), a body size limit (413), a field people never see (honeypot)
and a minimum time between opening the form and sending it (a signed timestamp). Text is stored
as typed and escaped wherever it is shown, so a script in it is only text. The status page says
"received", "being handled" or "closed", and nothing else.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from treem.cases import selectors, services
from treem.cases.choices import PublicStatus
from treem.cases.forms import PUBLIC_SIGNING_SALT, PublicReportForm
from treem.core.forms import apply_service_errors
from treem.core.ratelimit import client_address, hit, rate_of
from treem.geo.models import Unit

SESSION_KEY = "cases_public_report_code"
DEFAULT_MAX_BODY_BYTES = 64 * 1024  # the longest report typed in Vietnamese, URL-encoded, fits
DEFAULT_MIN_SECONDS = 3  # nobody reads and fills the form faster
MAX_FORM_AGE_SECONDS = 12 * 3600
DEFAULT_STATUS_RATE = "30/m"


def max_body_bytes() -> int:
    return int(getattr(settings, "TREEM_PUBLIC_REPORT_MAX_BYTES", DEFAULT_MAX_BODY_BYTES))


def min_seconds() -> float:
    return float(getattr(settings, "TREEM_PUBLIC_REPORT_MIN_SECONDS", DEFAULT_MIN_SECONDS))


def _too_many(request, verdict):
    minutes = max(1, (verdict.retry_after + 59) // 60)
    response = render(request, "cases/public_too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _form_problem(form: PublicReportForm) -> str | None:
    """Why the submission looks automated (None: it looks like a person's)."""
    if form.data.get("leave_empty"):
        return "honeypot"
    try:
        started = float(
            signing.loads(
                form.data.get("started", ""), salt=PUBLIC_SIGNING_SALT, max_age=MAX_FORM_AGE_SECONDS
            )
        )
    except signing.SignatureExpired:
        return "expired"
    except (signing.BadSignature, TypeError, ValueError):
        return "unsigned"
    elapsed = time.time() - started
    if elapsed > MAX_FORM_AGE_SECONDS:
        return "expired"
    if elapsed < min_seconds():
        return "too_fast"
    return None


def _communes_url() -> str:
    return reverse("public_report:communes")


def _page(request, form, status=200):
    return render(request, "cases/public_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def report_form(request):
    """The form (GET) and its submission (POST)."""
    if request.method == "GET":
        return _page(request, PublicReportForm(communes_url=_communes_url()))
    verdict = hit("public_report", client_address(request), rate_of("public_report"))
    if not verdict.allowed:
        return _too_many(request, verdict)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = max_body_bytes() + 1
    if length > max_body_bytes():
        return render(request, "cases/public_too_large.html", status=413)
    form = PublicReportForm(request.POST, communes_url=_communes_url())
    problem = _form_problem(form)
    if problem is not None:
        data = request.POST.copy()
        data["started"] = PublicReportForm.stamp()
        data["leave_empty"] = ""
        form = PublicReportForm(data, communes_url=_communes_url())
        form.is_valid()
        form.add_error(
            None,
            _("Your report was not sent yet: please check it and press “Send” again.")
            if problem != "honeypot"
            else _("Your report could not be sent."),
        )
        return _page(request, form, status=400)
    if form.is_valid():
        data = dict(form.cleaned_data)
        province, commune = data.pop("province"), data.pop("commune")
        for name in ("leave_empty", "started"):
            data.pop(name)
        try:
            with transaction.atomic():
                report = services.report_receive_online(unit=commune or province, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            request.session[SESSION_KEY] = report.tracking_code
            return redirect("public_report:thanks")
    return _page(request, form, status=400)


@require_GET
def report_thanks(request):
    """The tracking code, shown once (a shared computer must not show it to the next person)."""
    code = request.session.pop(SESSION_KEY, None)
    if not code:
        return redirect("public_report:form")
    return render(request, "cases/public_thanks.html", {"code": code})


@require_GET
def report_status(request):
    """Received / being handled / closed for a tracking code; nothing else, ever."""
    code = (request.GET.get("code") or "").strip()
    ctx = {"code": code[:40]}
    if code:
        rate = settings.TREEM_RATE_LIMITS.get("public_status", DEFAULT_STATUS_RATE)
        verdict = hit("public_status", client_address(request), rate)
        if not verdict.allowed:
            return _too_many(request, verdict)
        status = services.report_public_status(code)
        ctx["status"] = PublicStatus(status) if status else None
        ctx["looked_up"] = True
    return render(request, "cases/public_status.html", ctx)


@require_GET
def communes(request):
    """The <option>s of a province's communes in force (htmx, for the province select)."""
    province = None
    try:
        pk = int(request.GET.get("province") or request.GET.get("transfer-province") or 0)
    except ValueError:
        pk = 0
    if pk:
        province = selectors.public_provinces().filter(pk=pk).first()
    units = selectors.public_communes(province) if province else Unit.objects.none()
    return render(request, "cases/public_communes.html", {"units": units})
