"""Initial catalogue: sources, runs, WARC files, index watermark, users, audit log, legal holds.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("source_type", sa.String(40), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
    )
    op.create_table(
        "warc_files",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("closed_at", TZ, nullable=False),
        sa.Column("fixity_status", sa.String(20), nullable=False),
        sa.Column("fixity_checked_at", TZ, nullable=True),
    )
    op.create_table(
        "index_watermark",
        sa.Column("warc_name", sa.String(300), primary_key=True),
        sa.Column("offset", sa.Integer, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False, index=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("released_at", TZ, nullable=True),
    )
    op.create_table(
        "held_posts",
        sa.Column("hold_id", sa.Integer, sa.ForeignKey("legal_holds.id"), primary_key=True),
        sa.Column("post_id", sa.String(400), primary_key=True),
    )


def downgrade() -> None:
    for table in (
        "held_posts",
        "legal_holds",
        "audit_log",
        "users",
        "index_watermark",
        "warc_files",
        "runs",
        "sources",
    ):
        op.drop_table(table)
