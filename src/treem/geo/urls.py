from django.urls import path

from treem.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("export.csv", views.UnitExportView.as_view(), name="unit_export"),
    path("statistics/", views.UnitStatisticsView.as_view(), name="unit_statistics"),
    path("import/", views.UnitImportView.as_view(), name="unit_import"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("<int:pk>/villages/add/", views.VillageCreateView.as_view(), name="village_add"),
    path("villages/<int:pk>/edit/", views.VillageUpdateView.as_view(), name="village_edit"),
    path("villages/<int:pk>/retire/", views.VillageRetireView.as_view(), name="village_retire"),
    path("reviews/", views.PlacementReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.PlacementReviewDetailView.as_view(), name="review_detail"),
]
