"""URLs of surveys (included at ``surveys/``; names in the "surveys" namespace)."""

from django.urls import path

from treem.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("add/", views.SurveyCreateView.as_view(), name="survey_add"),
    path("<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("<int:pk>/edit/", views.SurveyUpdateView.as_view(), name="survey_edit"),
    path("<int:pk>/open/", views.SurveyOpenView.as_view(), name="survey_open"),
    path("<int:pk>/close/", views.SurveyCloseView.as_view(), name="survey_close"),
    path("<int:pk>/questions/add/", views.QuestionAddView.as_view(), name="question_add"),
    path("questions/<int:pk>/edit/", views.QuestionEditView.as_view(), name="question_edit"),
    path("questions/<int:pk>/delete/", views.QuestionDeleteView.as_view(), name="question_delete"),
    path("<int:pk>/answer/", views.AnswerListView.as_view(), name="answer_list"),
    path("<int:pk>/answer/<int:subject>/", views.ResponseFormView.as_view(), name="response_form"),
    path("<int:pk>/responses/", views.ResponseListView.as_view(), name="response_list"),
    path("responses/<int:pk>/", views.ResponseDetailView.as_view(), name="response_detail"),
    path("<int:pk>/results/", views.ResultsView.as_view(), name="results"),
    path("<int:pk>/results.xlsx", views.ResultsExportView.as_view(), name="results_export"),
    path("child/<int:child>/", views.ChildResponsesView.as_view(), name="child_responses"),
]
