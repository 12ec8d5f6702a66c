"""Helpers that let forms show the errors services raise."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names (or to the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
