"""`treem demo --no-serve`: loads the real units, synthetic records and one user per role; twice is safe."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from treem.accounts.models import Agency, User
from treem.accounts.roles import ROLES
from treem.children.models import Child
from treem.core.demo.seed import DEMO_CHILDREN, DEMO_PASSWORD
from treem.geo.models import PlacementReview, Unit


@pytest.mark.django_db(transaction=True)
def test_demo_loads_once_and_twice_changes_nothing(settings):
    settings.DEBUG = True  # pytest-django turns debug off; the demo runs only in debug mode
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, verbosity=0)
    text = out.getvalue()
    for role in ROLES:
        assert User.objects.filter(groups__name=role.slug).count() >= 1, role.slug
    assert "canbo.banthach" in text and DEMO_PASSWORD in text
    assert authenticate(username="canbo.banthach", password=DEMO_PASSWORD) is not None
    da_nang = Unit.objects.get(level="province", code="48", valid_from__isnull=False)
    assert Unit.objects.filter(parent=da_nang, level="commune").count() == 94
    assert Child.objects.count() > DEMO_CHILDREN * 0.9
    assert PlacementReview.objects.filter(status="pending").count() == 3  # the villages of Hòa Liên
    counts = (Unit.objects.count(), Agency.objects.count(), User.objects.count(), Child.objects.count())
    call_command("demo", no_serve=True, stdout=StringIO(), verbosity=0)
    assert (
        Unit.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Child.objects.count(),
    ) == counts


def test_demo_refuses_production_mode(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="TREEM_DEBUG=0"):
        call_command("demo", no_serve=True, stdout=StringIO())
