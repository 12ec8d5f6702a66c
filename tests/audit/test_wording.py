"""Audit events read as words (treem.audit.wording): every action the code writes has its sentence,
field changes show names and labels, and the home page's feed names no child beside a kind of harm."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import ChildFactory
from treem.audit import wording
from treem.audit.models import AuditEvent
from treem.audit.services import audit_record
from treem.children import services as children_services
from treem.children.models import CircumstanceGroup

SRC = Path(wording.__file__).resolve().parents[1]
ACTION = re.compile(r"\"([a-z_]+\.[a-z_]+\.([a-z_]+))\"")


def test_every_action_written_has_a_sentence():
    actions = {
        (action, verb)
        for path in SRC.rglob("*.py")
        for action, verb in ACTION.findall(path.read_text(encoding="utf-8"))
        if not action.startswith(("treem.", "django"))  # module paths, not actions
    }
    assert len(actions) > 100
    missing = sorted(action for action, verb in actions if verb not in wording.VERBS)
    assert not missing, f"actions without a sentence in treem/audit/wording.py VERBS: {missing}"


@pytest.mark.django_db
def test_changes_show_field_names_and_choice_labels(geo, officer_a, settings):
    settings.LANGUAGE_CODE = "en"
    child = ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai")
    event = audit_record(officer_a, "children.child.updated", child, changes={"sex": ["female", "male"]})
    assert wording.action_sentence(event) == "changed the child"
    assert wording.changes_shown(event) == [{"label": "sex", "old": "Female", "new": "Male", "pair": True}]
    roles = audit_record(officer_a, "accounts.user.updated", officer_a, changes={"roles": [[], ["viewer"]]})
    assert wording.changes_shown(roles)[0]["new"] == "Read-only viewer"


@pytest.mark.django_db
def test_home_feed_reads_as_sentences_and_names_no_child_beside_a_harm(client, geo, coordinator, officer_a):
    child = ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai")
    children_services.circumstance_enter(
        acting_user=officer_a,
        child=child,
        group=CircumstanceGroup.objects.get(code="l"),  # sexual abuse
        entered_on=dt.date(2026, 3, 1),
    )
    assert AuditEvent.objects.filter(action="children.circumstance.entered").exists()
    client.force_login(coordinator)
    page = client.get(reverse("home")).content.decode()
    feed = page[page.index('data-testid="feed-event"') :]
    assert "children.circumstance.entered" not in re.sub(r'data-action="[^"]*"', "", feed)
    assert "Lò Thị Mai" not in feed
    assert "xâm hại tình dục" not in feed
