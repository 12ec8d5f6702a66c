"""URLs of plans (included at ``plans/``; names in the "plans" namespace)."""

from django.urls import path

from treem.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("load/", views.PlanLoadView.as_view(), name="plan_load"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/agencies/", views.AgencyReviewView.as_view(), name="agency_review"),
    path("<int:pk>/periods/add/", views.PeriodAddView.as_view(), name="period_add"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/status/", views.TaskStatusView.as_view(), name="task_status"),
    path("tasks/<int:pk>/report/<int:period>/", views.ReportFormView.as_view(), name="report_form"),
    path("tasks/successions/", views.PassTasksView.as_view(), name="pass_tasks"),
    path("periods/<int:pk>/", views.PeriodDetailView.as_view(), name="period_detail"),
    path("periods/<int:pk>/agency-report/", views.AgencyReportOpenView.as_view(), name="agency_report_open"),
    path("agency-reports/<int:pk>/", views.AgencyReportDetailView.as_view(), name="agency_report_detail"),
    path(
        "agency-reports/<int:pk>/decide/", views.AgencyReportDecideView.as_view(), name="agency_report_decide"
    ),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/decide/", views.ReportDecideView.as_view(), name="report_decide"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/add/", views.InspectionAddView.as_view(), name="inspection_add"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path(
        "inspections/<int:pk>/findings/", views.InspectionFindingsView.as_view(), name="inspection_findings"
    ),
    path(
        "inspections/<int:pk>/recommendations/add/",
        views.RecommendationAddView.as_view(),
        name="recommendation_add",
    ),
    path(
        "recommendations/<int:pk>/follow-up/",
        views.RecommendationFollowUpView.as_view(),
        name="recommendation_follow_up",
    ),
]
