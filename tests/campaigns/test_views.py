"""Campaign pages: calendar for any year, forms with their messages, summary, scope."""

import datetime as dt

from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.campaigns.models import Campaign


def test_calendar_of_a_year_shows_mid_autumn_on_its_solar_date(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("campaigns:calendar") + "?year=2028")
    text = response.content.decode()
    assert response.status_code == 200
    september, october = text.split('data-testid="month-9"')[1], text.split('data-testid="month-10"')[1]
    assert 'datetime="2028-10-03"' in october.split('data-testid="month-11"')[0]
    assert "Tết Trung thu" in october.split('data-testid="month-11"')[0]
    assert "Tết Trung thu" not in september.split('data-testid="month-10"')[0]


def test_calendar_refuses_a_year_out_of_range(client, viewer):
    client.force_login(viewer)
    for bad in ("abc", "1800", "2100", "-1"):
        response = client.get(reverse("campaigns:calendar") + f"?year={bad}")
        assert response.status_code == 400
        assert "Choose a year from 1901 to 2099." in response.content.decode()


def test_campaign_form_creates_and_refuses(client, officer_a, geo):
    client.force_login(officer_a)
    data = {
        "title": "Truyền thông Tết Trung thu",
        "agency": geo.agency_a.pk,
        "unit": geo.commune_a.pk,
        "starts_on": "20/09/2026",
        "ends_on": "25/09/2026",
        "channels": ["direct", "online"],
        "reach_people": "400",
        "reach_children": "250",
        "budget_used": "3000000",
    }
    response = client.post(reverse("campaigns:campaign_add"), data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.budget_used, campaign.channels) == (
        dt.date(2026, 9, 20),
        3_000_000,
        ["online", "direct"],
    )
    before = (Campaign.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("campaigns:campaign_add"), {**data, "budget_used": "-500"})
    assert response.status_code == 400
    assert "The budget cannot be negative." in response.content.decode()
    response = client.post(reverse("campaigns:campaign_add"), {**data, "ends_on": "19/09/2026"})
    assert response.status_code == 400
    assert "The campaign cannot end before it starts." in response.content.decode()
    assert (Campaign.objects.count(), AuditEvent.objects.count()) == before


def test_other_commune_cannot_open_or_change_a_campaign(client, officer_b, campaign_a):
    client.force_login(officer_b)
    assert client.get(campaign_a.get_absolute_url()).status_code == 404
    assert client.get(reverse("campaigns:campaign_edit", args=[campaign_a.pk])).status_code == 404
    assert campaign_a.title not in client.get(reverse("campaigns:campaign_list")).content.decode()
    assert campaign_a.title not in client.get(reverse("campaigns:calendar") + "?year=2026").content.decode()


def test_summary_page_totals(client, coordinator, campaign_a, campaign_b):
    client.force_login(coordinator)
    response = client.get(reverse("campaigns:summary") + "?year=2026")
    assert response.status_code == 200
    assert response.context["total"].budget_used == 30_000_000
    assert "UBND Xã Bình" in response.content.decode()


def test_event_list_shows_next_years(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("campaigns:event_list"))
    assert response.status_code == 200
    assert "Tết Trung thu" in response.content.decode()
