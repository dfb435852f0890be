"""name keys without per-name rules

The cross-script name key no longer gives particular names keys of their own: محمود and محمد
(Mahmoud, Mohammad) share "mhmd", حسين and حسن "hsn", سعيد and سعد "sd", أيمن, إيمان and آمنة
"amn", and a misspelt Mahmoud or Hussein is no longer moved onto a key by a rule for those
names. Such names are told apart by their written vowels when records are compared. Every
stored key is recomputed so archive search and matching agree.

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
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
