"""The embedded PostgreSQL is private: no TCP, a socket folder only its own
account may enter, and a password for every role; an old data folder that
trusted everyone is converted on start."""

import stat

import psycopg2
import pytest

from prm.embedded import paths
from prm.embedded import postgres as embedded_pg


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PRM_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _refused(**credentials) -> str:
    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect(host=str(embedded_pg.socket_dir()), dbname="prm", **credentials)
    return str(refused.value)


def _assert_private(server: embedded_pg.EmbeddedPostgres, password: str) -> None:
    folder = embedded_pg.socket_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    socket = folder / ".s.PGSQL.5432"
    assert stat.S_IMODE(socket.stat().st_mode) == 0o700
    assert "no password supplied" in _refused(user="postgres")
    assert "password authentication failed" in _refused(user="postgres", password="guess")
    connection = psycopg2.connect(embedded_pg.database_url(password))
    with connection.cursor() as cursor:
        cursor.execute("SHOW listen_addresses")
        assert cursor.fetchone() == ("",)
        cursor.execute("SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'")
        assert cursor.fetchone() == (0,)
    connection.close()
    secrets_file = paths.data_dir() / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_a_new_server_requires_passwords_on_a_private_socket(data_folder):
    server = embedded_pg.EmbeddedPostgres()
    url = server.start()
    try:
        password = paths.stored_secrets()["postgres"]
        assert password and password in url
        _assert_private(server, password)
    finally:
        server.stop()
    assert not (embedded_pg.pg_data() / "postmaster.pid").exists()


def test_an_old_folder_that_trusted_everyone_is_converted(data_folder):
    pgdata = embedded_pg.pg_data()
    account = embedded_pg._server_account()
    paths.private_dir(pgdata, account)
    if account is not None:
        embedded_pg._let_account_reach(pgdata)
    embedded_pg._run(account, "initdb", "-D", str(pgdata), "--auth=trust", "-U", "postgres")
    server = embedded_pg.EmbeddedPostgres()
    server.start()
    try:
        _assert_private(server, paths.stored_secrets()["postgres"])
    finally:
        server.stop()


def test_the_app_role_needs_its_password_too(world):
    """In the suite's own database (embedded or not) the app role signs in with
    the configured password; on the embedded server nothing else gets in."""
    from django.conf import settings
    from django.db import connection

    app = settings.DATABASES["default"]
    assert app["USER"] == settings.APP_DB_USER
    if app["HOST"] != str(embedded_pg.socket_dir()):
        pytest.skip("the suite runs against an outside server with its own rules")
    params = {"host": app["HOST"], "dbname": connection.settings_dict["NAME"]}
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(user=app["USER"], password="wrong", **params)
    psycopg2.connect(user=app["USER"], password=app["PASSWORD"], **params).close()
