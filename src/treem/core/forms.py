"""Helpers that let forms show the errors services raise."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names (or to the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# The attributes of every date input: the format shown, and a keypad with digits and "." (any of
# "/", "-", "." or no separator is read: formats/*/formats.py DATE_INPUT_FORMATS).
DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "decimal", "autocomplete": "off"}
