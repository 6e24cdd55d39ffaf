"""A staff member's presence, as the inbox page keeps it: the open tab's heartbeat, the away
switch, and the people and teams a conversation can be handed to."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models.access import Access, roles_with
from models.base import utcnow
from models.staff import StaffUser
from models.teams import StaffPresence, Team


def heartbeat(session: Session, staff_id: int) -> None:
    """The inbox tab of this person is open now (called every 30 s by the page)."""
    now = utcnow()
    session.execute(
        insert(StaffPresence).values(staff_user_id=staff_id, last_seen_at=now)
        .on_conflict_do_update(index_elements=["staff_user_id"], set_={"last_seen_at": now})
    )


def set_away(session: Session, staff_id: int, away: bool) -> None:
    """Away: the round-robin passes this person over (they keep what they hold)."""
    session.execute(
        insert(StaffPresence).values(staff_user_id=staff_id, away=away)
        .on_conflict_do_update(index_elements=["staff_user_id"], set_={"away": away})
    )


def is_away(session: Session, staff_id: int) -> bool:
    return bool(session.exec(select(StaffPresence.away).where(StaffPresence.staff_user_id == staff_id)).first())


def assignee_choices(session: Session, language: str) -> list[dict[str, str]]:
    """Who a conversation can be handed to: each active person with inbox access ("p:ID") and
    each team ("t:ID"), by name; teams first."""
    teams = session.exec(select(Team.id, Team.name, Team.name_th).order_by(Team.name)).all()
    people = session.exec(
        select(StaffUser.id, StaffUser.display_name)
        .where(StaffUser.is_active, col(StaffUser.role).in_([r.value for r in roles_with(Access.INBOX)]))
        .order_by(sa.func.lower(StaffUser.display_name))
    ).all()
    team_word = "ทีม" if language == "th" else "Team: "
    return ([{"value": f"t:{i}", "label": f"{team_word}{(th if language == 'th' and th else name)}"} for i, name, th in teams]
            + [{"value": f"p:{i}", "label": name} for i, name in people])
