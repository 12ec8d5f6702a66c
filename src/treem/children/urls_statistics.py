"""URLs of the child database: statistics pages (included by children/urls.py)."""

from django.urls import path

from treem.children import views_statistics

urlpatterns = [
    path("", views_statistics.StatisticsView.as_view(), name="statistics"),
    path("export.xlsx", views_statistics.StatisticsExportView.as_view(), name="statistics_export"),
]
