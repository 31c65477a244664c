"""Destruction plans and destroyed Posts (two-step, logged destruction under the selectielijst).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "destruction_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("post_ids", sa.JSON, nullable=False),
        sa.Column("confirmed_by", sa.String(200), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=True),
    )
    op.create_table(
        "destroyed_posts",
        sa.Column("post_id", sa.String(400), primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("destruction_plans.id"), nullable=False),
        sa.Column("destroyed_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("destroyed_posts")
    op.drop_table("destruction_plans")
