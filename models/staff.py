"""Staff users, their roles, browser sessions and API tokens."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, one_of, timestamp
from models.enums import Language, Role


class StaffRole(SQLModel, table=True):
    """The roles a staff user can hold; rows mirror `Role` (seeded by the first migration)."""

    __tablename__ = "staff_role"
    name: str = Field(primary_key=True, max_length=24)
    description: str = Field(max_length=200)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    __table_args__ = (one_of("language", Language),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=200)
    role: str = Field(foreign_key="staff_role.name", max_length=24, index=True)
    language: str = choice(Language, default=Language.TH)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = auto_now()
    last_login_at: datetime | None = timestamp()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = auto_now()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = timestamp()


class PasswordReset(SQLModel, table=True):
    """A one-time code an admin issued so a person can choose a new password; only its SHA-256."""

    __tablename__ = "password_reset"

    code_hash: str = Field(primary_key=True, max_length=64)
    staff_user_id: int = Field(foreign_key="staff_user.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    created_at: datetime = auto_now()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = (one_of("role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    role: str = choice(Role, default=Role.AGENT)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = auto_now()
    revoked_at: datetime | None = timestamp()
