"""Booking a seat for a customer (their page, and the inbox side panel): pick a course or package
and an open round with seats left for each of its courses — or a private class day — and create
the order with held seats; put them on a full round's waitlist. Also the customer's stage by hand
(lost with a reason) and their dietary needs and allergies. Every change audited and announced."""

from datetime import date

import reflex as rx
from sqlmodel import col, select

from actors.push import announce_all
from logs.audit import record as audit
from models.access import Access
from models.base import utcnow
from models.booking import book
from models.catalog_rules import create_customer_by_hand
from models.commerce import Product
from models.customer_queries import customer_by_standard_id
from models.customers import Customer
from models.db import session_scope
from models.enums import LeadStage, ProductKind
from models.lead_rules import set_lead_stage
from models.refusals import Refused, iso_day
from models.round_queries import find_rounds, waitlist_tasks
from models.seat_rules import SeatRefused, courses_of, finish_waitlist_entry, join_waitlist
from models.when import day_shown, in_bangkok
from vschool.components.text import tr, vocabulary_select
from vschool.i18n import text
from vschool.state.auth import AuthState, admitted_staff, needs, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

STAGES = [s.value for s in LeadStage]


def _round_label(r: dict, lang: str) -> str:
    first = date.fromisoformat(r["starts_on"])
    return f"{day_shown(first, lang)} · {r['daily_start']}–{r['daily_end']} · {r['seats']['left']}/{r['capacity']}"


class BookingState(StaffState, access=Access.CUSTOMERS):
    customer: str = ""  # the standard id booked for
    products: list[dict[str, str]] = []
    product_id: str = ""
    slots: list[dict] = []  # per course of the product: {course, label, rounds: [{id, label}], chosen}
    full_rounds: list[dict[str, str]] = []
    waitlist_round: str = ""
    attendees: str = ""
    private_on: str = ""
    stage: str = ""
    lost_reason: str = ""
    diet: str = ""
    allergies: str = ""
    error: str = ""
    notice: str = ""

    @rx.event
    async def start(self, standard_id: str = "") -> None:
        """Open the booking card for a customer (the URL's on the customer page)."""
        self.customer = (standard_id or self.router.url.path.rstrip("/").rsplit("/", 1)[-1])[:40]
        self.error = self.notice = self.attendees = self.private_on = self.waitlist_round = ""
        lang = (await self.get_state(AuthState)).language
        with session_scope() as session:
            found = customer_by_standard_id(session, self.customer)
            self.stage, self.lost_reason = (found.lead_stage, found.lost_reason or "") if found else ("", "")
            self.diet, self.allergies = (found.dietary_needs or "", found.allergies or "") if found else ("", "")
            rows = session.exec(select(Product).where(col(Product.kind).in_([ProductKind.COURSE, ProductKind.PACKAGE]),
                                                      Product.is_active.is_(True)).order_by(Product.kind, Product.name)).all()
            self.products = [{"id": str(p.id), "label": f"{p.name_th if lang == 'th' and p.name_th else p.name} — ฿{p.price:,.0f}"} for p in rows]
            upcoming, _ = find_rounds(session, since=in_bangkok(utcnow()).date())
        self.full_rounds = [{"id": str(r["id"]), "label": f"{r['product_name']} · {_round_label(r, lang)}"}
                            for r in upcoming if r["seats"]["left"] == 0 and r["status"] in ("open", "full")]
        await self.choose_product(self.products[0]["id"] if self.products else "")

    @rx.event
    async def choose_product(self, value: str) -> None:
        self.product_id, self.slots = value, []
        pid = parse_id(value)
        if pid is None:
            return
        lang = (await self.get_state(AuthState)).language
        today = in_bangkok(utcnow()).date()
        with session_scope() as session:
            for course_id in courses_of(session, pid):
                course = session.get(Product, course_id)
                rounds, _ = find_rounds(session, product_sku=course.sku, since=today, bookable_only=True)
                self.slots.append({"course": str(course_id), "label": course.name_th if lang == "th" and course.name_th else course.name,
                                   "rounds": [{"id": str(r["id"]), "label": _round_label(r, lang)} for r in rounds],
                                   "chosen": str(rounds[0]["id"]) if rounds else ""})

    @rx.event
    def choose_round(self, index: int, value: str) -> None:
        self.slots = [{**slot, "chosen": value} if i == index else slot for i, slot in enumerate(self.slots)]

    @rx.event
    def set_field(self, field: str, value: str) -> None:
        if field in ("attendees", "private_on", "waitlist_round", "stage", "lost_reason", "diet", "allergies"):
            setattr(self, field, str(value)[:300])

    def _attendee_ids(self, session: object, payer: Customer) -> list[int]:
        ids = [payer.id]
        for word in self.attendees.replace(",", " ").split():
            other = customer_by_standard_id(session, word.strip())
            if other is None:
                raise SeatRefused("error_customer_gone")
            ids.append(other.id)
        return ids

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def book_seat(self) -> None:
        self.error = self.notice = ""
        user = admitted_staff()
        try:
            private = iso_day(self.private_on) if self.private_on else None
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        try:
            with session_scope() as session:
                payer = customer_by_standard_id(session, self.customer)
                if payer is None:
                    raise SeatRefused("error_customer_gone")
                rounds = [] if private else [int(s["chosen"]) for s in self.slots if str(s["chosen"]).isdigit()]
                order = book(session, payer.id, parse_id(self.product_id) or 0, rounds, self._attendee_ids(session, payer),
                             user.id, private_on=private)
                audit(session, user, "order.book", "order", order.order_number, total=str(order.total), rounds=rounds,
                      customer=payer.standard_id, private_on=self.private_on or None)
                number, changes = order.order_number, [("customer", payer.id), *[("seats", r) for r in rounds], ("overview", "")]
        except Refused as exc:
            self.error = await refused(self, exc)
            await self.choose_product(self.product_id)  # the rounds as they are now
            return
        self.notice = await say(self, "book_done", number=number)
        announce_all(*changes)
        await self.choose_product(self.product_id)

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def add_to_waitlist(self) -> None:
        self.error = self.notice = ""
        user, rid = admitted_staff(), parse_id(self.waitlist_round)
        try:
            with session_scope() as session:
                customer = customer_by_standard_id(session, self.customer)
                if customer is None or rid is None:
                    raise SeatRefused("error_customer_gone" if customer is None else "error_round_gone")
                entry = join_waitlist(session, rid, customer.id, user.id)
                audit(session, user, "waitlist.join", "round", rid, customer=customer.standard_id, entry=entry.id)
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        self.notice = await say(self, "waitlist_added")
        announce_all(("seats", rid))

    @needs(Access.CUSTOMERS)
    @rx.event
    async def save_stage(self) -> None:
        self.error = self.notice = ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                customer = customer_by_standard_id(session, self.customer)
                if customer is None:
                    raise SeatRefused("error_customer_gone")
                before = customer.lead_stage
                set_lead_stage(session, customer, self.stage, reason=self.lost_reason, staff_id=user.id)
                customer.dietary_needs, customer.allergies = self.diet.strip() or None, self.allergies.strip() or None
                audit(session, user, "customer.stage", "customer", customer.standard_id, before=before, after=customer.lead_stage,
                      reason=customer.lost_reason, diet=customer.dietary_needs, allergies=customer.allergies)
                cid = customer.id
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        self.notice = await say(self, "stage_saved")
        announce_all(("customer", cid), ("overview", ""))


