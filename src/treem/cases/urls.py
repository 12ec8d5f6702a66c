"""URLs of the case process (included at ``cases/``; names in the "cases" namespace)."""

from django.urls import path

from treem.cases import views, views_forms, views_statistics

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/forms/", views_forms.CaseFormListView.as_view(), name="case_forms"),
    path("<int:pk>/forms/<str:form>/", views_forms.CaseFormDownloadView.as_view(), name="case_form"),
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
    path("statistics/", views_statistics.AbuseStatisticsView.as_view(), name="statistics"),
    path(
        "statistics/export/", views_statistics.AbuseStatisticsExportView.as_view(), name="statistics_export"
    ),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/add/", views.ReportIntakeView.as_view(), name="report_add"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", views.ReportUpdateView.as_view(), name="report_edit"),
    path("reports/<int:pk>/child/", views.ReportLinkChildView.as_view(), name="report_link_child"),
    path("reports/<int:pk>/child/add/", views.ReportCreateChildView.as_view(), name="report_create_child"),
    path("reports/<int:pk>/case/", views.CaseOpenView.as_view(), name="case_open"),
    path("<int:pk>/refer/", views.CaseReferView.as_view(), name="case_refer"),
    path("referrals/<int:pk>/answer/", views.ReferralAnswerView.as_view(), name="referral_answer"),
    path("<int:pk>/transfer/", views.CaseTransferView.as_view(), name="case_transfer"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/decide/", views.TransferDecideView.as_view(), name="transfer_decide"),
    path("<int:pk>/attachments/add/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
]
