"""System checks of the cases app: production refuses to start without usable field keys."""

from django.conf import settings
from django.core import checks

from treem.cases.encryption import configured_keys, key_problem


@checks.register(checks.Tags.security, deploy=False)
def field_keys_configured(app_configs=None, **kwargs):
    """Encrypted fields need keys; outside debug mode they must come from TREEM_FIELD_KEYS."""
    errors = []
    keys = configured_keys()
    problem = key_problem(keys)
    if problem:
        errors.append(
            checks.Error(
                problem,
                hint="Set TREEM_FIELD_KEYS to one or more Fernet keys, comma-separated (python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").',
                id="treem.E101",
            )
        )
    elif not settings.DEBUG and getattr(settings, "TREEM_FIELD_KEYS_GENERATED", False):
        errors.append(
            checks.Error(
                "The field encryption key is the generated demo key: production needs TREEM_FIELD_KEYS.",
                hint="Set TREEM_FIELD_KEYS in the environment (and keep a copy with the backups).",
                id="treem.E102",
            )
        )
    return errors
