"""Fail fast in production: the web process (WSGI) refuses to start without the field keys or the
secret key, naming the setting; with them it starts."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet


def start_wsgi(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TREEM_")}
    base.update(
        {"TREEM_DATA_DIR": str(tmp_path), "TREEM_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "treem.settings"}
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import treem.wsgi"], env=base, capture_output=True, text=True, timeout=120
    )


def test_the_web_process_refuses_to_start_without_field_keys(tmp_path):
    result = start_wsgi(tmp_path, TREEM_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "treem refuses to start in production" in result.stderr and "TREEM_FIELD_KEYS" in result.stderr


def test_the_web_process_refuses_to_start_without_a_secret_key(tmp_path):
    result = start_wsgi(tmp_path, TREEM_FIELD_KEYS=Fernet.generate_key().decode())
    assert result.returncode != 0 and "TREEM_SECRET_KEY" in result.stderr


def test_the_web_process_starts_with_both(tmp_path):
    result = start_wsgi(tmp_path, TREEM_SECRET_KEY="x" * 60, TREEM_FIELD_KEYS=Fernet.generate_key().decode())
    assert result.returncode == 0, result.stderr
