"""Clean-up of a name found in running text: titles, quotes and trailing punctuation.

The titles are the languages package's (:data:`tawthiq.lang.arabic.TITLES`,
:data:`tawthiq.lang.latin.TITLE_WORDS`), the same ones matching drops from the head of a name.
"""

from __future__ import annotations

import re

from tawthiq.lang import arabic, latin

_AR_TITLE = re.compile(rf"^(?:{'|'.join(re.escape(t) for t in sorted(arabic.TITLES, key=len, reverse=True))})\s+")
_LATIN_TITLE = re.compile(r"^([A-Za-z]+)\.?\s+")


def clean_name(name: str) -> str:
    """Strip titles, quotes and trailing punctuation from a name found in text ("Dr. Ahmad
    al-Ali", "the child Omar Haddad", "الطفل محمد الأحمد")."""
    name = name.strip()
    while (match := _LATIN_TITLE.match(name)) and match.group(1).lower() in latin.TITLE_WORDS and name[match.end():].strip():
        name = name[match.end():]
    while match := _AR_TITLE.match(name):
        name = name[match.end():]
    name = name.strip(" \"'“”‘’«»,.;:()")
    return re.sub(r"\s+", " ", name)
