def test_officer_sees_only_own_commune(officer_a, geo):
    from treem.geo.models import Unit

    visible = set(Unit.objects.restrict(officer_a, "view"))
    assert geo.commune_a in visible and geo.village_a in visible
    assert geo.commune_b not in visible and geo.village_b not in visible
