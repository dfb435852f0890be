"""incidents and the anonymous archive

Each news item that reports a death gets an ``incident_reports`` row (the counts it states, with
their sentences) and an ``incident_tasks`` row in the queue; a documenter's decision writes
``incidents`` (the archived incident, counts as min-max ranges), its ``incident_sources`` and
``incident_history``. Candidates name the report of their item, victims the archived incident
they were killed in: the anonymous archive is an incident's count less its named victims.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('governorate', sa.String(length=40), nullable=True),
    sa.Column('locality', sa.String(length=200), nullable=True),
    sa.Column('perpetrator', sa.String(length=40), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=False),
    sa.Column('killed_min', sa.Integer(), nullable=False),
    sa.Column('killed_max', sa.Integer(), nullable=True),
    sa.Column('children_killed', sa.Integer(), nullable=False),
    sa.Column('women_killed', sa.Integer(), nullable=False),
    sa.Column('injured_min', sa.Integer(), nullable=True),
    sa.Column('injured_max', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_date'), ['date'], unique=False)

    op.create_table('incident_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('raw_item_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('governorate', sa.String(length=40), nullable=True),
    sa.Column('locality', sa.String(length=200), nullable=True),
    sa.Column('perpetrator', sa.String(length=40), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=False),
    sa.Column('killed', sa.Integer(), nullable=True),
    sa.Column('killed_min', sa.Integer(), nullable=True),
    sa.Column('killed_max', sa.Integer(), nullable=True),
    sa.Column('children_killed', sa.Integer(), nullable=True),
    sa.Column('women_killed', sa.Integer(), nullable=True),
    sa.Column('injured_min', sa.Integer(), nullable=True),
    sa.Column('injured_max', sa.Integer(), nullable=True),
    sa.Column('named_victims', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('field_evidence', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('spans', sa.JSON(), nullable=False),
    sa.Column('extractor', sa.String(length=40), nullable=False),
    sa.Column('extractor_version', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_reports_incident_id_incidents')),
    sa.ForeignKeyConstraint(['raw_item_id'], ['raw_items.id'], name=op.f('fk_incident_reports_raw_item_id_raw_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_reports')),
    sa.UniqueConstraint('raw_item_id', 'seq', name=op.f('uq_incident_reports_raw_item_id_seq'))
    )
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.create_index('ix_incident_reports_state', ['state'], unique=False)

    op.create_table('incident_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claim_expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_incident_tasks_claimed_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['incident_reports.id'], name=op.f('fk_incident_tasks_report_id_incident_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_tasks')),
    sa.UniqueConstraint('report_id', name=op.f('uq_incident_tasks_report_id'))
    )
    with op.batch_alter_table('incident_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_incident_tasks_state', ['state'], unique=False)

    op.create_table('incident_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_decisions_incident_id_incidents')),
    sa.ForeignKeyConstraint(['report_id'], ['incident_reports.id'], name=op.f('fk_incident_decisions_report_id_incident_reports')),
    sa.ForeignKeyConstraint(['task_id'], ['incident_tasks.id'], name=op.f('fk_incident_decisions_task_id_incident_tasks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_incident_decisions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_decisions'))
    )
    op.create_table('incident_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['incident_decisions.id'], name=op.f('fk_incident_history_decision_id_incident_decisions')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_history_incident_id_incidents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_incident_history_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_history'))
    )
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_history_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('raw_item_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('killed_min', sa.Integer(), nullable=True),
    sa.Column('killed_max', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['incident_decisions.id'], name=op.f('fk_incident_sources_decision_id_incident_decisions')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_sources_incident_id_incidents')),
    sa.ForeignKeyConstraint(['raw_item_id'], ['raw_items.id'], name=op.f('fk_incident_sources_raw_item_id_raw_items')),
    sa.ForeignKeyConstraint(['report_id'], ['incident_reports.id'], name=op.f('fk_incident_sources_report_id_incident_reports')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_incident_sources_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_sources')),
    sa.UniqueConstraint('incident_id', 'report_id', name=op.f('uq_incident_sources_incident_id_report_id'))
    )
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_candidates_incident_report_id'), ['incident_report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_candidates_incident_report_id_incident_reports'), 'incident_reports', ['incident_report_id'], ['id'])

    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_victims_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_victims_incident_id_incidents'), 'incidents', ['incident_id'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_victims_incident_id_incidents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_victims_incident_id'))
        batch_op.drop_column('incident_id')

    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_candidates_incident_report_id_incident_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_candidates_incident_report_id'))
        batch_op.drop_column('incident_report_id')

    op.drop_table('incident_sources')
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_history_incident_id'))

    op.drop_table('incident_history')
    op.drop_table('incident_decisions')
    with op.batch_alter_table('incident_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_tasks_state')

    op.drop_table('incident_tasks')
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_reports_state')

    op.drop_table('incident_reports')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_date'))

    op.drop_table('incidents')
