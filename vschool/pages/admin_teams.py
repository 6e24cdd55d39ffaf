"""Admin → Teams: create teams (Front desk, Sales, Diploma …), add or remove members, choose the
team new conversations land in, and each person's open-conversation cap (the round-robin's
limits; models/assignment.py). Every change is audited."""

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from actors.push import announce
from logs.audit import record as audit
from models.access import Access
from models.db import session_scope
from models.staff import StaffUser
from models.team_admin import (
    create_team,
    people_shown,
    set_cap,
    set_receives_new,
    teams_shown,
    toggle_member,
)
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import run_change, viewer
from vschool.state.gate import StaffState, parse_id


class TeamsAdminState(StaffState, access=Access.ADMIN):
    message: str = ""
    error: str = ""
    teams: list[dict] = []
    people: list[dict[str, str]] = []

    @rx.event
    async def load(self) -> None:
        if await viewer(self, Access.ADMIN) is None:
            return
        with session_scope() as session:
            self.teams, self.people = teams_shown(session), people_shown(session)

    async def _run(self, action: Callable, key: str, *args: object) -> None:
        """One audited change to the teams (vschool/state/auth.run_change); every inbox follows."""
        def change(session: Session, staff: StaffUser | None) -> None:
            action(session, *args)
            audit(session, staff, f"team.{action.__name__}", "team", None, args=[str(a) for a in args])

        if await run_change(self, change, key):
            announce("staff")
            await self.load()

    @rx.event
    async def add_team(self, form: dict) -> None:
        await self._run(create_team, "team_saved", str(form.get("name", "")), str(form.get("name_th", "")))

    @rx.event
    async def toggle(self, team_id: str, staff_id: str) -> None:
        team, person = parse_id(team_id), parse_id(staff_id)
        if team is not None and person is not None:
            await self._run(toggle_member, "team_saved", team, person)

    @rx.event
    async def receives_new(self, team_id: str) -> None:
        team = parse_id(team_id)
        if team is not None:
            await self._run(set_receives_new, "team_saved", team)

    @rx.event
    async def save_cap(self, staff_id: str, cap: str) -> None:
        person = parse_id(staff_id)
        if person is not None:
            await self._run(set_cap, "team_saved", person, cap)


def _team(team: rx.Var) -> rx.Component:
    members = team["members"].to(list[dict[str, str]])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(team["name"], size="3"),
                rx.spacer(),
                rx.cond(team["receives_new"] != "", rx.badge(tr("team_receives_new"), color_scheme="green"),
                        rx.button(tr("team_make_default"), size="1", variant="soft", on_click=TeamsAdminState.receives_new(team["id"]))),
                width="100%", align="center",
            ),
            rx.flex(
                rx.foreach(members, lambda m: rx.badge(m["name"], " ×", size="2", cursor="pointer", class_name="team-member",
                                                       on_click=TeamsAdminState.toggle(team["id"], m["id"]))),
                gap="2", wrap="wrap",
            ),
            rx.select.root(
                rx.select.trigger(placeholder=tr("team_add_member")),
                rx.select.content(rx.foreach(TeamsAdminState.people, lambda p: rx.select.item(p["name"], value=p["id"]))),
                value="",
                on_change=lambda staff_id: TeamsAdminState.toggle(team["id"], staff_id),
                size="1",
            ),
            width="100%",
        ),
        width="100%",
        class_name="team-card",
    )


def _cap_row(person: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(person["name"], size="2", flex="1"),
        rx.input(default_value=person["cap"], key=person["cap"], size="1", width="70px",
                 on_blur=lambda value: TeamsAdminState.save_cap(person["id"], value)),
        width="100%", align="center",
    )


@app_page("/admin/teams", "teams_title", admin=True, on_load=[TeamsAdminState.load])
def admin_teams() -> rx.Component:
    return rx.vstack(
        rx.text(tr("teams_help"), size="2"),
        rx.cond(TeamsAdminState.error != "", rx.callout(TeamsAdminState.error, icon="triangle-alert", color_scheme="red", size="1", id="teams-error")),
        rx.cond(TeamsAdminState.message != "", rx.text(TeamsAdminState.message, size="2", color=rx.color("green", 11), id="teams-message")),
        rx.form(
            rx.flex(
                rx.input(name="name", placeholder=tr("team_name"), size="2", id="team-name"),
                rx.input(name="name_th", placeholder=tr("team_name_th"), size="2"),
                rx.button(tr("team_add"), type="submit", id="team-add"),
                gap="2", wrap="wrap",
            ),
            on_submit=TeamsAdminState.add_team, reset_on_submit=True,
        ),
        rx.foreach(TeamsAdminState.teams, _team),
        rx.card(rx.vstack(rx.heading(tr("open_caps"), size="3"), rx.text(tr("open_caps_help"), size="1"),
                          rx.foreach(TeamsAdminState.people, _cap_row), width="100%"), width="100%"),
        width="100%",
        spacing="3",
    )
