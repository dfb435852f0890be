"""undo of incident decisions

An incident decision can be undone as a victim decision can: ``incident_decisions.undone`` and
``undoes_id`` (the undo is a decision of its own), and ``incident_sources.active`` (the report
leaves the incident; the row is kept).

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('incident_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undoes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('undone', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_incident_decisions_undoes_id_incident_decisions'), 'incident_decisions',
                                    ['undoes_id'], ['id'])
    with op.batch_alter_table('incident_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('incident_sources', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('incident_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incident_decisions_undoes_id_incident_decisions'), type_='foreignkey')
        batch_op.drop_column('undone')
        batch_op.drop_column('undoes_id')
