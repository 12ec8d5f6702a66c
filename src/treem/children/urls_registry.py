"""URLs of the child database: registry pages (included by children/urls.py)."""

from django.urls import path

from treem.children import views

urlpatterns = [
    path("", views.ChildListView.as_view(), name="child_list"),
    path("add/", views.ChildCreateView.as_view(), name="child_add"),
    path("<int:pk>/", views.ChildDetailView.as_view(), name="child_detail"),
    path("<int:pk>/edit/", views.ChildUpdateView.as_view(), name="child_edit"),
    path("<int:pk>/deactivate/", views.ChildDeactivateView.as_view(), name="child_deactivate"),
    path("<int:pk>/caregivers/add/", views.CaregiverAddView.as_view(), name="caregiver_add"),
    path("<int:pk>/circumstances/enter/", views.CircumstanceEnterView.as_view(), name="circumstance_enter"),
    path("circumstances/<int:pk>/leave/", views.CircumstanceLeaveView.as_view(), name="circumstance_leave"),
    path("<int:pk>/support/add/", views.SupportAddView.as_view(), name="support_add"),
    path("<int:pk>/consents/add/", views.ConsentAddView.as_view(), name="consent_add"),
    path("consents/<int:pk>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent_withdraw"),
]
