"""The register of complaints, denunciations and petitions (included at ``complaints/``)."""

from django.urls import path

from treem.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint_list"),
    path("add/", views.ComplaintCreateView.as_view(), name="complaint_add"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("<int:pk>/edit/", views.ComplaintUpdateView.as_view(), name="complaint_edit"),
    path("<int:pk>/answer/", views.ComplaintAnswerView.as_view(), name="complaint_answer"),
    path("<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint_close"),
]
