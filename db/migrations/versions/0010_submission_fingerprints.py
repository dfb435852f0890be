"""an indexed fingerprint of family submissions

``raw_items.fingerprint`` (with an index on source and fingerprint) holds what the web form
kept in ``meta["fingerprint"]``: a SHA-256 of a submission's answers and files. Finding an
identical earlier submission was a read of every submission's metadata for 30 days; it is now
one indexed lookup. Existing fingerprints are copied from the metadata.

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('raw_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_raw_items_source_fingerprint', ['source_id', 'fingerprint'], unique=False)
    raw_items = sa.table('raw_items', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                         sa.column('meta', sa.JSON()), sa.column('fingerprint', sa.String()))
    conn = op.get_bind()
    found = [(row.id, row.meta["fingerprint"]) for row in conn.execute(sa.select(raw_items.c.id, raw_items.c.meta)
                                                                       .where(raw_items.c.kind == 'form'))
             if isinstance(row.meta, dict) and isinstance(row.meta.get("fingerprint"), str)]
    for item_id, fingerprint in found:
        conn.execute(raw_items.update().where(raw_items.c.id == item_id).values(fingerprint=fingerprint))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('raw_items', schema=None) as batch_op:
        batch_op.drop_index('ix_raw_items_source_fingerprint')
        batch_op.drop_column('fingerprint')
