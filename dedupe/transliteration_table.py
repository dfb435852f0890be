"""The learnt transliteration table now lives in :mod:`tawthiq.lang.transliteration_table`,
where name keys read it too (tawthiq/lang imports no matching code); this name stays for
callers of the old path."""

from tawthiq.lang.transliteration_table import EMIT, INSERT, INSERTED

__all__ = ["EMIT", "INSERT", "INSERTED"]
