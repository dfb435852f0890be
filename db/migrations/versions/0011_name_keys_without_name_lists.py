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

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from tawthiq.db.archive import recompute_name_keys

    recompute_name_keys(op.get_bind())


def downgrade() -> None:
    pass  # the older keys are not needed: the older code recomputes nothing and searches by name too
