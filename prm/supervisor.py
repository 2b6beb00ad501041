"""Keeping the product's processes running: the launcher's supervisor.

Each child (web server, Celery worker, Celery beat) is started and watched; one
that exits is started again after a back-off (1 s, 2 s, 4 s … at most 30 s; a
child that ran a minute counts as healthy again), and the supervisor says so.
Only Ctrl-C or SIGTERM stops everything.  This module must not import Django.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_BACKOFF = 30.0
HEALTHY_AFTER = 60.0


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    failures: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    spawn: Callable[[list[str]], subprocess.Popen]
    children: list[Child] = field(default_factory=list)
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)

    def add(self, name: str, args: list[str]) -> None:
        self.children.append(Child(name=name, args=args))

    def start_all(self) -> None:
        for child in self.children:
            self._start(child, time.monotonic())

    def _start(self, child: Child, now: float) -> None:
        child.process = self.spawn(child.args)
        child.started_at = now
        child.restart_at = None
        self.say(f"{child.name} running (pid {child.process.pid})")

    def check(self, now: float | None = None) -> None:
        """One round: note children that exited, restart those whose back-off is over."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._start(child, now)
                continue
            code = child.process.poll() if child.process else 0
            if code is None:
                continue
            if now - child.started_at >= HEALTHY_AFTER:
                child.failures = 0
            delay = min(MAX_BACKOFF, 2.0**child.failures)
            child.failures += 1
            child.restart_at = now + delay
            self.say(f"{child.name} stopped (exit code {code}); restarting in {delay:.0f} s")

    def run(self, interval: float = 0.5) -> None:
        """Watch until interrupted (KeyboardInterrupt), then stop every child."""
        try:
            while True:
                self.check()
                time.sleep(interval)
        finally:
            self.stop()

    def stop(self, timeout: float = 20.0) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
