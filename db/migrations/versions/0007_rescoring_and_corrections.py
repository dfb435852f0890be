"""re-scoring queued candidates, and corrections of staged fields

``candidates.scored_through_victim_id`` is the highest victim id a candidate was scored
against, so that victims archived after it was queued are compared with it again (every
nightly, and when a documenter decides it). Existing candidates start at NULL: the first
nightly after the upgrade compares every queued report with the whole archive once.
``candidate_history`` records documenters' corrections of staged fields before a decision.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scored_through_victim_id', sa.Integer(), nullable=True))
    op.create_table('candidate_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_candidate_history_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_candidate_history_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_history'))
    )
    with op.batch_alter_table('candidate_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_history_candidate_id'), ['candidate_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('candidate_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_history_candidate_id'))
    op.drop_table('candidate_history')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('scored_through_victim_id')
