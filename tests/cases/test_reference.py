"""Reference data of the case process: loaded by the migration, and back after a flush."""

from django.core.management import call_command

from treem.cases.models import CaseStep, CaseTransition, HarmKind, RiskFactor


def test_reference_data(db):
    assert list(CaseStep.objects.values_list("code", flat=True))[:3] == [
        "received",
        "verified",
        "initial_assessment",
    ]
    assert CaseStep.objects.get(code="closed").is_final
    assert CaseTransition.objects.filter(source__code="review", target__code="plan_drafted").exists()
    assert HarmKind.objects.get(code="sexual_abuse").acts.count() == 5
    assert RiskFactor.objects.count() == 4


def test_reference_data_comes_back_after_a_flush(transactional_db):
    call_command("flush", interactive=False, verbosity=0)
    assert CaseStep.objects.count() == 9
    assert CaseTransition.objects.count() == 10
    assert HarmKind.objects.count() == 14
