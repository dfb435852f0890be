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

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from tawthiq.db.archive import name_key

    bind = op.get_bind()
    names = sa.table("victim_names", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("key", sa.String))
    rows = bind.execute(sa.select(names.c.id, names.c.name, names.c.key)).all()
    changed = []
    for row in rows:
        key = name_key(row.name)
        if key != row.key:
            changed.append({"row_id": row.id, "new_key": key})
    if changed:
        bind.execute(names.update().where(names.c.id == sa.bindparam("row_id")).values(key=sa.bindparam("new_key")), changed)


def downgrade() -> None:
    pass  # the older keys are not needed: the older code recomputes nothing and searches by name too
