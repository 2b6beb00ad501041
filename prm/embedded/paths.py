"""Where the embedded servers keep their data, sockets and generated secrets."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Unix socket paths are limited to ~107 bytes; fall back to a short temp path.
_MAX_SOCKET_PATH = 100


def data_dir() -> Path:
    return Path(os.environ.get("PRM_DATA_DIR", BASE_DIR / ".prm-data")).resolve()


def socket_folder(path: Path, prefix: str, socket_name: str) -> Path:
    """``path``, or a short one in the temp folder named after it when the
    socket ``socket_name`` inside it would be too long."""
    if len(str(path / socket_name)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"{prefix}-{digest}"


def _secrets_file() -> Path:
    return data_dir() / "secrets.json"


def stored_secrets() -> dict[str, str]:
    """The passwords generated for the embedded database roles ({} before the
    first start)."""
    try:
        return json.loads(_secrets_file().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def ensure_secrets(*names: str) -> dict[str, str]:
    """The stored passwords, generating any that are missing; the file is
    readable by its owner only."""
    known = stored_secrets()
    missing = [name for name in names if not known.get(name)]
    if missing:
        known.update({name: secrets.token_urlsafe(24) for name in missing})
        path = _secrets_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(known, handle)
        path.chmod(0o600)
    return known


def private_dir(path: Path, account: pwd.struct_passwd | None = None) -> None:
    """``path`` exists, is a real directory, and only ``account`` (default: us)
    may enter it."""
    path.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise RuntimeError(f"{path} must be a directory of its own")
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)
    elif path.stat().st_uid != os.geteuid():
        raise RuntimeError(f"{path} belongs to someone else; remove it")
    path.chmod(0o700)
