from django.urls import path

from treem.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="event_list"),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        views.RecordHistoryView.as_view(),
        name="history",
    ),
]
