"""Secrets tawthiq generates for itself when none is configured (session signing, Fernet).

A secret comes from its environment variable, else from a file beside the SQLite database
(or in the working directory for PostgreSQL), created once with mode 600, so that a restart
neither logs everyone out nor loses the key to encrypted contact details.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from collections.abc import Callable

from sqlalchemy.engine import make_url

from tawthiq.db.engine import get_database_url


def secret_dir(database_url: str | None = None) -> Path:
    """Where generated keys live: beside a SQLite database, else the working directory."""
    url = make_url(get_database_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database).resolve().parent
    return Path.cwd()


def load_secret(env_var: str, filename: str, database_url: str | None = None, generate: Callable[[], str] | None = None) -> str:
    """A secret from ``env_var``, else from ``filename`` beside the database, created with
    mode 600 on first use."""
    value = os.environ.get(env_var)
    if value:
        return value
    path = secret_dir(database_url) / filename
    if path.exists():
        return path.read_text().strip()
    value = (generate or (lambda: secrets.token_urlsafe(48)))()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


