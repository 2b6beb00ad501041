"""A real Celery worker process for the tests, on real Redis, reading the test database."""

import json
import os
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import connection

from prm.celery import app

PROBE_MODULE = "tests.probe_tasks"


# The worker of this test session, once started.
RUNNING: "WorkerProcess | None" = None


class WorkerProcess:
    """The session's worker, or (with ``prefix``) a worker of its own queues,
    e.g. one a test kills; ``env`` adds settings such as a short visibility
    timeout."""

    def __init__(self, *, prefix: str | None = None, env: dict | None = None) -> None:
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen | None = None
        self.prefix = prefix or settings.QUEUE_PREFIX
        self.session = prefix is None
        self.extra_env = env or {}

    def start(self, timeout: float = 60) -> None:
        prefix = self.prefix
        queues = ",".join(f"{prefix}.{q}" for q in settings.QUEUES)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "prm.settings.test",
            "PRM_DB_ROLE": "app",
            "PRM_DATABASE_NAME": connection.settings_dict["NAME"],
            "PRM_QUEUE_PREFIX": prefix,
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "prm",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "-Q",
                queues,
                "-n",
                self.name,
                # A job used by the tests only: it fails for one tenant on purpose.
                "--include",
                PROBE_MODULE,
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Celery worker exited during start-up")
            if app.control.ping(destination=[self.name], timeout=0.5):
                if self.session:
                    global RUNNING
                    RUNNING = self
                return
        raise RuntimeError("the Celery worker did not answer within the time limit")

    def wait_until_idle(self, timeout: float = 20) -> None:
        """Until no message waits in this session's queues and none of them is
        being worked on (acknowledged late, a running task's message stays in
        the broker's unacked hash), so that emptying the tables after a test
        never meets a running task.  Gives up quietly after ``timeout``."""
        queues = {f"{settings.QUEUE_PREFIX}.{q}" for q in settings.QUEUES}
        with app.connection_for_write() as connection:
            client = connection.default_channel.client

            def ours_unacked() -> int:
                entries = (json.loads(raw) for raw in client.hvals("unacked"))
                return sum(1 for entry in entries if entry[2] in queues)

            def idle() -> bool:
                return sum(client.llen(q) for q in queues) == 0 and ours_unacked() == 0

            try:
                wait_for(idle, timeout=timeout)
            except AssertionError:
                pass

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_for(condition, timeout: float = 30, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met before the time limit")
