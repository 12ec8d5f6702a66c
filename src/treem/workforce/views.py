"""Workforce pages: staff and collaborators, the staffing dashboard, the norms, training courses
with their participants, attendance and certificates.

Every page starts from a restricted queryset: a record outside the user's units is 404. Writes go
through ``workforce.services``; a refused write re-renders the page with the service's messages
(status 400) and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from treem.workforce import certificates, selectors, services
from treem.workforce.filtersets import CourseFilterSet, StaffFilterSet
from treem.workforce.forms import CourseForm, NormForm, ParticipantForm, StaffForm
from treem.workforce.models import Participant, StaffingNorm, StaffMember, TrainingCourse


def _get(model, request, pk, action: str = "view", *related):
    qs = model.objects.restrict(request.user, action)
    return get_object_or_404(qs.select_related(*related) if related else qs, pk=pk)


class FormPage(ScopedQuerysetMixin, View):
    """A create or edit page: the form collects, the service decides; refusals are 400."""

    form_class = None
    template_name = ""
    success_message = ""

    def get_object(self, pk):
        return None

    def form_kwargs(self):
        return {"user": self.request.user}

    def initial(self, obj) -> dict:
        return {}

    def save(self, obj, data):
        raise NotImplementedError

    def context(self, form, obj) -> dict:
        return {"form": form, "object": obj}

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(initial=self.initial(obj), **self.form_kwargs())
        return render(request, self.template_name, self.context(form, obj))

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(request.POST, initial=self.initial(obj), **self.form_kwargs())
        if form.is_valid():
            try:
                saved = self.save(obj, form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(saved)
        return render(request, self.template_name, self.context(form, obj), status=400)


# --- staff --------------------------------------------------------------------------------------


class StaffListView(ScopedListView):
    model = StaffMember
    filterset_class = StaffFilterSet
    select_related = ("unit", "agency")
    template_name = "workforce/staff_list.html"

    def get_template_names(self):
        return [self.template_name]


class StaffDetailView(ScopedDetailView):
    model = StaffMember
    select_related = ("unit", "agency", "user")
    template_name = "workforce/staff_detail.html"
    context_object_name = "staff"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["trainings"] = selectors.trainings_of(user=self.request.user, staff=self.object)
        ctx["can_change"] = (
            StaffMember.objects.restrict(self.request.user, "change").filter(pk=self.object.pk).exists()
        )
        return ctx


class StaffCreateView(FormPage):
    model = StaffMember
    action = "add"
    form_class = StaffForm
    template_name = "workforce/staff_form.html"

    def initial(self, obj):
        return {"employment": "part_time"}

    def save(self, obj, data):
        self.success_message = _("The staff member is saved.")
        return services.staff_create(acting_user=self.request.user, **data)


class StaffUpdateView(FormPage):
    model = StaffMember
    action = "change"
    form_class = StaffForm
    template_name = "workforce/staff_form.html"

    def get_object(self, pk):
        return _get(StaffMember, self.request, pk, "change", "unit")

    def initial(self, obj):
        return StaffForm.initial_for(obj)

    def save(self, obj, data):
        self.success_message = _("The staff member is saved.")
        return services.staff_update(acting_user=self.request.user, staff=obj, **data)


# --- dashboard and norms ------------------------------------------------------------------------


class DashboardView(ScopedQuerysetMixin, TemplateView):
    """Communes of the user's scope against the staffing norms; those short of them first."""

    model = StaffMember
    template_name = "workforce/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = selectors.staffing_dashboard(user=self.request.user)
        show = self.request.GET.get("show", "flagged")
        ctx.update(
            rows=[r for r in rows if r.flagged] if show == "flagged" else rows,
            show=show,
            norms=[s.norm for s in rows[0].statuses] if rows else [],
            total=len(rows),
            flagged=sum(1 for r in rows if r.flagged),
            without_officer=sum(
                1 for r in rows if (s := r.status("commune_officer")) is not None and s.have == 0
            ),
        )
        return ctx


class NormListView(ScopedListView):
    model = StaffingNorm
    template_name = "workforce/norm_list.html"

    def get_template_names(self):
        return [self.template_name]


class NormUpdateView(FormPage):
    model = StaffingNorm
    action = "change"
    form_class = NormForm
    template_name = "workforce/norm_form.html"

    def get_object(self, pk):
        return _get(StaffingNorm, self.request, pk, "change")

    def form_kwargs(self):
        return {}

    def initial(self, obj):
        return NormForm.initial_for(obj)

    def save(self, obj, data):
        services.norm_update(acting_user=self.request.user, norm=obj, **data)
        self.success_message = _("The norm is saved.")
        return reverse("workforce:norm_list")


# --- courses ------------------------------------------------------------------------------------


class CourseListView(ScopedListView):
    model = TrainingCourse
    filterset_class = CourseFilterSet
    select_related = ("unit", "organiser")
    template_name = "workforce/course_list.html"

    def get_template_names(self):
        return [self.template_name]


