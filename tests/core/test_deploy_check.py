"""`treem check --deploy` passes in production mode with nothing but what the guide sets (issue 7)."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet


def _check(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_* too: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process
        if not key.startswith(("TREEM_", "DJANGO_"))
    }
    env.update(
        TREEM_DEBUG="0",
        TREEM_SECRET_KEY="k" * 20 + "-production-secret-of-fifty-characters+",
        TREEM_ALLOWED_HOSTS="treem.example.gov.vn",
        TREEM_DATA_DIR=str(tmp_path),
        TREEM_FIELD_KEYS=Fernet.generate_key().decode(),
    )
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "treem.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_mode(tmp_path):
    result = _check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_the_field_keys(tmp_path):
    result = _check(tmp_path, TREEM_FIELD_KEYS="")
    assert result.returncode != 0
    assert "treem.E101" in result.stdout + result.stderr
