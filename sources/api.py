"""What the KoboToolbox and ODK Central connectors share: secrets, an API client, JSON pages.

Secrets (API tokens, passwords) never live in a source's settings: the settings name an
environment variable (``token_env``) or a Prefect Secret block (``token_block``) and the value
is read at pull time, used in a header, and never logged or stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any, cast

from tawthiq.errors import ConfigError, SourceAuthError, SourceUnavailable

from .http import FetchError, Fetcher, Interrupted, Response

#: Seconds between two API requests to one host unless a source sets ``delay``.
API_DELAY = 0.5
#: A page of 1000 submissions with long accounts runs to megabytes; above this it is refused.
API_MAX_BYTES = 64 * 1024 * 1024


def read_secret(source: str, settings: dict[str, Any], key: str) -> str:
    """The secret ``key`` (``token``, ``user``, ``password``) for ``source``, from the
    environment variable named by ``<key>_env`` or the Prefect Secret block ``<key>_block``."""
    env_name = settings.get(f"{key}_env")
    block_name = settings.get(f"{key}_block")
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            raise SourceAuthError(f"source {source!r}: environment variable {env_name} (its {key}) is not set")
        return value
    if block_name:
        try:
            from prefect.blocks.system import Secret

            # Called outside an event loop (as a source's pull is), load returns the block itself.
            secret = cast("Secret[Any]", Secret.load(block_name))
            return str(secret.get())
        except Exception as exc:
            raise SourceAuthError(f"source {source!r}: cannot read Prefect Secret block {block_name!r} (its {key}): {type(exc).__name__}") from exc
    raise ConfigError(f"source {source!r}: no {key} configured; set {key}_env to the name of an environment variable")


def api_fetcher(settings: dict[str, Any]) -> Fetcher:
    """A client for a form server's API: polite (delay, retries, Retry-After) but without
    robots.txt, which governs crawlers, not an authenticated API the team owns."""
    fetcher = Fetcher.from_settings(settings, respect_robots=False)
    if "delay" not in settings:
        fetcher.delay = API_DELAY
    if "max_bytes" not in settings:
        fetcher.max_bytes = API_MAX_BYTES
    return fetcher


def get_json(fetcher: Fetcher, url: str, source: str, headers: dict[str, str]) -> Any:
    """GET a JSON document, turning what can go wrong into an error naming the source:
    401/403 (:class:`SourceAuthError`), anything else after the retries, or a body that is
    not JSON (:class:`SourceUnavailable`)."""
    return parse_json(request(fetcher, url, source, headers), source)


def request(fetcher: Fetcher, url: str, source: str, headers: dict[str, str], *, post: dict | None = None,
            accept: tuple[str, ...] = ("application/json",)) -> Response:
    """GET (or POST ``post`` as JSON to) ``url`` for ``source``, its failures as source errors.
    A stop request or the source's deadline stays what it is (:class:`~.http.Interrupted`,
    named after the source): the pull ends there, and the watermark, which moves only after
    the last page, has not moved past what was stored."""
    try:
        if post is not None:
            return fetcher.post_json(url, post, headers=headers, accept=accept)
        return fetcher.get(url, headers=headers, accept=accept)
    except Interrupted as exc:
        raise exc.for_source(source) from exc
    except FetchError as exc:
        if exc.status in (401, 403):
            what = "refused the credentials" if exc.status == 401 else "does not allow this account to read it"
            raise SourceAuthError(f"source {source!r}: {url} {what} (HTTP {exc.status}); check the token or password and the account's permissions") from exc
        raise SourceUnavailable(f"source {source!r}: {exc}") from exc


def parse_json(response: Response, source: str) -> Any:
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceUnavailable(f"source {source!r}: {response.url} did not return valid JSON ({exc}); the server may be misconfigured or behind a login page") from exc


def parse_api_time(value: Any) -> dt.datetime | None:
    """A server's ISO timestamp (KoboToolbox ``_submission_time``, usually without an offset;
    ODK Central ``submissionDate``, with ``Z``) as an aware UTC datetime, or ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
