"""URLs of funding (included at the site's root: pages under ``funding/``, the public report at
``transparency/``; names in the "funding" namespace)."""

from django.urls import path

from treem.funding import views

app_name = "funding"
urlpatterns = [
    path("transparency/", views.TransparencyView.as_view(), name="transparency"),
    path("funding/budget/", views.BudgetLineListView.as_view(), name="budget_list"),
    path("funding/budget/add/", views.BudgetLineCreateView.as_view(), name="budget_add"),
    path("funding/budget/<int:pk>/", views.BudgetLineDetailView.as_view(), name="budget_detail"),
    path("funding/budget/<int:pk>/edit/", views.BudgetLineUpdateView.as_view(), name="budget_edit"),
    path("funding/budget/<int:pk>/entries/", views.BudgetEntryAddView.as_view(), name="entry_add"),
    path("funding/budget/<int:pk>/settlement/", views.BudgetSettleView.as_view(), name="budget_settle"),
    path("funding/totals/", views.TotalsView.as_view(), name="totals"),
    path("funding/priority-areas/", views.PriorityAreaListView.as_view(), name="priority_list"),
    path("funding/priority-areas/add/", views.PriorityAreaAddView.as_view(), name="priority_add"),
    path(
        "funding/priority-areas/<int:pk>/remove/",
        views.PriorityAreaRemoveView.as_view(),
        name="priority_remove",
    ),
    path("funding/donors/", views.DonorListView.as_view(), name="donor_list"),
    path("funding/donors/add/", views.DonorCreateView.as_view(), name="donor_add"),
    path("funding/donors/<int:pk>/", views.DonorDetailView.as_view(), name="donor_detail"),
    path("funding/donors/<int:pk>/edit/", views.DonorUpdateView.as_view(), name="donor_edit"),
    path("funding/donations/", views.DonationListView.as_view(), name="donation_list"),
    path("funding/donations/add/", views.DonationCreateView.as_view(), name="donation_add"),
    path("funding/donations/<int:pk>/", views.DonationDetailView.as_view(), name="donation_detail"),
    path("funding/donations/<int:pk>/use/", views.DonationUseView.as_view(), name="donation_use"),
    path("funding/sponsorships/", views.SponsorshipListView.as_view(), name="sponsorship_list"),
    path("funding/sponsorships/add/", views.SponsorshipCreateView.as_view(), name="sponsorship_add"),
    path("funding/sponsorships/<int:pk>/", views.SponsorshipDetailView.as_view(), name="sponsorship_detail"),
    path(
        "funding/sponsorships/<int:pk>/edit/", views.SponsorshipUpdateView.as_view(), name="sponsorship_edit"
    ),
    path("funding/sponsorships/<int:pk>/payments/", views.PaymentAddView.as_view(), name="payment_add"),
    path("funding/sponsorships/<int:pk>/visits/", views.VisitAddView.as_view(), name="visit_add"),
    path("funding/projects/", views.ProjectListView.as_view(), name="project_list"),
    path("funding/projects/add/", views.ProjectCreateView.as_view(), name="project_add"),
    path("funding/projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("funding/projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
    path("funding/projects/<int:pk>/reports/", views.ProjectReportAddView.as_view(), name="report_add"),
    path("funding/reports/<int:pk>/submit/", views.ProjectReportSubmitView.as_view(), name="report_submit"),
    path("funding/transparency/", views.TransparencyManageView.as_view(), name="transparency_manage"),
    path(
        "funding/transparency/publish/", views.TransparencyPublishView.as_view(), name="transparency_publish"
    ),
]
