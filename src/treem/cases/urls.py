"""URLs of the case process (included at ``cases/``; names in the "cases" namespace)."""

from django.urls import path

from treem.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/open/", views.CaseBreakGlassView.as_view(), name="case_break_glass"),
    path("<int:pk>/verify/", views.CaseVerifyView.as_view(), name="case_verify"),
    path("<int:pk>/assess/", views.CaseAssessView.as_view(), name="case_assess"),
    path("<int:pk>/plan/", views.CasePlanView.as_view(), name="case_plan"),
    path("<int:pk>/plan/submit/", views.CasePlanSubmitView.as_view(), name="case_plan_submit"),
    path("<int:pk>/plan/decide/", views.CasePlanDecideView.as_view(), name="case_plan_decide"),
    path("<int:pk>/advance/", views.CaseAdvanceView.as_view(), name="case_advance"),
    path("<int:pk>/close/", views.CaseCloseRequestView.as_view(), name="case_close_request"),
    path("<int:pk>/close/decide/", views.CaseCloseDecideView.as_view(), name="case_close_decide"),
    path("<int:pk>/assign/", views.CaseAssignView.as_view(), name="case_assign"),
    path("<int:pk>/share/", views.CaseShareView.as_view(), name="case_share"),
    path("<int:pk>/notes/add/", views.NoteAddView.as_view(), name="note_add"),
    path("opened-outside-the-group/", views.GlassListView.as_view(), name="glass_list"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/add/", views.ReportIntakeView.as_view(), name="report_add"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", views.ReportUpdateView.as_view(), name="report_edit"),
    path("reports/<int:pk>/child/", views.ReportLinkChildView.as_view(), name="report_link_child"),
    path("reports/<int:pk>/child/add/", views.ReportCreateChildView.as_view(), name="report_create_child"),
    path("reports/<int:pk>/case/", views.CaseOpenView.as_view(), name="case_open"),
]
