"""What every form connector does to a submission before it is stored.

KoboToolbox, ODK Central, the built-in web form and partners' files all hand tawthiq a JSON
object per submission. Before it is stored raw, the submitter's answers are encrypted inside
it (they must never sit in plain text, not even in the raw payload), and a digest of the
answers as received identifies it, so the same submission pulled again is recognised even
though its stored bytes differ (Fernet uses a fresh nonce each time).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from collections.abc import Mapping

from . import FetchedItem

#: Keys that change without the family's answers changing (review state, validation status,
#: notes, tags, geolocation recomputed): left out of the identifying digest so that a
#: documenter's comment on KoboToolbox or ODK Central is not a new version of the report.
VOLATILE_KEYS = ("__system", "_validation_status", "_notes", "_tags", "_status", "_attachments",
                 "_geolocation", "_submitted_by", "_supplementalDetails", "@odata.context")


def submission_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 of a submission's answers (keys sorted, volatile bookkeeping left out)."""
    answers = {k: v for k, v in payload.items() if k not in VOLATILE_KEYS}
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def protect_payload(payload: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """``(bytes to store, plain submitter answers)``: the payload as UTF-8 JSON with the
    submitter's answers encrypted in place."""
    from tawthiq.crypto import protect_submission

    protected, plain = protect_submission(payload)
    return json.dumps(protected, ensure_ascii=False, indent=1).encode("utf-8"), plain


def form_item(external_id: str, payload: Mapping[str, Any], **fields: Any) -> FetchedItem:
    """A :class:`FetchedItem` for one JSON submission, protected and identified as above.
    ``fields`` are passed to :class:`FetchedItem` (url, meta, attachments, supersedes ...)."""
    content, submitter = protect_payload(payload)
    return FetchedItem(
        external_id=external_id,
        content=content,
        kind="form",
        content_type="application/json",
        submitter=submitter,
        received_sha256=submission_digest(payload),
        **fields,
    )
