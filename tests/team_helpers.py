"""Shared set-up for the team, assignment and response-time tests: staff who are signed in
with a tab open (or not), teams, and conversations with a customer."""

from datetime import datetime, timedelta

from sqlmodel import Session

from models.base import utcnow
from models.customer_rules import find_or_create_customer
from models.enums import Channel, Role
from models.inbox import Conversation
from models.staff import StaffSession, StaffUser
from models.teams import StaffPresence, Team, TeamMember


def add_person(
    session: Session, name: str, *, role: Role = Role.AGENT, seen: datetime | None = None, away: bool = False,
    cap: int = 10, signed_in: bool = True,
) -> int:
    """A staff member; `seen` is their tab's last heartbeat (None: no tab open)."""
    person = StaffUser(email=f"{name.lower()}@vschool.test", display_name=name, password_hash="x", role=role)
    session.add(person)
    session.flush()
    session.add(StaffPresence(staff_user_id=person.id, away=away, last_seen_at=seen, open_cap=cap))
    if signed_in:
        session.add(StaffSession(token_hash=f"{person.id:064d}", staff_user_id=person.id, expires_at=utcnow() + timedelta(days=1)))
    session.flush()
    return person.id


def add_team(session: Session, name: str, members: list[int], *, receives_new: bool = False, offer_minutes: int = 10) -> int:
    team = Team(name=name, receives_new=receives_new, offer_minutes=offer_minutes)
    session.add(team)
    session.flush()
    for staff_id in members:
        session.add(TeamMember(team_id=team.id, staff_user_id=staff_id))
    session.flush()
    return team.id


def add_conversation(session: Session, psid: str, team_id: int | None = None, when: datetime | None = None) -> int:
    customer, _ = find_or_create_customer(session, Channel.FACEBOOK, "1111111111", psid, when)
    conversation = Conversation(customer_id=customer.id, page_id="1111111111", team_id=team_id,
                                created_at=when or utcnow(), last_message_at=when, last_inbound_at=when)
    session.add(conversation)
    session.flush()
    return conversation.id
