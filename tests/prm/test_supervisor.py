"""The launcher's supervisor restarts a child that stops, with a growing pause."""

import pytest

from prm.supervisor import HEALTHY_AFTER, MAX_BACKOFF, Supervisor


class FakeProcess:
    count = 0

    def __init__(self):
        FakeProcess.count += 1
        self.pid = FakeProcess.count
        self.code = None

    def poll(self):
        return self.code


def _supervisor():
    said = []
    supervisor = Supervisor(spawn=lambda args: FakeProcess(), say=said.append)
    supervisor.add("worker", ["celery", "worker"])
    supervisor.start_all()
    return supervisor, supervisor.children[0], said


def test_a_stopped_child_restarts_after_a_growing_pause():
    supervisor, child, said = _supervisor()
    now = child.started_at
    pauses = []
    for _ in range(7):
        child.process.code = 1
        supervisor.check(now)  # noticed: a pause starts
        pauses.append(child.restart_at - now)
        now = child.restart_at
        supervisor.check(now)  # the pause is over: started again
        assert child.process.poll() is None
    # Moments are monotonic-clock floats: a pause read back as a difference of
    # two large moments may be off in the last bits.
    assert pauses == pytest.approx([1, 2, 4, 8, 16, MAX_BACKOFF, MAX_BACKOFF])
    assert child.restarts == 7
    assert "worker stopped (exit code 1); restarting in 1 s" in said


def test_a_child_that_ran_long_enough_counts_as_healthy_again():
    supervisor, child, _said = _supervisor()
    now = child.started_at
    for _ in range(3):  # three quick failures: 1, 2, 4 s
        child.process.code = 1
        supervisor.check(now)
        now = child.restart_at
        supervisor.check(now)
    child.process.code = 1
    supervisor.check(now + HEALTHY_AFTER)
    assert child.restart_at - (now + HEALTHY_AFTER) == pytest.approx(1)


def test_a_running_child_is_left_alone():
    supervisor, child, said = _supervisor()
    first = child.process
    supervisor.check(child.started_at + 5)
    assert child.process is first and child.restart_at is None
    assert said == [f"worker running (pid {first.pid})"]
