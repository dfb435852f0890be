"""Encryption at rest of submitters' contact details (Fernet: AES-128-CBC with HMAC-SHA256).

Families who submit a death give their relation, name and a phone number or e-mail so that a
documenter can follow up. Those details must never sit in plain text in the database: not in
``submitter_contacts``, not inside the raw payload kept from the form, KoboToolbox or ODK.

The key is ``TAWTHIQ_FERNET_KEY`` or, when unset, a key generated once and kept in
``tawthiq-fernet.key`` beside the SQLite database (mode 600). Back it up: without it the
details cannot be read again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from tawthiq.errors import ConfigError

ENV_VAR = "TAWTHIQ_FERNET_KEY"
KEY_FILE = "tawthiq-fernet.key"
#: Prefix of an encrypted value inside a JSON payload.
TOKEN_PREFIX = "enc:fernet:"


def _fernet() -> Fernet:
    from tawthiq.db.engine import get_database_url

    return _fernet_for(get_database_url())


@lru_cache(maxsize=8)
def _fernet_for(database_url: str) -> Fernet:
    from tawthiq.keys import load_secret

    key = load_secret(ENV_VAR, KEY_FILE, database_url, generate=lambda: Fernet.generate_key().decode("ascii"))
    try:
        return Fernet(key.encode("ascii") if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{ENV_VAR} is not a valid Fernet key (32 url-safe base64-encoded bytes)") from exc


def encrypt_json(obj: Any) -> bytes:
    """Encrypt any JSON-serialisable value."""
    return _fernet().encrypt(json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def decrypt_json(data: bytes) -> Any:
    try:
        return json.loads(_fernet().decrypt(bytes(data)).decode("utf-8"))
    except InvalidToken as exc:
        raise ConfigError("cannot decrypt submitter details: the Fernet key is not the one they were encrypted with") from exc


def protect_submission(payload: Mapping[str, Any], fields: tuple[str, ...] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(payload with submitter answers encrypted in place, plain submitter answers)``.

    Works on flat (KoboToolbox ``group/question``) and nested (ODK) payloads; a question is a
    submitter question when its last path segment is in ``fields`` (default: the family
    form's submitter questions).
    """
    from tawthiq.extractors.forms import SUBMITTER_FIELDS

    fields = fields or SUBMITTER_FIELDS
    plain: dict[str, Any] = {}

    def walk(obj: Any, path: str) -> Any:
        if isinstance(obj, dict):
            out = {}
            for key, value in obj.items():
                child = f"{path}/{key}" if path else str(key)
                if str(key).rsplit("/", 1)[-1] in fields and not isinstance(value, dict) and value not in (None, ""):
                    if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
                        out[key] = value
                        continue
                    plain[child] = value
                    out[key] = TOKEN_PREFIX + encrypt_json(value).decode("ascii")
                else:
                    out[key] = walk(value, child)
            return out
        if isinstance(obj, list):
            return [walk(v, path) for v in obj]
        return obj

    return walk(dict(payload), ""), plain