def _slot(s: rx.Var, i: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(tr("book_round_for"), " · ", s["label"].to(str), size="1", color=rx.color("gray", 10)),
        rx.cond(s["rounds"].to(list).length() > 0, rx.select.root(
            rx.select.trigger(id="book-round-" + i.to(str), min_width="0", max_width="100%", class_name="book-round"),
            rx.select.content(rx.foreach(s["rounds"].to(list[dict[str, str]]), lambda r: rx.select.item(r["label"], value=r["id"]))),
            value=s["chosen"].to(str), on_change=lambda v: BookingState.choose_round(i, v)),
            rx.text(tr("book_no_rounds"), size="2", color=rx.color("amber", 11), class_name="book-no-rounds")),
        spacing="1", align="stretch")


def booking_card() -> rx.Component:
    """The booking, waitlist, stage and diet card (customer page and inbox side panel)."""
    return rx.card(rx.vstack(
        rx.text(tr("book_title"), weight="bold", size="2"),
        rx.cond(BookingState.error != "", rx.callout(BookingState.error, icon="triangle-alert", color_scheme="red", size="1", id="book-error")),
        rx.cond(BookingState.notice != "", rx.callout(BookingState.notice, icon="check", color_scheme="green", size="1", id="book-notice")),
        rx.select.root(rx.select.trigger(placeholder=tr("book_product"), id="book-product", min_width="0", max_width="100%"),
                       rx.select.content(rx.foreach(BookingState.products, lambda p: rx.select.item(p["label"], value=p["id"]))),
                       value=BookingState.product_id, on_change=BookingState.choose_product),
        rx.foreach(BookingState.slots, _slot),
        rx.hstack(
            rx.input(placeholder=tr("book_attendees"), value=BookingState.attendees, on_change=lambda v: BookingState.set_field("attendees", v),
                     id="book-attendees", min_width="0", width="100%"),
            rx.tooltip(rx.input(type="date", value=BookingState.private_on, on_change=lambda v: BookingState.set_field("private_on", v),
                                id="book-private-on", aria_label=tr("book_private_on")), content=tr("book_private_on")),
            rx.button(tr("book_submit"), on_click=BookingState.book_seat, id="book-submit"),
            spacing="2", wrap="wrap", width="100%", align="center"),
        rx.cond(BookingState.full_rounds.length() > 0, rx.hstack(
            rx.select.root(rx.select.trigger(placeholder=tr("waitlist_join"), id="waitlist-round", min_width="0", max_width="100%"),
                           rx.select.content(rx.foreach(BookingState.full_rounds, lambda r: rx.select.item(r["label"], value=r["id"]))),
                           value=BookingState.waitlist_round, on_change=lambda v: BookingState.set_field("waitlist_round", v)),
            rx.button(tr("waitlist_join"), variant="soft", on_click=BookingState.add_to_waitlist, id="waitlist-add"),
            spacing="2", wrap="wrap")),
        rx.divider(),
        rx.hstack(
            vocabulary_select("stage", STAGES, "stage-select", value=BookingState.stage, on_change=lambda v: BookingState.set_field("stage", v)),
            rx.cond(BookingState.stage == "lost", rx.input(placeholder=tr("stage_lost_reason"), value=BookingState.lost_reason,
                                                          on_change=lambda v: BookingState.set_field("lost_reason", v), id="stage-lost-reason")),
            rx.input(placeholder=tr("roster_diet"), value=BookingState.diet, on_change=lambda v: BookingState.set_field("diet", v), id="customer-diet"),
            rx.input(placeholder=tr("roster_allergies"), value=BookingState.allergies, on_change=lambda v: BookingState.set_field("allergies", v),
                     id="customer-allergies"),
            rx.button(tr("save"), variant="soft", on_click=BookingState.save_stage, id="stage-save"),
            spacing="2", wrap="wrap", align="center"),
        spacing="2", align="stretch", width="100%",
    ), id="booking-card", width="100%")




