"""Errors tawthiq raises on purpose, drawn as one tree (httpx style)::

    TawthiqError                 anything tawthiq reports to a person as one clear line
    ├── ConfigError              a setting, URL, source or command option is wrong
    ├── SourceError              a whole source could not be pulled this time
    │   ├── SourceAuthError      401/403: credentials missing or refused
    │   └── SourceUnavailable    down, timed out, 5xx or 429 after the retries ran out
    ├── ItemError                one raw item cannot be processed; recorded on the item
    │   ├── EmptyItemError       the file or body has no content
    │   ├── DecodeError          bytes that are not text in any encoding we can trust
    │   └── PayloadError         text that is not the JSON / shape the source promises
    └── ReviewError              a review action that is not allowed (role, claim, state)
        └── InvalidValue         a value typed into a correction or edit that the field cannot hold

An ``ItemError`` never stops a run: the item is marked ``failed`` with the message, and the
other items go on. A ``SourceError`` marks the source failing and the other sources go on.
"""

from __future__ import annotations


class TawthiqError(Exception):
    """Base class: the message is written for the person who will read it."""


class ConfigError(TawthiqError):
    pass


class SourceError(TawthiqError):
    pass


class SourceAuthError(SourceError):
    pass


class SourceUnavailable(SourceError):
    pass


class ItemError(TawthiqError):
    pass


class EmptyItemError(ItemError):
    pass


class DecodeError(ItemError):
    pass


class PayloadError(ItemError):
    pass


class ReviewError(TawthiqError):
    """``code`` and ``params``, when given, let the review app say the same in the page's
    language (``error_<code>`` in review/i18n.py, formatted with ``params``)."""

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class InvalidValue(ReviewError):
    """The review app answers it with 400 (the request is wrong), not 409 (the state is)."""
