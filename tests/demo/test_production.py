"""Production mode: clean deploy checks with a complete environment, and a loud stop without."""

import re
from pathlib import Path

from cryptography.fernet import Fernet

from .conftest import REPO, production_env, run_tocsin, tocsin_env


def test_it_passes_the_deploy_checks_in_production(tmp_path):
    result = run_tocsin(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_will_not_start_in_production_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["TOCSIN_SECRET_KEY"]
    result = run_tocsin("check", env=env)
    assert result.returncode != 0
    assert "TOCSIN_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "development-secrets.json").exists()


def test_it_names_every_missing_production_setting(tmp_path):
    env = tocsin_env(tmp_path, TOCSIN_ENV="production")
    result = run_tocsin("check", env=env)
    assert result.returncode != 0
    for name in ["TOCSIN_ENCRYPTION_KEYS", "TOCSIN_BLIND_INDEX_KEY", "TOCSIN_ALLOWED_HOSTS"]:
        assert name in result.stderr


def test_it_generates_keys_that_production_accepts(tmp_path):
    result = run_tocsin("generate-key", env=tocsin_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = dict(re.findall(r"^(TOCSIN_[A-Z_]+)=(\S+)$", result.stdout, re.MULTILINE))
    assert set(values) == {"TOCSIN_SECRET_KEY", "TOCSIN_ENCRYPTION_KEYS", "TOCSIN_BLIND_INDEX_KEY"}
    Fernet(values["TOCSIN_ENCRYPTION_KEYS"])
    assert len(values["TOCSIN_SECRET_KEY"]) >= 50
    checked = run_tocsin(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path, **values)
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def settings_variables() -> set[str]:
    source = Path(REPO / "tocsin" / "settings.py").read_text()
    names = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))
    names |= set(re.findall(r"\"(TOCSIN_[A-Z0-9_]+)\"", source))
    return names


def test_env_example_lists_every_variable_the_settings_read():
    example = (REPO / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert "DATABASE_URL" in settings_variables()
    missing = settings_variables() - documented
    assert not missing, f".env.example does not list {sorted(missing)}"


def test_env_example_explains_each_variable():
    lines = (REPO / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^#?\s*[A-Z][A-Z0-9_]+=", line):
            assert index > 0 and lines[index - 1].startswith("#"), f"no comment above {line}"


def test_it_generates_keys_where_production_settings_are_still_missing(tmp_path):
    result = run_tocsin("generate-key", env=tocsin_env(tmp_path, TOCSIN_ENV="production"))
    assert result.returncode == 0, result.stderr
    assert "TOCSIN_ENCRYPTION_KEYS=" in result.stdout
