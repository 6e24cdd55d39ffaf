"""Course rounds, seats, the waitlist, attendance, package contents; customers' dietary needs,
allergies, LINE id and lost reason; a private class's agreed day on an order

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def _rounds_and_packages() -> None:
    op.create_table(
        "package_course",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        _fk("package_course", "package_id", "product", "CASCADE"),
        _fk("package_course", "course_id", "product", "RESTRICT"),
        sa.PrimaryKeyConstraint("package_id", "course_id", name="pk_package_course"),
    )
    op.create_table(
        "course_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("daily_start", sa.Time(), nullable=False),
        sa.Column("daily_end", sa.Time(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("instructor", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint("status IN ('open', 'full', 'closed', 'cancelled')", name="ck_course_round_status_valid"),
        sa.CheckConstraint("capacity > 0", name="ck_course_round_capacity_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_course_round_ends_after_start"),
        _fk("course_round", "product_id", "product", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_course_round"),
    )
    op.create_index("ix_course_round_product_id", "course_round", ["product_id"])
    op.create_index("ix_course_round_starts_on", "course_round", ["starts_on"])
    op.create_index("ix_course_round_status", "course_round", ["status"])
    op.create_index("ix_course_round_product_starts", "course_round", ["product_id", "starts_on"])


def _seats() -> None:
    op.create_table(
        "seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_reason", sa.String(length=24), nullable=True),
        sa.Column("moved_to_id", sa.Integer(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint("state IN ('held', 'taken', 'released')", name="ck_seat_state_valid"),
        _fk("seat", "round_id", "course_round", "RESTRICT"),
        _fk("seat", "order_id", "orders", "CASCADE"),
        _fk("seat", "attendee_id", "customer", "RESTRICT"),
        _fk("seat", "moved_to_id", "seat", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_seat"),
    )
    op.create_index("ix_seat_order_id", "seat", ["order_id"])
    op.create_index("ix_seat_attendee_id", "seat", ["attendee_id"])
    op.create_index("ix_seat_round_state", "seat", ["round_id", "state"])
    op.create_index("ix_seat_held_until", "seat", ["held_until"], postgresql_where=sa.text("state = 'held'"))
    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _now("created_at"),
        sa.Column("to_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('waiting', 'to_contact', 'done')", name="ck_waitlist_entry_status_valid"),
        _fk("waitlist_entry", "round_id", "course_round", "CASCADE"),
        _fk("waitlist_entry", "customer_id", "customer", "CASCADE"),
        _fk("waitlist_entry", "created_by_id", "staff_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_waitlist_entry"),
    )
    op.create_index("ix_waitlist_entry_customer_id", "waitlist_entry", ["customer_id"])
    op.create_index("ix_waitlist_round_status", "waitlist_entry", ["round_id", "status", "id"])
    op.create_table(
        "attendance",
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        _now("marked_at"),
        _fk("attendance", "seat_id", "seat", "CASCADE"),
        _fk("attendance", "marked_by_id", "staff_user", "SET NULL"),
        sa.PrimaryKeyConstraint("seat_id", "day", name="pk_attendance"),
    )


def upgrade() -> None:
    _rounds_and_packages()
    _seats()
    for name, length in (("dietary_needs", 300), ("allergies", 300), ("lost_reason", 300), ("line_id", 60)):
        op.add_column("customer", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("orders", sa.Column("private_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "private_on")
    for name in ("line_id", "lost_reason", "allergies", "dietary_needs"):
        op.drop_column("customer", name)
    for table in ("attendance", "waitlist_entry", "seat", "course_round", "package_course"):
        op.drop_table(table)
