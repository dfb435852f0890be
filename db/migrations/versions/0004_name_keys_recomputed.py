"""name keys recomputed

The cross-script name key changed again: a bracketed alias is left out ("Nader al-Hassan
(Salloum)"), brackets, quotes and slashes separate Arabic words, Alloush/Alwan keep their
"Al", إلهام and إلياس keep the alef they fold to, چ reads as "ch", and common names whose Latin
"th" or "dh" stands for two letters (Adham, Fathi) or for ذ (Munther) have the key of their
Arabic spelling; العبد الله is the compound Abdullah; Ayman, Iman and Amina have three keys; a
misspelt Mahmoud, Hussein or Said keeps its own; an article split by a misplaced space ("A
lHassan") is mended and a lone letter dropped. Every stored key is recomputed so archive search
and matching agree.

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from tawthiq.db.archive import recompute_name_keys

    recompute_name_keys(op.get_bind())


def downgrade() -> None:
    pass  # the older keys are not needed: the older code recomputes nothing and searches by name too
