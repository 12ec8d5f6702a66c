"""Forms that help: dates typed as people type them, a message that shows the format, required
fields marked, and the errors summed up at the top of the page."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "typed", ["15/03/2020", "15-03-2020", "15.03.2020", "15032020", "2020-03-15", "15/3/2020"]
)
def test_dates_with_any_separator_or_none(typed, language):
    with translation.override(language):
        form = DateForm({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2020, 3, 15)


@pytest.mark.parametrize("typed", ["31/02/2020", "15/13/2020", "hôm qua", "1503"])
def test_a_date_that_cannot_be_read_says_how_to_type_it(typed):
    with translation.override("vi"):
        form = DateForm({"day": typed})
        assert not form.is_valid()
        assert "15/03/2020" in form.errors["day"][0]
    with translation.override("en"):
        assert DateForm({"day": typed}).errors["day"] == [
            "Enter the date as day/month/year, for example 15/03/2020."
        ]


def test_model_forms_read_the_same_dates(client, officer_a, geo):
    """The child form (a ModelForm's date field) takes 15.03.2020 like any other."""
    from treem.children.models import Child

    client.force_login(officer_a)
    response = client.post(
        reverse("children:child_add"),
        {"commune": geo.commune_a.pk, "full_name": "Lò Văn Dũng", "sex": "male", "birth_date": "15.03.2020"},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # another field refused: its error, not the date's
        assert "birth_date" not in response.context["form"].errors, response.context["form"].errors
    else:
        assert Child.objects.get(full_name="Lò Văn Dũng").birth_date == dt.date(2020, 3, 15)


def test_errors_are_summed_up_at_the_top_with_links_to_the_fields(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:child_add"), {"commune": geo.commune_a.pk, "birth_date": "31/02/2020"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    summary = text.index('data-testid="error-summary"')
    assert summary < text.index('name="full_name"')  # above the fields
    assert 'href="#id_full_name"' in text[summary:] and 'href="#id_birth_date"' in text[summary:]
    assert 'aria-invalid="true"' in text
    # Required fields are marked for the eye and for screen readers.
    label = text[text.index('for="id_full_name"') :]
    assert label.index('aria-hidden="true"> *') < label.index("</label>")
