"""Orders: every order with status and date filters (days in Asia/Bangkok), what each has paid and
still owes, and one order opened — items, rounds, payments — where staff move its seats to a later
round of the same course (money kept). Cards that wrap, so a phone never scrolls sideways."""

from datetime import date

import reflex as rx
from sqlmodel import select

from actors.push import announce_all
from logs.audit import record as audit
from models.access import Access
from models.commerce import Order
from models.db import session_scope
from models.enums import OrderStatus
from models.listings import PAGE_SIZE
from models.order_queries import find_orders, order_detail, parse_day
from models.refusals import Refused
from models.rounds import CourseRound
from models.seat_rules import SeatRefused, transfer_seats
from models.when import day_shown, shown_iso
from vschool.components.dates import chosen_days, labelled_date
from vschool.components.layout import app_page
from vschool.components.text import order_status_label, payment_kind_label, tr
from vschool.formatting import day_range
from vschool.state.auth import AuthState, admitted_staff, needs, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

STATUSES = ["all", *[s.value for s in OrderStatus]]


def _dated(detail: dict, language: str) -> dict:
    """An order's times and days in the reader's language (Bangkok)."""
    detail["created"] = shown_iso(detail["created"], language)
    for payment in detail["payments"]:
        payment["paid_at"] = shown_iso(payment["paid_at"], language)
    for rnd in detail["rounds"]:
        rnd["starts_on"] = day_shown(date.fromisoformat(rnd["starts_on"]), language)
        for later in rnd["later"]:
            later["starts_on"] = day_shown(date.fromisoformat(later["starts_on"]), language)
    return detail


class OrdersState(StaffState, access=Access.MONEY, shown_on=("/orders",)):
    page: int = 0
    search: str = ""
    status: str = "all"
    since: str = ""
    until: str = ""
    opened: str = ""  # the order number shown in the detail card
    error: str = ""
    notice: str = ""

    @rx.var
    async def listing(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.customer, feed.seats)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.MONEY) is None:
            return {"rows": [], "total": 0}
        with session_scope() as session:
            rows, total = find_orders(session, self.page, self.search.strip(), "" if self.status == "all" else self.status,
                                      parse_day(self.since), parse_day(self.until))
        for row in rows:
            row["created"] = shown_iso(row["created"], signed_in.language)
        return {"rows": rows, "total": total}

    @rx.var
    async def detail(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.customer, feed.seats)
        signed_in = await self.get_state(AuthState)
        empty = {"number": "", "items": [], "payments": [], "rounds": []}
        if not self.opened or not signed_in.user_id or await viewer(self, Access.MONEY) is None:
            return empty
        with session_scope() as session:
            found = order_detail(session, self.opened)
        return _dated(found, signed_in.language) if found else empty

    @rx.var
    async def range_shown(self) -> str:
        """The chosen days in the reader's words (the date pickers write mm/dd/yyyy)."""
        return day_range(self.since, self.until, (await self.get_state(AuthState)).language)

    @rx.event
    def open_list(self) -> None:
        """`?q=` pre-fills the search; `?order=` opens one order."""
        query = self.router.url.query_parameters
        self.page, self.search, self.error, self.notice = 0, query.get("q", "")[:100], "", ""
        self.opened = query.get("order", "")[:32]

    @rx.event
    def set_filter(self, field: str, value: str | list[str]) -> None:
        value = value if isinstance(value, str) else value[0]
        if field == "status" and value in STATUSES:
            self.status = value
        elif field in ("search", "since", "until"):
            setattr(self, field, value[:100])
        self.page = 0

    @rx.event
    def turn_page(self, step: int) -> None:
        self.page = max(0, self.page + step)

    @rx.event
    def open_order(self, number: str) -> None:
        self.opened, self.error, self.notice = str(number)[:32], "", ""

    @rx.event
    def close_order(self) -> None:
        self.opened, self.error, self.notice = "", "", ""

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def move_seats(self, from_round: str, to_round: str) -> None:
        """Move the opened order's seats in one round to a later round (money stays on the order)."""
        self.error = self.notice = ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                order = session.exec(select(Order).where(Order.order_number == self.opened)).first()
                if order is None or not from_round.isdigit() or not to_round.isdigit():
                    raise SeatRefused("error_no_seat_to_move")
                transfer_seats(session, order.id, int(from_round), int(to_round))
                audit(session, user, "order.transfer", "order", self.opened, from_round=int(from_round), to_round=int(to_round))
                starts_on, customer_id = session.get(CourseRound, int(to_round)).starts_on, order.customer_id
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        language = (await self.get_state(AuthState)).language
        self.notice = await say(self, "orders_moved", day=day_shown(starts_on, language))
        announce_all(("seats", int(from_round)), ("seats", int(to_round)), ("customer", customer_id))


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(placeholder=tr("search"), value=OrdersState.search, on_change=lambda v: OrdersState.set_filter("search", v).debounce(300),
                 id="orders-search", max_width="260px", width="100%"),
        rx.select.root(
            rx.select.trigger(id="orders-status"),
            rx.select.content(rx.select.item(tr("orders_all_statuses"), value="all"),
                              *[rx.select.item(tr(f"order_status_{s}"), value=s) for s in STATUSES[1:]]),
            value=OrdersState.status, on_change=lambda v: OrdersState.set_filter("status", v),
        ),
        labelled_date("orders_from", "orders-from", value=OrdersState.since, on_change=lambda v: OrdersState.set_filter("since", v)),
        labelled_date("orders_to", "orders-to", value=OrdersState.until, on_change=lambda v: OrdersState.set_filter("until", v)),
        chosen_days(OrdersState.range_shown, "orders-range-shown"),
        wrap="wrap", spacing="2", align="end",
    )


