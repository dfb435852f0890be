"""the extractor and version that last read each raw item

``raw_items.extractor`` and ``raw_items.extractor_version`` say which extractor last read an
item, so that ``tawthiq reextract`` finds the items read with an older one, those that gave
no candidate and no incident report too. Existing items take them from their candidates and
incident reports (the oldest version among them; a documenter's own candidates do not count);
an item that gave none stays None, which reextract reads as "older than any".

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    """``"1.10.0"`` after ``"1.9.2"``: each dotted part as a number where it is one."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('raw_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extractor', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('extractor_version', sa.String(length=20), nullable=True))
    conn = op.get_bind()
    oldest: dict[int, tuple[str, str]] = {}
    for table in ('candidates', 'incident_reports'):
        rows = sa.table(table, sa.column('raw_item_id', sa.Integer()), sa.column('extractor', sa.String()),
                        sa.column('extractor_version', sa.String()))
        query = (sa.select(rows.c.raw_item_id, rows.c.extractor, rows.c.extractor_version)
                 .where(rows.c.extractor != 'documenter')
                 .group_by(rows.c.raw_item_id, rows.c.extractor, rows.c.extractor_version))
        for item_id, extractor, version in conn.execute(query):
            if not version:
                continue
            known = oldest.get(item_id)
            if known is None or _version_key(version) < _version_key(known[1]):
                oldest[item_id] = (extractor, version)
    by_reading: dict[tuple[str, str], list[int]] = {}
    for item_id, reading in oldest.items():
        by_reading.setdefault(reading, []).append(item_id)
    raw_items = sa.table('raw_items', sa.column('id', sa.Integer()), sa.column('extractor', sa.String()),
                         sa.column('extractor_version', sa.String()))
    for (extractor, version), ids in by_reading.items():
        ids.sort()
        for start in range(0, len(ids), 500):
            conn.execute(raw_items.update().where(raw_items.c.id.in_(ids[start:start + 500]))
                         .values(extractor=extractor, extractor_version=version))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('raw_items', schema=None) as batch_op:
        batch_op.drop_column('extractor_version')
        batch_op.drop_column('extractor')
