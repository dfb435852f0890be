"""search indexes, cluster index, name keys recomputed

The cross-script name key changed (a name's initial vowel, alef or ‘ayn is kept; محمود and
محمد, حسين and حسن no longer share a key), so every stored key is recomputed. Candidates get
an index on their cluster key (the item page reads a cluster). On PostgreSQL, trigram
indexes make the archive's substring search by name fast on a big archive (pg_trgm ships with
PostgreSQL; where the extension cannot be created the search still works, only slower).

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = (("ix_victims_full_name_trgm", "victims", "full_name"), ("ix_victims_name_ar_trgm", "victims", "name_ar"),
                   ("ix_victim_names_key_trgm", "victim_names", "key"))


def upgrade() -> None:
    op.create_index("ix_candidates_cluster_key", "candidates", ["cluster_key"])
    from tawthiq.dedupe import normalize_name

    bind = op.get_bind()
    names = sa.table("victim_names", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("key", sa.String))
    rows = bind.execute(sa.select(names.c.id, names.c.name, names.c.key)).all()
    changed = [{"row_id": row.id, "new_key": normalize_name(row.name)} for row in rows if normalize_name(row.name) != row.key]
    if changed:
        bind.execute(names.update().where(names.c.id == sa.bindparam("row_id")).values(key=sa.bindparam("new_key")), changed)
    if bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():  # a savepoint: a refusal must not abort the migration
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no rights to create it: search stays correct, only slower
            return
        for index, table, column in TRIGRAM_INDEXES:
            op.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index, _, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {index}")
    op.drop_index("ix_candidates_cluster_key", "candidates")
