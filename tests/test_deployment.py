"""What can be checked about deployment without a Docker engine."""

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_defines_the_whole_stack_with_health_checks():
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name


def test_compose_commands_point_at_real_entry_points():
    services = _compose()["services"]
    web = " ".join(services["web"]["command"])
    assert "gunicorn" in web and "prm.wsgi:application" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "prm", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "prm", "beat"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    module, attribute = "prm.wsgi:application".split(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_compose_runs_the_app_as_a_separate_database_role():
    services = _compose()["services"]
    env = services["web"]["environment"]
    assert env["APP_DB_USER"] != services["postgres"]["environment"]["POSTGRES_USER"]
    assert services["migrate"]["environment"]["PRM_DB_ROLE"] == "owner"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def _production_env(**extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-" + "y" * 30,
        "APP_DB_PASSWORD": "app-password",
        "ALLOWED_HOSTS": "prm.example.com",
    }
    env.pop("PRM_DB_ROLE", None)
    env.update(extra)
    return env


def test_deploy_check_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_models_and_migrations_agree():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prm.settings.test", "PRM_DB_ROLE": "owner"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
