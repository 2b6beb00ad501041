"""The two commands of the README: run the product, run the tests.

``python -m prm.launcher run [--dev]``  starts embedded PostgreSQL/Redis unless
DATABASE_URL/REDIS_URL are set, migrates, loads the demo data, then serves the
web app with a Celery worker and Celery beat, restarting any of the three that
stops, until Ctrl-C or SIGTERM.  It serves with debug off (branded error pages,
static files by WhiteNoise); ``--dev`` turns Django's debug pages on.
``python -m prm.launcher test [pytest args]`` runs the test suite against the
same kind of services.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from . import embedded
from .supervisor import Supervisor

PYTHON = sys.executable
ROOT = embedded.BASE_DIR


def _manage(*args: str, role: str = "app", settings: str = "prm.settings.dev") -> None:
    env = {**os.environ, "PRM_DB_ROLE": role, "DJANGO_SETTINGS_MODULE": settings}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PRM_DB_ROLE": "app", "DJANGO_SETTINGS_MODULE": "prm.settings.dev"}
    return subprocess.Popen(args, cwd=ROOT, env=env)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args: list[str]) -> int:
    # Explicit handlers: a shell may start us with SIGINT ignored, and SIGTERM
    # (from a service manager) deserves the same orderly stop as Ctrl-C.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}")
    # Debug pages list every URL and show code; only asked for, never by default.
    os.environ["DEBUG"] = "1" if "--dev" in args else "0"
    beat_schedule = embedded.data_dir() / "celerybeat-schedule"
    with embedded.Services() as services:
        if services.started:
            print(
                f"Embedded {' and '.join(services.started)} running (data in "
                f"{embedded.data_dir()}).",
                flush=True,
            )
        _manage("migrate", "--no-input", role="owner")
        _manage("seed_demo")
        celery = [PYTHON, "-m", "celery", "-A", "prm"]
        supervisor = Supervisor(spawn=_spawn)
        supervisor.add(
            "web",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "prm.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
        )
        supervisor.add(
            "worker",
            [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2", "-Q", _queues()],
        )
        supervisor.add(
            "beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", str(beat_schedule)]
        )
        supervisor.start_all()
        print(f"\nPRM is running at http://{host}:{port}/  (Ctrl-C stops everything)\n", flush=True)
        try:
            supervisor.run()
        except KeyboardInterrupt:
            pass
    print("Stopped.")
    return 0


def _queues() -> str:
    prefix = os.environ.get("PRM_QUEUE_PREFIX", "prm")
    return ",".join(f"{prefix}.{name}" for name in ("default", "email", "batch"))


def test(args: list[str]) -> int:
    with embedded.Services():
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prm.settings.test"}
        return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print("usage: python -m prm.launcher run [--dev] | test [pytest args]", file=sys.stderr)
        return 2
    if argv[0] == "run":
        return run(argv[1:])
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
