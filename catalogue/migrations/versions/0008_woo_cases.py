"""Woo cases (zaken): a request's number, title, the requester's reference, its dates and
status, and the searches that define what it covers; legal holds may name the case they were
placed for (export jobs name theirs since 0007).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "woo_cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("requester_reference", sa.String(200), nullable=False),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
    )
    op.create_table(
        "woo_case_queries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("woo_cases.id"), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("date_from", sa.Date, nullable=True),
        sa.Column("date_to", sa.Date, nullable=True),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
    )
    op.create_index("ix_woo_case_queries_case_id", "woo_case_queries", ["case_id"])
    op.add_column("legal_holds", sa.Column("case_id", sa.Integer, nullable=True))
    op.create_index("ix_legal_holds_case_id", "legal_holds", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_legal_holds_case_id", "legal_holds")
    with op.batch_alter_table("legal_holds") as batch:
        batch.drop_column("case_id")
    op.drop_index("ix_woo_case_queries_case_id", "woo_case_queries")
    op.drop_table("woo_case_queries")
    op.drop_table("woo_cases")
