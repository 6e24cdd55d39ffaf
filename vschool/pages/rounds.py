"""A round's page, for the kitchen and the front desk: its students with what they paid and
still owe, dietary needs and allergies, attendance per day (staff tick it), the waitlist, and
a CSV export. Live: a booking, payment or expiry elsewhere updates it."""

import csv
import io
from datetime import date

import reflex as rx

from actors.push import announce
from logs.audit import record as audit
from models.access import Access
from models.commerce import Product
from models.db import session_scope
from models.round_queries import roster, waitlist
from models.rounds import Attendance, CourseRound, Seat
from models.seat_rules import round_days
from models.when import day_shown
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text, vocabulary
from vschool.state.auth import AuthState, admitted_staff, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id


def _round_in_url(state: rx.State) -> int | None:
    return parse_id(state.router.url.path.rstrip("/").rsplit("/", 1)[-1])


class RoundState(StaffState, access=Access.CONTACT, shown_on=("/rounds/[rid]",)):
    round_id: int = 0  # the round in the URL, set on load (a var that reads it recomputes on navigation)

    @rx.event
    def open_round(self) -> None:
        self.round_id = _round_in_url(self) or 0

    @rx.var
    async def view(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.seats)
        signed_in = await self.get_state(AuthState)
        rid = self.round_id
        if not signed_in.user_id or not rid or await viewer(self, Access.CONTACT) is None:
            return {"title": "", "days": [], "students": [], "waiting": []}
        lang = signed_in.language
        with session_scope() as session:
            rnd = session.get(CourseRound, rid)
            if rnd is None:
                return {"title": "", "days": [], "students": [], "waiting": []}
            course = session.get(Product, rnd.product_id)
            days = round_days(rnd)
            people = roster(session, rid)
            waiting = waitlist(session, rid)
        title = f"{course.name_th if lang == 'th' and course.name_th else course.name} · {day_shown(rnd.starts_on, lang)}"
        return {
            "title": title, "days": [{"iso": d.isoformat(), "label": day_shown(d, lang, year=False)} for d in days],
            "students": [{
                "seat": str(p["seat_id"]), "name": p["name"], "attendee": p["attendee"], "state": vocabulary("seat_state", p["state"], lang),
                "order": p["order_number"], "paid": f"฿{p['paid']:,.2f}", "outstanding": f"฿{p['outstanding']:,.2f}",
                "diet": p["dietary_needs"], "allergies": p["allergies"],
                "days": [{"iso": d.isoformat(), "present": d.isoformat() in p["attended"]} for d in days],
            } for p in people],
            "waiting": [{"name": w["name"], "status": w["status"]} for w in waiting],
        }

    @rx.event
    async def toggle_attendance(self, seat_id: str, day: str) -> None:
        sid, rid, user = parse_id(seat_id), self.round_id, admitted_staff()
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return
        with session_scope() as session:
            seat = session.get(Seat, sid) if sid else None
            if seat is None or seat.round_id != rid:
                return
            found = session.get(Attendance, (seat.id, when))
            if found:
                session.delete(found)
            else:
                session.add(Attendance(seat_id=seat.id, day=when, marked_by_id=user.id))
            audit(session, user, "attendance.toggle", "seat", seat.id, day=day, present=found is None)
        announce("seats", rid)

    @rx.event
    async def export_csv(self) -> rx.event.EventSpec:
        view = await self.view
        language = (await self.get_state(AuthState)).language
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([text(k, language) for k in ("roster_student", "customer_id", "order", "roster_paid", "roster_outstanding",
                                                    "roster_diet", "roster_allergies")] + [d["label"] for d in view["days"]])
        for s in view["students"]:
            writer.writerow([s["name"], s["attendee"], s["order"], s["paid"], s["outstanding"], s["diet"], s["allergies"]]
                            + ["✓" if d["present"] else "" for d in s["days"]])
        return rx.download(data=out.getvalue(), filename=f"roster-{self.round_id}.csv")


def _student(s: rx.Var) -> rx.Component:
    small = {"size": "1", "color": rx.color("gray", 10)}
    return rx.card(rx.flex(
        rx.vstack(rx.link(s["name"], href="/customers/" + s["attendee"].to(str), weight="bold"),
                  rx.text(s["order"], " · ", s["state"], **small), spacing="0", min_width="180px", flex="1"),
        rx.vstack(rx.text(tr("roster_paid"), **small), rx.text(s["paid"], size="2"), spacing="0"),
        rx.vstack(rx.text(tr("roster_outstanding"), **small), rx.text(s["outstanding"], size="2", class_name="roster-outstanding"), spacing="0"),
        rx.vstack(rx.text(tr("roster_diet"), **small), rx.text(s["diet"], size="2"), spacing="0"),
        rx.vstack(rx.text(tr("roster_allergies"), **small), rx.text(s["allergies"], size="2", color=rx.color("red", 11)), spacing="0"),
        rx.vstack(rx.text(tr("roster_attendance"), **small), rx.flex(rx.foreach(s["days"].to(list[dict]), lambda d: rx.checkbox(
            checked=d["present"].to(bool), on_change=lambda _v: RoundState.toggle_attendance(s["seat"].to(str), d["iso"].to(str)),
            class_name="attendance-tick")), gap="4px", wrap="wrap"), spacing="0", max_width="100%"),
        gap="16px", wrap="wrap", width="100%"), class_name="roster-row", width="100%")


@app_page("/rounds/[rid]", "roster_title", on_load=[RoundState.open_round])
def round_page() -> rx.Component:
    view = RoundState.view
    return rx.vstack(
        rx.hstack(rx.heading(view["title"].to(str), size="5", id="round-title"), rx.spacer(),
                  rx.button(tr("roster_export"), on_click=RoundState.export_csv, variant="soft", id="roster-export"),
                  width="100%", align="center", wrap="wrap"),
        rx.cond(view["students"].to(list).length() > 0,
                rx.vstack(rx.foreach(view["students"].to(list[dict]), _student), spacing="2", width="100%", id="roster-table"),
            rx.text(tr("roster_empty"), size="2", id="roster-empty")),
        rx.cond(view["waiting"].to(list).length() > 0, rx.vstack(
            rx.heading(tr("roster_waitlist"), size="3"),
            rx.foreach(view["waiting"].to(list[dict]), lambda w: rx.text(w["name"], size="2", class_name="waitlist-row")),
        )),
        spacing="4", align="stretch", width="100%",
    )


