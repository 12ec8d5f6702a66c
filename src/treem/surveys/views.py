"""Survey pages: define a survey and its questions, answer it for children or households, see and
export its results.

Every page starts from a restricted queryset: a survey, question, child, household or response
outside the user's units is 404, whatever the id. Writes go through ``surveys.services``; a refused
write re-renders the page with the service's messages (status 400) and writes nothing.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_view
from treem.children.models import Child, Household
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin, plain_text
from treem.surveys import exporters, selectors, services
from treem.surveys.choices import QuestionKind, SurveyStatus
from treem.surveys.exporters import EXACT, PUBLICATION
from treem.surveys.filtersets import SurveyFilterSet
from treem.surveys.forms import QuestionForm, ResponseForm, ResultsExportForm, SurveyForm
from treem.surveys.models import Question, Survey, SurveyResponse, show_number

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _survey(request, pk, action: str = "view") -> Survey:
    return get_object_or_404(selectors.visible_surveys(request.user, action).select_related("unit"), pk=pk)


def survey_page_context(request, survey: Survey) -> dict:
    """What the survey page shows, and what the user may do on it."""
    user = request.user
    may_change = (
        user.has_perm("surveys.change_survey")
        and Survey.objects.restrict(user, "change").filter(pk=survey.pk).exists()
    )
    return {
        "survey": survey,
        "object": survey,
        "questions": survey.questions.prefetch_related("choices").order_by("position", "id"),
        "can": {
            "change": may_change and survey.status != SurveyStatus.CLOSED,
            "questions": may_change and survey.is_draft,
            "add_question": may_change and survey.is_draft and user.has_perm("surveys.add_question"),
            "delete_question": may_change and survey.is_draft and user.has_perm("surveys.delete_question"),
            "open": may_change and survey.is_draft,
            "close": may_change and survey.status == SurveyStatus.OPEN,
            "answer": user.has_perm("surveys.add_surveyresponse") and survey.accepts_answers(),
            "responses": user.has_perm("surveys.view_surveyresponse"),
            "results": selectors.may_see_results(user),
        },
        "my_responses": (
            selectors.survey_responses(user=user, survey=survey).count()
            if user.has_perm("surveys.view_surveyresponse")
            else None
        ),
    }


class SurveyListView(ScopedListView):
    """Surveys given to the user's units, and those they defined for the units below."""

    model = Survey
    filterset_class = SurveyFilterSet
    select_related = ("unit",)
    template_name = "surveys/survey_list.html"

    def get_queryset(self):
        qs = selectors.visible_surveys(self.request.user).select_related("unit")
        self.filterset = SurveyFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.template_name]