def course_page_context(request, course: TrainingCourse, **extra) -> dict:
    user = request.user
    may_change = TrainingCourse.objects.restrict(user, "change").filter(pk=course.pk).exists()
    participants = list(
        Participant.objects.restrict(user, "view")
        .filter(course=course)
        .select_related("staff", "staff__unit")
    )
    ctx = {
        "course": course,
        "object": course,
        "participants": participants,
        "attended": sum(1 for p in participants if p.attended),
        "can": {
            "change": may_change,
            "add_participant": may_change and user.has_perm("workforce.add_participant"),
            "remove_participant": may_change and user.has_perm("workforce.delete_participant"),
            "attendance": may_change and user.has_perm("workforce.change_participant"),
        },
    }
    if ctx["can"]["add_participant"] and "participant_form" not in extra:
        ctx["participant_form"] = ParticipantForm(user=user)
    ctx.update(extra)
    return ctx


class CourseDetailView(ScopedDetailView):
    model = TrainingCourse
    select_related = ("unit", "organiser")
    template_name = "workforce/course_detail.html"
    context_object_name = "course"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(course_page_context(self.request, self.object))
        return ctx


class CourseCreateView(FormPage):
    model = TrainingCourse
    action = "add"
    form_class = CourseForm
    template_name = "workforce/course_form.html"

    def save(self, obj, data):
        self.success_message = _("The course is saved: add its participants.")
        return services.course_create(acting_user=self.request.user, **data)


class CourseUpdateView(FormPage):
    model = TrainingCourse
    action = "change"
    form_class = CourseForm
    template_name = "workforce/course_form.html"

    def get_object(self, pk):
        return _get(TrainingCourse, self.request, pk, "change", "unit")

    def initial(self, obj):
        return CourseForm.initial_for(obj)

    def save(self, obj, data):
        self.success_message = _("The course is saved.")
        return services.course_update(acting_user=self.request.user, course=obj, **data)


class ParticipantAddView(ScopedQuerysetMixin, View):
    model = Participant
    action = "add"
    http_method_names = ["post"]

    def post(self, request, pk):
        course = _get(TrainingCourse, request, pk, "change", "unit", "organiser")
        form = ParticipantForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.participant_add(acting_user=request.user, course=course, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The participant is added."))
                return redirect(course)
        ctx = course_page_context(request, course, participant_form=form)
        return render(request, CourseDetailView.template_name, ctx, status=400)


class ParticipantRemoveView(ScopedQuerysetMixin, View):
    model = Participant
    action = "delete"
    http_method_names = ["post"]

    def post(self, request, pk):
        participant = _get(Participant, request, pk, "delete", "course", "course__unit")
        course = participant.course
        try:
            services.participant_remove(acting_user=request.user, participant=participant)
        except ScopeError as exc:
            raise Http404 from exc
        messages.success(request, _("The participant is removed."))
        return redirect(course)


class AttendanceView(ScopedQuerysetMixin, View):
    """One form for the whole course: attended, score and comment of each participant."""

    model = Participant
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        course = _get(TrainingCourse, request, pk, "change", "unit", "organiser")
        entries = {
            p.pk: {
                "attended": request.POST.get(f"attended_{p.pk}") == "on",
                "score": request.POST.get(f"score_{p.pk}", ""),
                "comment": request.POST.get(f"comment_{p.pk}", ""),
            }
            for p in course.participants.all()
        }
        try:
            services.attendance_record(acting_user=request.user, course=course, entries=entries)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            ctx = course_page_context(request, course, errors=exc.messages)
            return render(request, CourseDetailView.template_name, ctx, status=400)
        messages.success(request, _("Attendance is saved."))
        return redirect(course)


class CertificateView(ScopedQuerysetMixin, View):
    """The .docx certificate of one participant who attended (audited as an issue)."""

    model = Participant

    def get(self, request, pk):
        participant = _get(Participant, request, pk, "view", "course", "course__organiser", "course__unit")
        if not participant.attended:
            raise Http404
        services.certificate_issue_record(
            acting_user=request.user, course=participant.course, participants=[participant]
        )
        response = HttpResponse(
            certificates.certificate_document(participant), content_type=certificates.DOCX_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{certificates.certificate_filename(participant)}"'
        )
        return response


class CertificatesZipView(ScopedQuerysetMixin, View):
    """Every certificate of a course in one .zip (participants who attended)."""

    model = Participant

    def get(self, request, pk):
        course = _get(TrainingCourse, request, pk, "view", "organiser", "unit")
        participants = list(
            Participant.objects.restrict(request.user, "view")
            .filter(course=course, attended=True)
            .select_related("course", "course__organiser")
        )
        if not participants:
            messages.error(request, _("No participant has attended yet: record the attendance first."))
            return redirect(course)
        services.certificate_issue_record(acting_user=request.user, course=course, participants=participants)
        response = HttpResponse(
            certificates.certificates_zip(course, participants), content_type="application/zip"
        )
        response["Content-Disposition"] = f'attachment; filename="chung-nhan-khoa-{course.pk}.zip"'
        return response
