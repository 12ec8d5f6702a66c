"""URLs of the child database: quality pages (included by children/urls.py)."""

from django.urls import path

from treem.children import views_quality as views

urlpatterns = [
    path("", views.QualityView.as_view(), name="quality"),
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicate_list"),
    path("duplicates/find/", views.DuplicateFindView.as_view(), name="duplicate_find"),
    path("duplicates/<int:pk>/", views.DuplicateDetailView.as_view(), name="duplicate_detail"),
    path("duplicates/<int:pk>/merge/", views.DuplicateMergeView.as_view(), name="duplicate_merge"),
    path("duplicates/<int:pk>/dismiss/", views.DuplicateDismissView.as_view(), name="duplicate_dismiss"),
    path("population/<int:pk>/check/", views.PopulationCheckView.as_view(), name="child_population_check"),
]
