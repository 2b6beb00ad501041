"""Test session setup: the test database is created and migrated by the owner
role, then every test talks to it as the app role, so row-level security is in
force throughout the suite exactly as in production."""

import pytest
from django.conf import settings

from tests.world import build_world

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    from django.db import connections

    connection = connections["default"]
    app = {key: connection.settings_dict[key] for key in CREDENTIALS}
    owner = {key: settings.DATABASE_OWNER[key] for key in CREDENTIALS}
    original_name = connection.settings_dict["NAME"]

    def use(credentials):
        connection.close()
        connection.settings_dict.update(credentials)

    with django_db_blocker.unblock():
        use(owner)
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
        with connection.cursor() as cursor:
            # Transactional tests empty the tables with TRUNCATE afterwards;
            # only the test database grants that to the app role.
            cursor.execute(
                f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{settings.APP_DB_USER}"'
            )
        use(app)
    yield
    with django_db_blocker.unblock():
        use(owner)
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=False)
        use(app)


@pytest.fixture
def world(db):
    """Two tenants (A, B), two partners in A (P, Q), one user per role."""
    return build_world()


@pytest.fixture
def tx_world(transactional_db):
    """The world in committed transactions (for races and the real worker).
    Before the tables are emptied, the session's worker finishes whatever the
    test's commits sent it (e-mails, exports), or the two would deadlock."""
    yield build_world()
    from tests import celery_worker

    if celery_worker.RUNNING is not None:
        celery_worker.RUNNING.wait_until_idle()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """One real worker process per test session, started on first use."""
    from tests.celery_worker import WorkerProcess

    worker = WorkerProcess()
    with django_db_blocker.unblock():
        worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def eager_tasks():
    """Tasks enqueued while the test runs execute at once in this process (their
    e-mails land in django.core.mail.outbox), instead of going to a worker."""
    from prm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def redis_down(settings):
    """The cache's Redis cannot be reached: nothing listens at its address."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
