"""The audit log becomes an append-only hash chain (existing rows are chained in id order);
deleted users keep their row as a tombstone; legal holds get a case number, an idempotency key,
a pending mark for the index and a release reason; destruction plans get their reason, the
selectielijst basis they rest on and a pending mark for the index.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from catalogue.audit_chain import GENESIS, row_digest

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
APPEND_ONLY = "audit log rows are append-only"


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("prev_sha256", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("sha256", sa.String(64), nullable=True))
    _chain_existing_rows()
    op.create_index("ux_audit_log_prev_sha256", "audit_log", ["prev_sha256"], unique=True)
    _append_only_triggers()
    op.add_column("users", sa.Column("deleted_at", TZ, nullable=True))
    op.add_column("legal_holds", sa.Column("case_number", sa.String(100), nullable=True))
    op.add_column("legal_holds", sa.Column("request_key", sa.String(64), nullable=True))
    op.add_column(
        "legal_holds",
        sa.Column("index_pending", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("legal_holds", sa.Column("released_by", sa.String(200), nullable=True))
    op.add_column("legal_holds", sa.Column("release_reason", sa.Text, nullable=True))
    op.create_index("ix_legal_holds_request_key", "legal_holds", ["request_key"])
    op.add_column("destruction_plans", sa.Column("reason", sa.Text, nullable=True))
    op.add_column("destruction_plans", sa.Column("basis", sa.String(300), nullable=True))
    op.add_column(
        "destruction_plans",
        sa.Column("index_pending", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def _chain_existing_rows() -> None:
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("at", TZ),
        sa.column("username", sa.String),
        sa.column("action", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("prev_sha256", sa.String),
        sa.column("sha256", sa.String),
    )
    bind = op.get_bind()
    previous = GENESIS
    rows = bind.execute(
        sa.select(
            audit.c.id, audit.c.at, audit.c.username, audit.c.action, audit.c.detail
        ).order_by(audit.c.id)
    ).all()
    for row in rows:
        digest = row_digest(previous, row.at, row.username or "", row.action, row.detail or {})
        bind.execute(
            audit.update().where(audit.c.id == row.id).values(prev_sha256=previous, sha256=digest)
        )
        previous = digest


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
            # SQLSTATE 23000, so drivers report it as an integrity error, as SQLite's ABORT is
            f"RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'integrity_constraint_violation'; "
            "END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(  # TRUNCATE skips row triggers
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index("ux_audit_log_prev_sha256", "audit_log")
    op.drop_index("ix_legal_holds_request_key", "legal_holds")
    for table, column in (
        ("destruction_plans", "index_pending"),
        ("destruction_plans", "basis"),
        ("destruction_plans", "reason"),
        ("legal_holds", "release_reason"),
        ("legal_holds", "released_by"),
        ("legal_holds", "index_pending"),
        ("legal_holds", "request_key"),
        ("legal_holds", "case_number"),
        ("users", "deleted_at"),
        ("audit_log", "sha256"),
        ("audit_log", "prev_sha256"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