class WaitlistTasksState(StaffState, access=Access.INBOX, shown_on=("/inbox",)):
    """Seats that freed for someone on a waitlist: a task in the inbox until staff mark it done."""

    @rx.var
    async def tasks(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.seats)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return []
        lang = signed_in.language
        with session_scope() as session:
            found = waitlist_tasks(session)
        return [{"id": str(t["id"]), "customer": t["customer"], "line": text(
            "round_cancelled_task_line" if t["cancelled_order"] else "waitlist_task_line", lang).format(
            name=t["name"], course=t["course_th"] if lang == "th" else t["course"], day=day_shown(t["starts_on"], lang),
            order=t["cancelled_order"])} for t in found]

    @rx.event
    async def done(self, entry_id: str) -> None:
        user, eid = admitted_staff(), parse_id(entry_id)
        if eid is None:
            return
        try:
            with session_scope() as session:
                finish_waitlist_entry(session, eid)
                audit(session, user, "waitlist.done", "waitlist_entry", eid)
        except Refused:
            return
        announce_all(("seats", ""))


def waitlist_tasks_box() -> rx.Component:
    """The waitlist tasks, shown in the inbox's side panel."""
    return rx.cond(WaitlistTasksState.tasks.length() > 0, rx.callout(rx.vstack(
        rx.text(tr("waitlist_tasks"), weight="bold", size="2"),
        rx.foreach(WaitlistTasksState.tasks, lambda t: rx.hstack(
            rx.link(t["line"], href="/customers/" + t["customer"], size="1"),
            rx.button(tr("waitlist_done"), size="1", variant="soft", on_click=WaitlistTasksState.done(t["id"])),
            align="center", class_name="waitlist-task")),
        spacing="1"), icon="bell", color_scheme="amber", size="1", id="waitlist-tasks"))


class NewCustomerState(StaffState, access=Access.TAKE_MONEY):
    """A customer who walked in or phoned, created by hand, then booked on their page."""

    error: str = ""

    @rx.event
    async def create(self, form: dict) -> rx.event.EventSpec | None:
        self.error = ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                customer = create_customer_by_hand(session, form)
                audit(session, user, "customer.create", "customer", customer.standard_id, name=customer.display_name)
                standard_id, cid = customer.standard_id, customer.id
        except Refused as exc:
            self.error = await refused(self, exc)
            return None
        announce_all(("customer", cid), ("overview", ""))
        return rx.redirect(f"/customers/{standard_id}")


def new_customer_card() -> rx.Component:
    """Name, phone, LINE id, e-mail → a new customer (TVS-CUS-WI-…), opened for booking."""
    return rx.card(rx.form(rx.flex(
        rx.text(tr("new_customer"), weight="bold", size="2", width="100%"),
        rx.input(name="name", placeholder=tr("field_name"), id="new-customer-name", required=True),
        rx.input(name="phone", placeholder=tr("field_phone"), id="new-customer-phone"),
        rx.input(name="line_id", placeholder=tr("field_line_id"), id="new-customer-line"),
        rx.input(name="email", placeholder=tr("field_email"), id="new-customer-email"),
        rx.button(tr("save"), type="submit", id="new-customer-save"),
        rx.cond(NewCustomerState.error != "", rx.text(NewCustomerState.error, color=rx.color("red", 11), size="2", id="new-customer-error")),
        gap="8px", wrap="wrap", align="center"), on_submit=NewCustomerState.create), width="100%")
