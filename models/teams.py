"""Teams (Front desk, Sales, Diploma …), who belongs to them, and each staff member's
availability: the heartbeat of their open inbox tab, whether they set themselves away, and how
many open conversations they take at most. Auto-assignment reads these (models/assignment.py)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, timestamp

DEFAULT_OPEN_CAP = 10


class Team(SQLModel, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    name_th: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})
    auto_assign: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    receives_new: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # new chats land here
    offer_minutes: int = Field(default=10, sa_column_kwargs={"server_default": "10"})  # unanswered this long: the next member
    created_at: datetime = auto_now()


class TeamMember(SQLModel, table=True):
    """One staff member in one team; `last_offered_at` is the round-robin's memory."""

    __tablename__ = "team_member"

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    last_offered_at: datetime | None = timestamp()


class StaffPresence(SQLModel, table=True):
    """Whether a staff member can take conversations now: an open tab seen lately
    (`last_seen_at`, the page's heartbeat), not set away, and under `open_cap`."""

    __tablename__ = "staff_presence"

    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    away: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    last_seen_at: datetime | None = timestamp()
    open_cap: int = Field(default=DEFAULT_OPEN_CAP, sa_column_kwargs={"server_default": str(DEFAULT_OPEN_CAP)})
