"""Admins shape the teams: create one, add or remove a member, choose where new conversations
land, and set each person's open-conversation cap. Plain functions (the page and tests)."""

from sqlmodel import Session, col, select

from models.refusals import Refused
from models.staff import StaffUser
from models.teams import StaffPresence, Team, TeamMember

NAME_LIMIT = 60
CAP_LIMIT = 200


def create_team(session: Session, name: str, name_th: str = "") -> Team:
    name = name.strip()
    if not 1 <= len(name) <= NAME_LIMIT:
        raise Refused("error_team_name", limit=NAME_LIMIT)
    if session.exec(select(Team.id).where(Team.name == name)).first():
        raise Refused("error_team_taken", name=name)
    team = Team(name=name, name_th=name_th.strip()[:NAME_LIMIT])
    session.add(team)
    session.flush()
    return team


def toggle_member(session: Session, team_id: int, staff_id: int) -> bool:
    """Add the person to the team, or take them out; True if now a member."""
    if session.get(Team, team_id) is None:
        raise Refused("error_no_team", name=str(team_id))
    if session.get(StaffUser, staff_id) is None:
        raise Refused("error_no_assignee")
    link = session.get(TeamMember, (team_id, staff_id))
    if link:
        session.delete(link)
        return False
    session.add(TeamMember(team_id=team_id, staff_user_id=staff_id))
    return True


def set_receives_new(session: Session, team_id: int) -> None:
    """New conversations land in this team (and no other)."""
    for team in session.exec(select(Team)):
        team.receives_new = team.id == team_id
        session.add(team)


def set_cap(session: Session, staff_id: int, cap_text: str) -> int:
    raw = cap_text.strip()
    cap = int(raw) if raw.isdigit() and len(raw) < 5 else -1
    if not 0 <= cap <= CAP_LIMIT:
        raise Refused("error_open_cap", limit=CAP_LIMIT)
    row = session.get(StaffPresence, staff_id) or StaffPresence(staff_user_id=staff_id)
    row.open_cap = cap
    session.add(row)
    return cap


def teams_shown(session: Session) -> list[dict[str, object]]:
    """Each team with its members' names and ids, for the admin page."""
    names = dict(session.exec(select(StaffUser.id, StaffUser.display_name)).all())
    members: dict[int, list[int]] = {}
    for team_id, staff_id in session.exec(select(TeamMember.team_id, TeamMember.staff_user_id)):
        members.setdefault(team_id, []).append(staff_id)
    return [
        {"id": str(t.id), "name": t.name, "receives_new": "1" if t.receives_new else "",
         "members": [{"id": str(i), "name": names.get(i, "")} for i in sorted(members.get(t.id, []), key=lambda i: names.get(i, ""))]}
        for t in session.exec(select(Team).order_by(Team.name))
    ]


def people_shown(session: Session) -> list[dict[str, str]]:
    caps = dict(session.exec(select(StaffPresence.staff_user_id, StaffPresence.open_cap)).all())
    people = session.exec(select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.is_active)).order_by(StaffUser.display_name)).all()
    return [{"id": str(i), "name": n, "cap": str(caps.get(i, 10))} for i, n in people]
