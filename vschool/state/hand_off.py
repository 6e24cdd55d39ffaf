"""The inbox's hand-offs and presence: give the open conversation to a colleague or a team (or
nobody), the away switch, and the heartbeat the open inbox tab sends every 30 s (the
round-robin only offers conversations to people whose tab beat lately; models/assignment.py)."""

import reflex as rx

from actors.push import announce_all
from models.access import Access
from models.assignment import assign_person, assign_team, unassign
from models.db import session_scope
from models.presence import assignee_choices, heartbeat, is_away, set_away
from vschool.state.auth import AuthState, admitted_staff, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

NOBODY = "none"  # the picker's "unassign" value


class HandOffState(StaffState, access=Access.INBOX):
    away: bool = False
    notice: str = ""
    error: str = ""

    @rx.var
    async def assignees(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = feed.staff
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return assignee_choices(session, signed_in.language)

    @rx.event
    async def beat(self) -> None:
        """The open inbox tab is still here (and whether this person set themselves away)."""
        staff = admitted_staff()
        with session_scope() as session:
            heartbeat(session, staff.id)
            self.away = is_away(session, staff.id)

    @rx.event
    async def toggle_away(self) -> None:
        staff = admitted_staff()
        with session_scope() as session:
            set_away(session, staff.id, not self.away)
        self.away = not self.away
        self.notice = await say(self, "notice_away" if self.away else "notice_back")

    @rx.event
    async def assign_to(self, conversation_id: str, choice: str) -> None:
        """`choice` is "p:ID" (a person), "t:ID" (a team) or "none" (unassign)."""
        staff = admitted_staff()
        conversation, kind, target = parse_id(conversation_id), choice[:2], parse_id(choice[2:])
        self.notice, self.error = "", ""
        if conversation is None or (choice != NOBODY and (kind not in ("p:", "t:") or target is None)):
            return
        try:
            with session_scope() as session:
                if choice == NOBODY:
                    unassign(session, conversation, staff.id)
                elif kind == "p:":
                    assign_person(session, conversation, target, staff.id)
                else:
                    assign_team(session, conversation, target, staff.id)
        except ValueError as exc:
            self.error = await refused(self, exc)
            return
        self.notice = await say(self, "notice_handed_off")
        announce_all(("conversation", conversation), ("message", conversation), ("overview", ""))
