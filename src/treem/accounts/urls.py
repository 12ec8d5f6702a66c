from django.urls import path

from treem.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.ProfileView.as_view(), name="profile"),
    path("me/logout-everywhere/", views.LogoutEverywhereView.as_view(), name="logout_everywhere"),
    path("two-factor/setup/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/verify/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("lockouts/", views.LockoutListView.as_view(), name="lockout_list"),
    path("lockouts/unlock/", views.LockoutUnlockView.as_view(), name="lockout_unlock"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/two-factor/reset/", views.TwoFactorResetView.as_view(), name="two_factor_reset"),
    path("api-clients/", views.ApiClientListView.as_view(), name="api_client_list"),
    path("api-clients/add/", views.ApiClientCreateView.as_view(), name="api_client_add"),
    path("api-clients/<int:pk>/", views.ApiClientDetailView.as_view(), name="api_client_detail"),
    path("api-clients/<int:pk>/token/", views.ApiTokenIssueView.as_view(), name="api_token_issue"),
    path("api-clients/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("agencies/", views.AgencyListView.as_view(), name="agency_list"),
    path("agencies/add/", views.AgencyCreateView.as_view(), name="agency_add"),
    path("agencies/<int:pk>/", views.AgencyDetailView.as_view(), name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.AgencyUpdateView.as_view(), name="agency_edit"),
    path("agencies/<int:pk>/succeed/", views.AgencySucceedView.as_view(), name="agency_succeed"),
]
