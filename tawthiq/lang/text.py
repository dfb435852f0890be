"""Turning bytes into text we can trust, and telling Arabic from English.

Arabic pages and files still arrive in windows-1256, or in UTF-8 with a wrong declared
charset. Decoding with the wrong codec silently produces mojibake that would then be
"extracted" as names, so this module decides carefully and refuses what it cannot decode.
"""

from __future__ import annotations

import re
import unicodedata

from tawthiq.errors import DecodeError, EmptyItemError

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0660-\u0669\u0671-\u06D3\u06FA-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Characters that are never in real text but are typical of binary data decoded as text.
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")


def decode_bytes(data: bytes, declared: str | None = None, *, name: str = "item") -> tuple[str, str]:
    """Decode ``data`` to text and return ``(text, encoding)``.

    Tries the byte-order marks, then UTF-8 (which almost never decodes non-UTF-8 bytes by
    accident), then the declared charset and windows-1256 when the result reads as Arabic.
    Raises :class:`EmptyItemError` for empty input and :class:`DecodeError` naming ``name``
    when the bytes are binary or in no encoding we can trust.
    """
    if not data or not data.strip():
        raise EmptyItemError(f"{name}: the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return _check(data[3:].decode("utf-8", errors="strict"), "utf-8-sig", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check(data.decode("utf-16"), "utf-16", name), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"{name}: starts with a UTF-16 mark but is not UTF-16 ({exc.reason})") from exc
    if b"\x00" in data[:4096]:
        raise DecodeError(f"{name}: binary data, not text (NUL bytes in the first 4 KB)")
    try:
        return _check(data.decode("utf-8"), "utf-8", name), "utf-8"
    except UnicodeDecodeError as utf8_error:
        # Arabic sites often declare a Latin charset (or none) for windows-1256 bytes: bytes that
        # read as Arabic in windows-1256 are taken as such before the declared charset.
        candidates = ["windows-1256", "iso-8859-6"]
        if declared and declared.lower().replace("_", "-") not in ("utf-8", "utf8"):
            candidates.append(declared)
        for encoding in candidates:
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
            if arabic_share(text) >= 0.3 or (encoding == declared and not _looks_garbled(text)):
                return _check(text, encoding, name), encoding
        raise DecodeError(
            f"{name}: not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset "
            f"{utf8_error.start}) and not Arabic in windows-1256 either; save it as UTF-8"
        ) from utf8_error


def _check(text: str, encoding: str, name: str) -> str:
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > 0.01:
        raise DecodeError(f"{name}: binary data decoded as {encoding}, not text")
    return unicodedata.normalize("NFC", text)


def _looks_garbled(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text[:5000])
    return letters < len(text[:5000]) * 0.3


def arabic_share(text: str) -> float:
    """Share of letters in ``text`` that are Arabic (0.0 when there are no letters)."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return arabic / (arabic + latin) if arabic + latin else 0.0


def detect_language(text: str) -> str | None:
    """``"ar"`` or ``"en"`` by the letters used, ``None`` when there are no letters."""
    if not _ARABIC_LETTER.search(text) and not _LATIN_LETTER.search(text):
        return None
    return "ar" if arabic_share(text) >= 0.5 else "en"


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(text: str) -> str:
    """Remove explicit bidirectional overrides and isolates, which can make displayed text
    read differently from what is stored (a known spoofing trick)."""
    return _BIDI_CONTROLS.sub("", text)
