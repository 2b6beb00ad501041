"""Running jobs at the same moment on separate database connections, for the
race tests: each thread has its own connection and transaction."""

import threading

from django.db import connection


def run_together(*jobs):
    """Run the jobs in threads released by one barrier; return what each returned
    or raised (exceptions are returned, for the test to assert on)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except Exception as error:  # noqa: BLE001 (the test asserts on it)
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
