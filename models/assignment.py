"""Who holds a conversation: hand it to a person or a team, reassign, unassign, and the
round-robin that gives a team's new conversations to its available members.

Every change writes an activity line (models/activity.py) in the same transaction. A person
is *available* when they are active, their role reads the inbox, they have a live session, an
open inbox tab beat within `SEEN_WITHIN` (`StaffPresence.last_seen_at`) and they are not set
away; they *have room* while their open conversations are under their cap.

Auto-assignment takes one transaction-level advisory lock, so concurrent arrivals (any number
of workers) choose one after another: each sees the counts the previous one left, so caps hold
and the rotation (least recently offered first) stays fair.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.access import Access, roles_with
from models.activity import record_activity
from models.base import utcnow
from models.enums import ActivityKind, ConversationStatus
from models.hours import ResponseWait
from models.inbox import Conversation
from models.refusals import Refused
from models.staff import StaffSession, StaffUser
from models.teams import StaffPresence, Team, TeamMember

SEEN_WITHIN = timedelta(minutes=2)
AUTO_ASSIGN = "auto-assign"  # the actor label of the round-robin's activity lines
_LOCK_KEY = 16_0001  # pg_advisory_xact_lock key: one auto-assignment at a time
HOLDING = (ConversationStatus.OPEN.value, ConversationStatus.PENDING.value)  # what counts against the cap


def _person(session: Session, staff_id: int) -> StaffUser:
    person = session.get(StaffUser, staff_id)
    if person is None or not person.is_active or person.role not in roles_with(Access.INBOX):
        raise Refused("error_no_assignee")
    return person


def _locked(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise Refused("error_conversation_gone")
    return conversation


def _team_name(session: Session, team_id: int | None) -> str:
    team = session.get(Team, team_id) if team_id else None
    return team.name if team else ""


def assign_person(
    session: Session, conversation_id: int, staff_id: int, by_id: int | None, by_label: str = "", team_id: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Hand the conversation to one person (keeping its team unless `team_id` is given);
    False if they already hold it."""
    person = _person(session, staff_id)
    conversation = _locked(session, conversation_id)
    if team_id is not None:
        conversation.team_id = team_id
    if conversation.assignee_id == staff_id:
        return False
    now = at or utcnow()
    before = conversation.assignee_id
    conversation.assignee_id, conversation.assigned_at, conversation.updated_at = staff_id, now, now
    conversation.auto_assigned = by_label == AUTO_ASSIGN
    session.add(conversation)
    detail = {"to": person.display_name, "to_id": staff_id, "from_id": before, "team": _team_name(session, conversation.team_id)}
    record_activity(session, conversation_id, ActivityKind.ASSIGNMENT, by_id, detail, actor_label=by_label, at=now)
    return True


def assign_team(session: Session, conversation_id: int, team_id: int, by_id: int | None, by_label: str = "") -> bool:
    """Hand the conversation to a team: nobody in it holds it until the round-robin (or a
    person) picks it up. False if the team already has it and nobody holds it."""
    team = session.get(Team, team_id)
    if team is None:
        raise Refused("error_no_team", name=str(team_id))
    conversation = _locked(session, conversation_id)
    if conversation.team_id == team_id and conversation.assignee_id is None:
        return False
    now = utcnow()
    detail = {"team": team.name, "team_id": team_id, "from_id": conversation.assignee_id}
    conversation.team_id, conversation.assignee_id, conversation.assigned_at = team_id, None, None
    conversation.auto_assigned, conversation.updated_at = False, now
    session.add(conversation)
    record_activity(session, conversation_id, ActivityKind.ASSIGNMENT, by_id, detail, actor_label=by_label, at=now)
    return True


def unassign(session: Session, conversation_id: int, by_id: int | None, by_label: str = "") -> bool:
    """Nobody holds the conversation any more (its team keeps it); False if nobody did."""
    conversation = _locked(session, conversation_id)
    if conversation.assignee_id is None:
        return False
    now = utcnow()
    detail = {"from_id": conversation.assignee_id}
    conversation.assignee_id, conversation.assigned_at, conversation.auto_assigned, conversation.updated_at = None, None, False, now
    session.add(conversation)
    record_activity(session, conversation_id, ActivityKind.ASSIGNMENT, by_id, detail, actor_label=by_label, at=now)
    return True


def open_counts(session: Session, staff_ids: list[int]) -> dict[int, int]:
    """How many open (or pending) conversations each of these people holds."""
    rows = session.execute(
        sa.select(Conversation.assignee_id, sa.func.count())
        .where(col(Conversation.assignee_id).in_(staff_ids), col(Conversation.status).in_(HOLDING))
        .group_by(Conversation.assignee_id)
    ).all()
    return {staff_id: count for staff_id, count in rows}


