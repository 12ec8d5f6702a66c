"""The public pages of the case process (no sign-in): report a child at risk, follow the report."""

from django.urls import path

from treem.cases import views_public

app_name = "public_report"
urlpatterns = [
    path("", views_public.report_form, name="form"),
    path("sent/", views_public.report_thanks, name="thanks"),
    path("status/", views_public.report_status, name="status"),
    path("communes/", views_public.communes, name="communes"),
]
