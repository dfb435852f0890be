"""name keys read by learnt models instead of name tables

The cross-script name key no longer looks names up in hand-written tables (Turkish spellings,
the Latin th/dh names, a list of common given names). A Latin spelling that can be read more
than one way (th, dh, a final t after a vowel) is read as the name of the lexicon learnt from
the dev data (tawthiq/lang/name_lexicon.py) that the learnt transliteration model finds it the
likeliest rendering of, if any (Mohamet and Ahmet as محمد and أحمد), and by the default rules
otherwise; a two-letter Arabic name keeps its final ه (طه, Taha). Every stored key is
recomputed so archive search and matching agree.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from tawthiq.db.archive import recompute_name_keys

    recompute_name_keys(op.get_bind())


def downgrade() -> None:
    pass  # the older keys are not needed: the older code recomputes nothing and searches by name too
