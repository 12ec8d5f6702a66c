"""URLs of background jobs (included at ``jobs/``; names in the "jobs" namespace)."""

from django.urls import path

from treem.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/output/<slug:name>/", views.JobOutputView.as_view(), name="job_output"),
    path("<int:pk>/retry/", views.JobRetryView.as_view(), name="job_retry"),
]
