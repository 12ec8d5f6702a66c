"""URLs of indicators and targets (included at ``indicators/``; names in the "indicators" namespace)."""

from django.urls import path

from treem.indicators import views, views_exchange

app_name = "indicators"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("catalogue/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("catalogue/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("ranking/", views.RankingView.as_view(), name="ranking"),
    path("communes/<int:unit>/category/", views.CategorySetView.as_view(), name="category_set"),
    path("targets/", views.TargetListView.as_view(), name="target_list"),
    path("targets/set/", views.TargetSetView.as_view(), name="target_set"),
    path("targets/approve/", views.TargetApproveView.as_view(), name="target_approve"),
    path("entry/", views.EntryStartView.as_view(), name="entry_start"),
    path("entry/<int:unit>/<str:period>/", views.EntryView.as_view(), name="entry"),
    path("entry/<int:unit>/<str:period>/compute/", views.ComputeView.as_view(), name="compute"),
    path("entry/<int:unit>/<str:period>/approve/", views.ApproveView.as_view(), name="approve"),
    path("approvals/<int:pk>/unlock/", views.UnlockView.as_view(), name="unlock"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("exchange/", views_exchange.ExchangeView.as_view(), name="exchange"),
    path("exchange/download/", views_exchange.ExchangeDownloadView.as_view(), name="exchange_download"),
]