class SurveyCreateView(ScopedQuerysetMixin, View):
    model = Survey
    action = "add"
    template_name = "surveys/survey_form.html"

    def get(self, request):
        form = SurveyForm(user=request.user, initial={"subject_kind": "child"})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = SurveyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                survey = services.survey_create(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The survey is saved as a draft: add its questions."))
                return redirect(survey)
        return render(request, self.template_name, {"form": form}, status=400)


class SurveyDetailView(ScopedDetailView):
    model = Survey
    select_related = ("unit",)
    template_name = "surveys/survey_detail.html"
    context_object_name = "survey"

    def get_queryset(self):
        return selectors.visible_surveys(self.request.user).select_related("unit")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(survey_page_context(self.request, self.object))
        return ctx


class SurveyUpdateView(ScopedQuerysetMixin, View):
    model = Survey
    action = "change"
    template_name = "surveys/survey_form.html"

    def get(self, request, pk):
        survey = _survey(request, pk, "change")
        form = SurveyForm(user=request.user, survey=survey, initial=SurveyForm.initial_for(survey))
        return render(request, self.template_name, {"form": form, "survey": survey})

    def post(self, request, pk):
        survey = _survey(request, pk, "change")
        form = SurveyForm(
            request.POST, user=request.user, survey=survey, initial=SurveyForm.initial_for(survey)
        )
        if form.is_valid():
            try:
                services.survey_update(acting_user=request.user, survey=survey, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The survey is saved."))
                return redirect(survey)
        return render(request, self.template_name, {"form": form, "survey": survey}, status=400)


class SurveyStateView(ScopedQuerysetMixin, View):
    """Open or close a survey (POST only); a refusal shows the survey page with the reason."""

    model = Survey
    action = "change"
    http_method_names = ["post"]
    success_message = ""

    def perform(self, survey: Survey) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        survey = _survey(request, pk, "change")
        try:
            self.perform(survey)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            survey.refresh_from_db()
            ctx = {**survey_page_context(request, survey), "errors": exc.messages}
            return render(request, SurveyDetailView.template_name, ctx, status=400)
        messages.success(request, self.success_message)
        return redirect(survey)


class SurveyOpenView(SurveyStateView):
    def perform(self, survey):
        services.survey_open(acting_user=self.request.user, survey=survey)
        self.success_message = _("The survey is open: communes can answer it.")


class SurveyCloseView(SurveyStateView):
    def perform(self, survey):
        services.survey_close(acting_user=self.request.user, survey=survey)
        self.success_message = _("The survey is closed: no more answers.")


class QuestionAddView(ScopedQuerysetMixin, View):
    model = Question
    action = "add"
    template_name = "surveys/question_form.html"

    def get(self, request, pk):
        survey = _survey(request, pk, "change")
        return render(request, self.template_name, {"form": QuestionForm(), "survey": survey})

    def post(self, request, pk):
        survey = _survey(request, pk, "change")
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_add(acting_user=request.user, survey=survey, **form.service_fields())
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Question added."))
                return redirect(survey)
        return render(request, self.template_name, {"form": form, "survey": survey}, status=400)


class QuestionEditView(ScopedQuerysetMixin, View):
    model = Question
    action = "change"
    select_related = ("survey__unit",)
    template_name = "surveys/question_form.html"

    def get(self, request, pk):
        question = get_object_or_404(self.get_queryset(), pk=pk)
        form = QuestionForm(initial=QuestionForm.initial_for(question))
        return render(
            request, self.template_name, {"form": form, "survey": question.survey, "question": question}
        )

    def post(self, request, pk):
        question = get_object_or_404(self.get_queryset(), pk=pk)
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(acting_user=request.user, question=question, **form.service_fields())
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Question saved."))
                return redirect(question.survey)
        ctx = {"form": form, "survey": question.survey, "question": question}
        return render(request, self.template_name, ctx, status=400)


class QuestionDeleteView(ScopedQuerysetMixin, View):
    model = Question
    action = "delete"
    select_related = ("survey__unit",)
    http_method_names = ["post"]

    def post(self, request, pk):
        question = get_object_or_404(self.get_queryset(), pk=pk)
        survey = question.survey
        try:
            services.question_delete(acting_user=request.user, question=question)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            ctx = {**survey_page_context(request, survey), "errors": exc.messages}
            return render(request, SurveyDetailView.template_name, ctx, status=400)
        messages.success(request, _("Question removed."))
        return redirect(survey)


class AnswerListView(ScopedListView):
    """The children (or households) to answer the survey for, each marked when answered."""

    model = SurveyResponse
    action = "add"
    template_name = "surveys/answer_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.survey = _survey(self.request, self.kwargs["pk"])
        self.filterset = None
        self.text = (self.request.GET.get("q") or "").strip()[:100]
        return selectors.subjects_to_answer(user=self.request.user, survey=self.survey, text=self.text)

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(survey=self.survey, q=self.text)
        return ctx


class ResponseFormView(ScopedQuerysetMixin, View):
    """Answer the survey for one child (or household), or change the answers given before."""

    model = SurveyResponse
    action = "add"
    template_name = "surveys/response_form.html"

    def _targets(self, request, pk, subject):
        survey = _survey(request, pk)
        model = Child if survey.about_children else Household
        subjects = model.objects.restrict(request.user, "view").filter(
            commune__path__startswith=survey.unit.path
        )
        target = get_object_or_404(subjects.select_related("commune"), pk=subject)
        lookup = {"child": target} if survey.about_children else {"household": target}
        response = (
            SurveyResponse.objects.restrict(request.user, "view").filter(survey=survey, **lookup).first()
        )
        return survey, target, lookup, response

    def _render(self, request, survey, target, form, response, status=200):
        ctx = {"survey": survey, "subject": target, "form": form, "response": response}
        return render(request, self.template_name, ctx, status=status)

    def get(self, request, pk, subject):
        survey, target, _lookup, response = self._targets(request, pk, subject)
        if response is not None:
            audit_view(request.user, response)  # the form shows the answers given
        form = ResponseForm(survey=survey, response=response)
        return self._render(request, survey, target, form, response)

    def post(self, request, pk, subject):
        survey, target, lookup, response = self._targets(request, pk, subject)
        form = ResponseForm(request.POST, survey=survey)
        if form.is_valid():
            try:
                services.response_save(
                    acting_user=request.user, survey=survey, answers=form.answers(), **lookup
                )
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The answers for %(name)s are saved.") % {"name": str(target)})
                return redirect(reverse("surveys:answer_list", args=[survey.pk]))
        return self._render(request, survey, target, form, response, status=400)


class ResponseListView(ScopedListView):
    model = SurveyResponse
    template_name = "surveys/response_list.html"

    def get_queryset(self):
        self.survey = _survey(self.request, self.kwargs["pk"])
        self.filterset = None
        return selectors.survey_responses(user=self.request.user, survey=self.survey).order_by(
            "-updated_at", "-id"
        )

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["survey"] = self.survey
        return ctx


class ResponseDetailView(ScopedDetailView):
    """One response's answers; opening it is audited (answers about a child are sensitive)."""

    model = SurveyResponse
    select_related = ("survey__unit", "child__commune", "household__commune", "updated_by")
    template_name = "surveys/response_detail.html"
    context_object_name = "response"
    audit_views = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        response = self.object
        answers = {
            a.question_id: a
            for a in response.answers.restrict(self.request.user, "view")
            .select_related("question")
            .prefetch_related("choices")
        }
        rows = []
        for question in response.survey.questions.order_by("position", "id"):
            answer = answers.get(question.pk)
            rows.append({"question": question, "value": _display(answer) if answer else None})
        ctx.update(
            survey=response.survey,
            rows=rows,
            can_change=(
                self.request.user.has_perm("surveys.change_surveyresponse")
                and response.survey.accepts_answers()
            ),
        )
        return ctx


def _display(answer) -> str:
    value = services.answer_value(answer)
    kind = answer.question.kind
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionKind.DATE:
        return answer.date_value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


class _ResultsMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_results(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ResultsView(_ResultsMixin, View):
    """Responses by unit and each question's answers, within the user's units."""

    template_name = "surveys/results.html"

    def get(self, request, pk):
        survey = _survey(request, pk)
        exact_allowed = selectors.may_see_answers(request.user)
        publication = request.GET.get("publication") == "on" or not exact_allowed
        results = selectors.survey_results(user=request.user, survey=survey)
        hidden = results.hidden(publication)
        unit_grid = results.by_unit.grid(hidden)
        questions = []
        for result in results.questions:
            item = {"result": result, "question": result.question}
            if result.table is not None:
                item["rows"] = _bars(result.table.grid(hidden)["rows"])
            else:
                item["answered"] = selectors.small(result.answered, publication)
                item["summary_hidden"] = selectors.summary_hidden(result, publication) and result.answered > 0
                summary = dict(result.summary or {})
                if result.question.kind == QuestionKind.NUMBER and summary:
                    summary.update({f"{k}_text": show_number(summary[k]) for k in ("low", "mean", "high")})
                item["summary"] = summary
            questions.append(item)
        ctx = {
            "survey": survey,
            "results": results,
            "unit_bars": _bars(unit_grid["rows"]),
            "total": unit_grid["footer"]["total"],
            "questions": questions,
            "publication": publication,
            "exact_allowed": exact_allowed,
            "export_form": ResultsExportForm(exact_allowed=exact_allowed),
        }
        return render(request, self.template_name, ctx)


def _bars(rows: list[dict]) -> list[dict]:
    """Grid rows as bars (``children/statistics/_bars.html``): a hidden count gets no bar."""
    top = max((r["total"].value for r in rows if not r["total"].hidden), default=0) or 1
    return [
        {
            "label": r["label"],
            "shown": r["total"],
            "percent": 0 if r["total"].hidden else round(100 * r["total"].value / top, 1),
        }
        for r in rows
    ]


class ResultsExportView(_ResultsMixin, View):
    """The results as .xlsx (for publication unless asked otherwise); every export is audited."""

    def get(self, request, pk):
        survey = _survey(request, pk)
        exact_allowed = selectors.may_see_answers(request.user)
        form = ResultsExportForm(request.GET, exact_allowed=exact_allowed)
        if not form.is_valid():
            return plain_text("\n".join(e for errors in form.errors.values() for e in errors), 400)
        try:
            export = exporters.results_export(
                acting_user=request.user,
                survey=survey,
                mode=form.cleaned_data["mode"] or PUBLICATION,
                identifying=form.cleaned_data["mode"] == EXACT and not form.cleaned_data.get("deidentified"),
            )
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            return plain_text("\n".join(exc.messages), 400)
        handle = tempfile.TemporaryFile(prefix="treem-survey-")  # noqa: SIM115 - closed by FileResponse
        exporters.write_results_xlsx(export, handle)
        handle.seek(0)
        response = FileResponse(handle, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class ChildResponsesView(ScopedQuerysetMixin, View):
    """The surveys answered for one child (linked from the child's page)."""

    model = SurveyResponse
    template_name = "surveys/child_responses.html"

    def get(self, request, child):
        target = get_object_or_404(Child.objects.restrict(request.user, "view"), pk=child)
        responses = selectors.child_responses(user=request.user, child=target)
        return render(request, self.template_name, {"child": target, "responses": responses})
