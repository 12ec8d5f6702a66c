"""URLs of the child database: import and export (included by children/urls.py at ``import/``)."""

from django.urls import path

from treem.children import views_import

urlpatterns = [
    path("", views_import.ChildImportView.as_view(), name="import"),
    path("template.<str:fmt>", views_import.ChildImportTemplateView.as_view(), name="import_template"),
    path("report/<str:token>/", views_import.ChildImportReportView.as_view(), name="import_report"),
    path("export/", views_import.ChildExportView.as_view(), name="export"),
]
