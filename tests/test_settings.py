"""Settings come from the environment; production mode refuses to start without a secret key."""

import os
import subprocess
import sys


def run_settings(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TREEM_")}
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import treem.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_without_secret_key_fails_loudly(tmp_path):
    result = run_settings(TREEM_DEBUG="0", TREEM_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TREEM_SECRET_KEY must be set" in result.stderr


def test_production_mode_with_secret_key_and_postgres_url(tmp_path):
    result = run_settings(
        TREEM_DEBUG="0",
        TREEM_SECRET_KEY="x" * 50,
        TREEM_DATA_DIR=str(tmp_path),
        TREEM_DATABASE_URL="postgres://treem:secret@db.example:5432/treem",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def test_demo_defaults_to_sqlite_under_the_data_folder(tmp_path):
    result = run_settings(TREEM_DATA_DIR=str(tmp_path / "nested"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]
    assert (tmp_path / "nested").is_dir()
