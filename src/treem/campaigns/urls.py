"""URLs of campaigns (included at ``campaigns/``; names in the "campaigns" namespace)."""

from django.urls import path

from treem.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("list/", views.CampaignListView.as_view(), name="campaign_list"),
    path("add/", views.CampaignCreateView.as_view(), name="campaign_add"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_edit"),
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/add/", views.EventCreateView.as_view(), name="event_add"),
    path("events/<int:pk>/edit/", views.EventUpdateView.as_view(), name="event_edit"),
]
