"""name keys without the th/dh spelling table

The cross-script name key no longer gives Latin spellings whose "th" or "dh" is not ث or ذ a
key of their own (Munther, Fadhel, Fathi, Adham, Ramadhan, Radhwan, Nidhal, Taha ...: a table of
names in tawthiq.lang.names): every Latin "th" is read as ث and "dh" as ذ, the وضحه forms follow
the rules of the letters, and a final ه of a two-letter word (طه) is a consonant. The matcher mends such skeletons from the data with the
learnt transliteration model (dedupe/engine.py, respell). Every stored key is recomputed so
archive search and matching agree.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
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