def available_staff(session: Session, now: datetime | None = None) -> set[int]:
    """The people who can take a conversation now (active, inbox role, signed in, a tab seen
    within `SEEN_WITHIN`, not away), whatever their load."""
    now = now or utcnow()
    live_session = sa.exists().where(
        StaffSession.staff_user_id == StaffUser.id, StaffSession.revoked_at.is_(None), StaffSession.expires_at > now
    )
    rows = session.exec(
        select(StaffUser.id)
        .join(StaffPresence, StaffPresence.staff_user_id == StaffUser.id)
        .where(
            StaffUser.is_active,
            col(StaffUser.role).in_([r.value for r in roles_with(Access.INBOX)]),
            ~col(StaffPresence.away),
            col(StaffPresence.last_seen_at) >= now - SEEN_WITHIN,
            live_session,
        )
    ).all()
    return set(rows)


def next_member(session: Session, team_id: int, now: datetime, exclude: set[int] = frozenset()) -> int | None:
    """The round-robin's choice in a team: among available members under their cap (and not in
    `exclude`), the one offered a conversation longest ago (never first); ties by id."""
    members = session.exec(
        select(TeamMember.staff_user_id, TeamMember.last_offered_at).where(TeamMember.team_id == team_id)
    ).all()
    free = available_staff(session, now)
    candidates = [(staff_id, offered) for staff_id, offered in members if staff_id in free and staff_id not in exclude]
    if not candidates:
        return None
    caps = dict(session.exec(select(StaffPresence.staff_user_id, StaffPresence.open_cap).where(
        col(StaffPresence.staff_user_id).in_([c[0] for c in candidates])
    )).all())
    counts = open_counts(session, [c[0] for c in candidates])
    room = [(offered, staff_id) for staff_id, offered in candidates if counts.get(staff_id, 0) < caps.get(staff_id, 0)]
    if not room:
        return None
    never = datetime.min.replace(tzinfo=now.tzinfo)
    return min(room, key=lambda pair: (pair[0] or never, pair[1]))[1]


def default_team(session: Session) -> int | None:
    """The team new conversations land in (the first marked `receives_new`), if any."""
    return session.exec(select(Team.id).where(Team.receives_new).order_by(Team.id).limit(1)).first()


def auto_assign(session: Session, conversation_id: int, now: datetime | None = None, exclude: set[int] = frozenset()) -> int | None:
    """Give an unassigned open conversation to the next available member of its team (the
    default team when it has none); the chosen staff id, or None when nobody can take it (it
    waits; the scheduler tries again). Call in its own short transaction."""
    now = now or utcnow()
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    conversation = _locked(session, conversation_id)
    if (conversation.assignee_id is not None and not exclude) or conversation.status != ConversationStatus.OPEN:
        return None
    team_id = conversation.team_id or default_team(session)
    team = session.get(Team, team_id) if team_id else None
    if team is None or not team.auto_assign:
        return None
    chosen = next_member(session, team.id, now, exclude)
    if chosen is None:
        return None
    session.execute(sa.update(TeamMember).where(TeamMember.team_id == team.id, TeamMember.staff_user_id == chosen)
                    .values(last_offered_at=sa.func.clock_timestamp()))  # the database's clock, read under the lock: strictly in turn
    assign_person(session, conversation_id, chosen, None, AUTO_ASSIGN, team_id=team.id, at=now)
    return chosen


def waiting_for_offer(session: Session, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Open conversations the round-robin should (re)offer: nobody holds them and they have a
    team (or there is a default team); or the round-robin gave them to someone who has not
    answered within the team's `offer_minutes` while the customer still waits."""
    now = now or utcnow()
    has_team = sa.or_(Conversation.team_id.is_not(None), sa.literal(default_team(session) is not None))
    unheld = select(Conversation.id).where(Conversation.status == ConversationStatus.OPEN, Conversation.assignee_id.is_(None), has_team)
    stale = (
        select(Conversation.id)
        .join(Team, Team.id == Conversation.team_id)
        .join(ResponseWait, sa.and_(ResponseWait.conversation_id == Conversation.id, ResponseWait.answered_at.is_(None)))
        .where(
            Conversation.status == ConversationStatus.OPEN,
            Conversation.auto_assigned,
            Conversation.assigned_at < now - sa.func.make_interval(0, 0, 0, 0, 0, Team.offer_minutes),
        )
    )
    ids = session.exec(unheld.order_by(Conversation.id).limit(limit)).all() + session.exec(stale.order_by(Conversation.id).limit(limit)).all()
    return list(dict.fromkeys(ids))
