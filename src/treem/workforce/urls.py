"""URLs of the workforce (included at ``workforce/``; names in the "workforce" namespace)."""

from django.urls import path

from treem.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/add/", views.StaffCreateView.as_view(), name="staff_add"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff_edit"),
    path("norms/", views.NormListView.as_view(), name="norm_list"),
    path("norms/<int:pk>/edit/", views.NormUpdateView.as_view(), name="norm_edit"),
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/add/", views.CourseCreateView.as_view(), name="course_add"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", views.CourseUpdateView.as_view(), name="course_edit"),
    path("courses/<int:pk>/participants/", views.ParticipantAddView.as_view(), name="participant_add"),
    path("courses/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("courses/<int:pk>/certificates.zip", views.CertificatesZipView.as_view(), name="certificates_zip"),
    path("participants/<int:pk>/remove/", views.ParticipantRemoveView.as_view(), name="participant_remove"),
    path("participants/<int:pk>/certificate.docx", views.CertificateView.as_view(), name="certificate"),
]
