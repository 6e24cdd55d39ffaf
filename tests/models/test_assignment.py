"""Hand-offs and the round-robin, on real PostgreSQL: concurrent arrivals in separate
connections are shared fairly among available members and never push anyone over their cap."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.activity import activity_lines, sentence
from models.assignment import assign_person, assign_team, auto_assign, available_staff, unassign
from models.base import utcnow
from models.db import session_scope
from models.enums import Role
from models.inbox import Conversation
from models.refusals import Refused
from tests.team_helpers import add_conversation, add_person, add_team

pytestmark = pytest.mark.usefixtures("db")


def _arrive_together(conversation_ids: list[int]) -> list[int | None]:
    def one(conversation_id: int) -> int | None:
        with session_scope() as s:
            return auto_assign(s, conversation_id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, conversation_ids))


def _holders() -> dict[int, int]:
    with session_scope() as s:
        rows = s.execute(sa.select(Conversation.assignee_id, sa.func.count()).group_by(Conversation.assignee_id)).all()
    return {k: v for k, v in rows if k is not None}


def test_concurrent_arrivals_are_shared_fairly_and_caps_hold() -> None:
    now = utcnow()
    with session_scope() as s:
        a, b, c = (add_person(s, n, seen=now, cap=4) for n in ("Ann", "Bee", "Cat"))
        away = add_person(s, "Dao", seen=now, away=True)
        stale = add_person(s, "Eve", seen=now - timedelta(minutes=3))
        signed_out = add_person(s, "Fah", seen=now, signed_in=False)
        marketing = add_person(s, "Gin", seen=now, role=Role.MARKETING)
        team = add_team(s, "Front desk", [a, b, c, away, stale, signed_out, marketing], receives_new=True)
        first = [add_conversation(s, f"p{i}", team if i % 2 else None) for i in range(9)]
    assert set(_arrive_together(first)) == {a, b, c}
    assert _holders() == {a: 3, b: 3, c: 3}  # round-robin: nobody gets a second before all had one … thrice

    with session_scope() as s:
        more = [add_conversation(s, f"q{i}", team) for i in range(6)]
    chosen = _arrive_together(more)
    assert chosen.count(None) == 3  # three places were left under the caps of 4
    assert _holders() == {a: 4, b: 4, c: 4}


def test_hand_to_a_person_a_team_unassign_each_leave_an_activity_line() -> None:
    now = utcnow()
    with session_scope() as s:
        nok = add_person(s, "Nok", seen=now)
        pim = add_person(s, "Pim", seen=now)
        sales = add_team(s, "Sales", [pim])
        conversation = add_conversation(s, "x1")
    with session_scope() as s:
        assert assign_person(s, conversation, pim, nok)
        assert not assign_person(s, conversation, pim, nok)  # already hers: nothing written
        assert assign_team(s, conversation, sales, nok)
        assert s.get(Conversation, conversation).assignee_id is None
        assert auto_assign(s, conversation) == pim
        assert unassign(s, conversation, pim)
    with session_scope() as s:
        lines = activity_lines(s, conversation)
        assert [sentence(line, "en") for line in lines] == [
            "Nok assigned this to Pim",
            "Nok assigned this to the team Sales",
            "auto-assign assigned this to Pim (Sales)",
            "Pim unassigned this",
        ]
        assert sentence(lines[0], "th") == "Nokมอบหมายให้Pim"
        with pytest.raises(Refused):
            assign_person(s, conversation, 999_999, nok)


def test_available_means_a_fresh_heartbeat_a_live_session_and_not_away() -> None:
    now = utcnow()
    with session_scope() as s:
        here = add_person(s, "Here", seen=now - timedelta(seconds=100))
        add_person(s, "Gone", seen=now - timedelta(seconds=130))
        add_person(s, "Away", seen=now, away=True)
        assert available_staff(s, now) == {here}
        assert s.exec(select(Conversation)).first() is None
