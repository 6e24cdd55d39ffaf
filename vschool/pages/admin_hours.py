"""Admin → Business hours: the opening periods of each weekday (breaks are the gaps), Thai
public holidays (seeded for 2026–2027, editable), one-off closures, and the response-time
targets in business minutes. Every change is audited."""

from collections.abc import Callable
from datetime import date, timedelta

import reflex as rx
from sqlmodel import Session

from logs.audit import record as audit
from models.access import Access
from models.base import utcnow
from models.business_hours import is_open, next_opening
from models.db import session_scope
from models.hours_admin import (
    add_closure,
    add_holiday,
    closures_shown,
    holidays_shown,
    remove_closure,
    remove_holiday,
    set_week,
    week_text,
)
from models.sla import FIRST, NEXT, calendar, set_target, targets
from models.staff import StaffUser
from models.when import shown
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, run_change, say, viewer
from vschool.state.gate import StaffState, parse_id


class HoursAdminState(StaffState, access=Access.ADMIN):
    message: str = ""
    error: str = ""
    week: list[str] = [""] * 7
    holidays: list[dict[str, str]] = []
    closures: list[dict[str, str]] = []
    first_minutes: str = ""
    next_minutes: str = ""
    status_line: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the calendar and the targets (on page load and after each change)."""
        if await viewer(self, Access.ADMIN) is None:
            return
        language = (await self.get_state(AuthState)).language
        now = utcnow()
        with session_scope() as session:
            self.week = week_text(session)
            self.holidays = holidays_shown(session, language, since=date.today() - timedelta(days=31))
            self.closures = closures_shown(session, now)
            current = targets(session, fresh=True)
            cal = calendar(session)
        self.first_minutes, self.next_minutes = str(current[FIRST]), str(current[NEXT])
        opens = next_opening(now, cal)
        self.status_line = (await say(self, "open_now") if is_open(now, cal)
                            else f"{await say(self, 'closed_now')} {shown(opens, language)}")

    async def _change(self, change: Callable[[Session, StaffUser], object], done: str) -> None:
        """One audited change (vschool/state/auth.run_change), then the page reads the calendar again."""
        if await run_change(self, change, done):
            await self.load()

    @rx.event
    async def save_week(self, form: dict) -> None:
        texts = [str(form.get(f"day{d}", "")) for d in range(7)]

        def change(session: Session, staff: StaffUser) -> None:
            set_week(session, texts)
            audit(session, staff, "hours.week", "opening_period", None, week=texts)

        await self._change(change, "hours_saved")

    @rx.event
    async def save_holiday(self, form: dict) -> None:
        def change(session: Session, staff: StaffUser) -> None:
            day = add_holiday(session, str(form.get("day", "")), str(form.get("name_en", "")), str(form.get("name_th", "")))
            audit(session, staff, "hours.holiday_add", "holiday", day.isoformat())

        await self._change(change, "holiday_added")

    @rx.event
    async def drop_holiday(self, day: str) -> None:
        def change(session: Session, staff: StaffUser) -> None:
            remove_holiday(session, day)
            audit(session, staff, "hours.holiday_remove", "holiday", day[:10])

        await self._change(change, "removed")

    @rx.event
    async def save_closure(self, form: dict) -> None:
        def change(session: Session, staff: StaffUser) -> None:
            closure = add_closure(session, str(form.get("from", "")), str(form.get("to", "")), str(form.get("note", "")), staff.id)
            audit(session, staff, "hours.closure_add", "closure", closure.id)

        await self._change(change, "closure_added")

    @rx.event
    async def drop_closure(self, closure_id: str) -> None:
        wanted = parse_id(closure_id)
        if wanted is None:
            return

        def change(session: Session, staff: StaffUser) -> None:
            remove_closure(session, wanted)
            audit(session, staff, "hours.closure_remove", "closure", wanted)

        await self._change(change, "removed")

    @rx.event
    async def save_targets(self, form: dict) -> None:
        def change(session: Session, staff: StaffUser) -> None:
            for kind in (FIRST, NEXT):
                raw = str(form.get(kind, "")).strip()
                minutes = int(raw) if raw.isdigit() and len(raw) < 7 else -1
                before = set_target(session, kind, minutes, staff.id)
                audit(session, staff, "sla.target", "sla_target", kind, before=before, after=minutes)

        await self._change(change, "sla_saved")


def _week_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            *[rx.hstack(rx.text(tr(f"weekday_{d}"), width="110px", size="2"),
                        rx.input(name=f"day{d}", default_value=HoursAdminState.week[d], placeholder="09:00-12:00, 13:00-18:00",
                                 key=HoursAdminState.week[d], size="2", width="100%", id=f"hours-day{d}"),
                        width="100%", align="center") for d in range(7)],
            rx.button(tr("hours_save"), type="submit", id="hours-save"),
            width="100%",
        ),
        on_submit=HoursAdminState.save_week,
        width="100%",
    )


def _holidays() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.flex(
                rx.input(name="day", placeholder=tr("holiday_day"), size="2", id="holiday-day"),
                rx.input(name="name_th", placeholder=tr("holiday_name_th"), size="2"),
                rx.input(name="name_en", placeholder=tr("holiday_name_en"), size="2"),
                rx.button(tr("holiday_add"), type="submit", id="holiday-add"),
                gap="2", wrap="wrap",
            ),
            on_submit=HoursAdminState.save_holiday, reset_on_submit=True,
        ),
        rx.foreach(HoursAdminState.holidays, lambda h: rx.hstack(
            rx.text(h["day"], size="2", width="110px"), rx.text(h["name"], size="2", flex="1"),
            rx.button(tr("remove"), size="1", variant="soft", color_scheme="red", on_click=HoursAdminState.drop_holiday(h["day"])),
            width="100%", align="center", class_name="holiday-row",
        )),
        width="100%", max_height="360px", overflow_y="auto",
    )


def _closures() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.flex(
                rx.input(name="from", placeholder=tr("closure_from"), size="2", id="closure-from"),
                rx.input(name="to", placeholder=tr("closure_to"), size="2", id="closure-to"),
                rx.input(name="note", placeholder=tr("closure_note"), size="2"),
                rx.button(tr("closure_add"), type="submit", id="closure-add"),
                gap="2", wrap="wrap",
            ),
            on_submit=HoursAdminState.save_closure, reset_on_submit=True,
        ),
        rx.cond(HoursAdminState.closures.length() == 0, rx.text(tr("no_closures"), size="2", color=rx.color("gray", 10))),
        rx.foreach(HoursAdminState.closures, lambda c: rx.hstack(
            rx.text(c["from"], " → ", c["to"], size="2"), rx.text(c["note"], size="2", flex="1"),
            rx.button(tr("remove"), size="1", variant="soft", color_scheme="red", on_click=HoursAdminState.drop_closure(c["id"])),
            width="100%", align="center", class_name="closure-row",
        )),
        width="100%",
    )


def _targets() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.text(tr("sla_first_response"), size="2"),
            rx.input(name=FIRST, default_value=HoursAdminState.first_minutes, key=HoursAdminState.first_minutes, size="2", width="90px",
                     id="sla-first"),
            rx.text(tr("sla_next_response"), size="2"),
            rx.input(name=NEXT, default_value=HoursAdminState.next_minutes, key=HoursAdminState.next_minutes, size="2", width="90px",
                     id="sla-next"),
            rx.button(tr("sla_save"), type="submit", id="sla-save"),
            gap="2", wrap="wrap", align="center",
        ),
        on_submit=HoursAdminState.save_targets,
    )


@app_page("/admin/hours", "hours_title", admin=True, on_load=[HoursAdminState.load])
def admin_hours() -> rx.Component:
    section = {"width": "100%", "spacing": "2"}
    return rx.vstack(
        rx.text(HoursAdminState.status_line, size="2", id="hours-status"),
        rx.cond(HoursAdminState.error != "", rx.callout(HoursAdminState.error, icon="triangle-alert", color_scheme="red", size="1", id="hours-error")),
        rx.cond(HoursAdminState.message != "", rx.text(HoursAdminState.message, size="2", color=rx.color("green", 11), id="hours-message")),
        rx.card(rx.vstack(rx.heading(tr("hours_week"), size="3"), rx.text(tr("hours_week_help"), size="1"), _week_form(), **section), width="100%"),
        rx.card(rx.vstack(rx.heading(tr("sla_title"), size="3"), rx.text(tr("sla_help"), size="1"), _targets(), **section), width="100%"),
        rx.card(rx.vstack(rx.heading(tr("holidays"), size="3"), _holidays(), **section), width="100%"),
        rx.card(rx.vstack(rx.heading(tr("closures"), size="3"), _closures(), **section), width="100%"),
        width="100%",
        spacing="3",
    )
