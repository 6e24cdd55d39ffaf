"""Column helpers shared by every table: UTC timestamps, THB money, string enums, JSONB."""

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so migrations can name what they create and drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = sa.Numeric(14, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


def auto_now() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


def timestamp(nullable: bool = True, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )


def money(default: Decimal | None = Decimal("0.00")) -> Any:
    return Field(default=default, sa_type=MONEY, nullable=default is None)


def json_field(default_factory: Any = dict) -> Any:
    return Field(
        default_factory=default_factory,
        sa_type=JSONB,
        sa_column_kwargs={"nullable": False, "server_default": sa.text("'{}'::jsonb")}
        if default_factory is dict
        else {"nullable": False, "server_default": sa.text("'[]'::jsonb")},
    )


def choice(enum_cls: type[enum.StrEnum], default: enum.StrEnum | None = None, index: bool = False) -> Any:
    """A short string column holding one of an enum's values; pair it with `one_of` in the
    table's `__table_args__` (a CHECK, not a PostgreSQL enum type: adding a value stays easy)."""
    return Field(default=default, sa_type=sa.String(24), nullable=default is None, index=index)


def one_of(column: str, enum_cls: type[enum.StrEnum]) -> sa.CheckConstraint:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return sa.CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")