def _money(label: str, value: rx.Var) -> rx.Component:
    return rx.text(tr(label), ": ", rx.text.strong(value), size="2")


def _row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.text(row["number"], weight="bold", class_name="order-open"),
            rx.text(row["customer"], size="2"),
            rx.badge(order_status_label(row["status"])),
            _money("total", row["total"]), _money("roster_paid", row["paid"]), _money("outstanding", row["outstanding"]),
            rx.text(row["created"], size="1", color_scheme="gray"),
            wrap="wrap", spacing="3", align="center",
        ),
        class_name="listing-row order-row", on_click=OrdersState.open_order(row["number"]), cursor="pointer", width="100%",
    )


def _move_choices(rnd: rx.Var) -> rx.Component:
    later = rnd["later"].to(list[dict[str, str]])
    return rx.cond(
        later.length() > 0,
        rx.flex(rx.text(tr("orders_move_to"), size="2"),
                rx.foreach(later, lambda to: rx.button(to["starts_on"], " · ", tr("orders_seats_left"), " ", to["left"],
                                                       on_click=OrdersState.move_seats(rnd["id"], to["id"]), size="1", variant="soft",
                                                       class_name="order-move")),
                wrap="wrap", spacing="2", align="center"),
        rx.text(tr("orders_no_later_round"), size="1", color_scheme="gray", class_name="order-no-move"),
    )


def _round(rnd: rx.Var) -> rx.Component:
    course = rx.cond(AuthState.language == "th", rnd["course_th"], rnd["course"])
    return rx.vstack(
        rx.flex(rx.link(course, " · ", rnd["starts_on"], href="/rounds/" + rnd["id"].to(str)), rx.text("×", rnd["seats"], size="2"),
                wrap="wrap", spacing="2"),
        _move_choices(rnd),
        spacing="1", class_name="order-round",
    )


def _detail() -> rx.Component:
    d = OrdersState.detail
    items, payments, rounds = (d[k].to(list[dict]) for k in ("items", "payments", "rounds"))
    name = lambda i: rx.cond(AuthState.language == "th", i["name_th"], i["name"])  # noqa: E731
    return rx.cond(OrdersState.opened != "", rx.card(rx.vstack(
        rx.flex(rx.heading(d["number"], size="4"), rx.badge(order_status_label(d["status"].to(str))),
                rx.link(d["customer"], href="/customers/" + d["customer_id"].to(str)), rx.spacer(),
                rx.button(tr("orders_close"), on_click=OrdersState.close_order, size="1", variant="soft"), wrap="wrap", spacing="2", align="center"),
        rx.flex(_money("total", d["total"]), _money("roster_paid", d["paid"]), _money("outstanding", d["outstanding"]),
                wrap="wrap", spacing="3", id="order-money"),
        rx.text.strong(tr("orders_items")),
        rx.foreach(items, lambda i: rx.text(name(i), " ×", i["quantity"], " — ", i["total"], size="2")),
        rx.text.strong(tr("orders_rounds")),
        rx.cond(rounds.length() > 0, rx.foreach(rounds, _round), rx.text(tr("orders_no_round"), size="2")),
        rx.text.strong(tr("orders_payments")),
        rx.cond(payments.length() > 0,
                rx.foreach(payments, lambda p: rx.text(payment_kind_label(p["kind"]), " ", p["amount"], " · ", p["paid_at"], size="2")),
                rx.text(tr("orders_no_payments"), size="2")),
        rx.cond(OrdersState.error != "", rx.callout(OrdersState.error, color_scheme="red", id="order-error")),
        rx.cond(OrdersState.notice != "", rx.callout(OrdersState.notice, color_scheme="green", id="order-notice")),
        align="stretch", spacing="2",
    ), id="order-detail", width="100%"))


@app_page("/orders", "orders", on_load=[OrdersState.open_list])
def orders_page() -> rx.Component:
    """The Orders work area."""
    rows = OrdersState.listing["rows"].to(list[dict[str, str]])
    total = OrdersState.listing["total"].to(int)
    return rx.vstack(
        _filters(),
        _detail(),
        rx.cond(total > 0, rx.vstack(
            rx.foreach(rows, _row),
            rx.flex(
                rx.button(tr("previous"), on_click=OrdersState.turn_page(-1), disabled=OrdersState.page == 0, variant="soft", size="1"),
                rx.text(tr("page_of"), " ", OrdersState.page + 1, " / ", (total + PAGE_SIZE - 1) // PAGE_SIZE, " · ", total, " ", tr("records"),
                        size="2", id="listing-total"),
                rx.button(tr("next"), on_click=OrdersState.turn_page(1), disabled=(OrdersState.page + 1) * PAGE_SIZE >= total, variant="soft", size="1"),
                wrap="wrap", spacing="2", align="center",
            ),
            align="stretch", spacing="2", id="listing-table",
        ), rx.callout(rx.cond((OrdersState.search != "") | (OrdersState.status != "all") | (OrdersState.since != "") | (OrdersState.until != ""),
                              tr("no_results"), tr("empty_orders")), icon="info", id="empty-state")),
        align="stretch", spacing="3", width="100%",
    )
