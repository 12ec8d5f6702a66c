"""TREEM_SECURE_COOKIES: secure cookies in production unless a loopback load test turns them off,
and then the deploy check says so."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet

CODE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
)


def settings_in_production(tmp_path, **env) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TREEM_")}
    base.update(
        {
            "TREEM_DATA_DIR": str(tmp_path),
            "TREEM_DEBUG": "0",
            "TREEM_SECRET_KEY": "x" * 60,
            "TREEM_FIELD_KEYS": Fernet.generate_key().decode(),
            "DJANGO_SETTINGS_MODULE": "treem.settings",
        }
    )
    base.update(env)
    result = subprocess.run(
        [sys.executable, "-c", CODE], env=base, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cookies_are_secure_in_production_by_default(tmp_path):
    assert settings_in_production(tmp_path) == "True True"


def test_a_loopback_load_test_may_turn_them_off(tmp_path):
    assert settings_in_production(tmp_path, TREEM_SECURE_COOKIES="0") == "False False"
