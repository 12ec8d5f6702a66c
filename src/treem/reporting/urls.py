"""URLs of consolidated reports (included at ``reports/``; names in the "reporting" namespace)."""

from django.urls import path

from treem.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.ReportFormView.as_view(), name="report_form"),
    path("texts/", views.ReportTextsView.as_view(), name="report_texts"),
    path("<int:pk>/<slug:name>/", views.ReportDownloadView.as_view(), name="report_download"),
]
