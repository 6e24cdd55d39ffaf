"""The Orders part of a customer's page: their orders with what is paid and still owed, a new
order from the catalog, and deposits, payments and refunds recorded on it — by admins and
agents, each audited, each moving the marketing figures (revenue) live."""

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.customer_queries import customer_by_standard_id
from models.db import session_scope
from models.enums import PaymentKind
from models.order_rules import (
    MAX_QUANTITY,
    METHODS,
    OrderRefused,
    cancel_order,
    catalog_choices,
    create_order,
    customer_orders,
    parse_amount,
    record_payment,
)
from vschool.components.text import order_status_label, tr, vocabulary_select
from vschool.state.auth import (
    AuthState,
    admitted_staff,
    customer_in_url,
    needs,
    refused,
    say,
    viewer,
)
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

KINDS = [k.value for k in PaymentKind]


def _changed(customer_id: int, order_id: int) -> None:
    """After the commit: open pages reload, the marketing figures are rebuilt."""
    from actors.cache import orders_changed
    from actors.push import announce

    announce("customer", customer_id)
    try:
        orders_changed.send(order_id)
    except Exception:  # Redis away: the next sync or order refreshes the figures
        pass


class CustomerOrdersState(StaffState, access=Access.MONEY, shown_on=("/customers/[cid]",)):
    catalog: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []  # the new order being put together: product id, label, quantity
    product_id: str = ""
    quantity: str = "1"
    paying: str = ""  # the order whose payment form is open
    pay_kind: str = PaymentKind.DEPOSIT.value
    pay_method: str = METHODS[0]
    error: str = ""
    notice: str = ""

    @rx.var
    async def orders(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.customer)
        if not (await self.get_state(AuthState)).user_id or await viewer(self, Access.MONEY) is None:
            return []
        with session_scope() as session:
            customer = customer_by_standard_id(session, customer_in_url(self))
            return customer_orders(session, customer.id) if customer else []

    @rx.event
    def open_orders(self) -> None:
        self.lines, self.paying, self.error, self.notice, self.quantity = [], "", "", "", "1"
        with session_scope() as session:
            self.catalog = catalog_choices(session)
        self.product_id = self.catalog[0]["id"] if self.catalog else ""

    @rx.event
    def set_product(self, value: str) -> None:
        self.product_id = value

    @rx.event
    def set_quantity(self, value: str) -> None:
        self.quantity = value[:3]

    @rx.event
    def set_pay_kind(self, value: str) -> None:
        self.pay_kind = value

    @rx.event
    def set_pay_method(self, value: str) -> None:
        self.pay_method = value

    @rx.event
    async def add_line(self) -> None:
        self.error = ""
        chosen = next((c for c in self.catalog if c["id"] == self.product_id), None)
        if chosen is None:
            self.error = await say(self, "error_choose_product")
            return
        if not self.quantity.isdigit() or not 1 <= int(self.quantity) <= MAX_QUANTITY:
            self.error = await say(self, "error_quantity", limit=MAX_QUANTITY)
            return
        self.lines = [*self.lines, {"product_id": chosen["id"], "label": chosen["label"], "quantity": self.quantity}]
        self.quantity = "1"

    @rx.event
    def remove_line(self, index: int) -> None:
        self.lines = [line for i, line in enumerate(self.lines) if i != index]

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def create(self) -> None:
        self.error, self.notice = "", ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                customer = customer_by_standard_id(session, customer_in_url(self))
                if customer is None:
                    raise OrderRefused("error_customer_gone")
                order = create_order(session, customer.id, [(int(line["product_id"]), int(line["quantity"])) for line in self.lines], user.id)
                audit(session, user, "order.create", "order", order.order_number, total=str(order.total), customer=customer.standard_id)
                ids, number = (customer.id, order.id), order.order_number
        except OrderRefused as exc:
            self.error = await refused(self, exc)
            return
        self.lines, self.notice = [], await say(self, "notice_order_created", number=number)
        _changed(*ids)

    @rx.event
    def open_payment(self, order_id: str, kind: str) -> None:
        self.paying, self.pay_kind, self.error, self.notice = order_id, kind, "", ""

    @rx.event
    def close_payment(self) -> None:
        self.paying = ""

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def submit_payment(self, form: dict) -> None:
        self.error, self.notice = "", ""
        user = admitted_staff()
        if not self.paying:
            return
        try:
            amount = parse_amount(str(form.get("amount", "")))
            with session_scope() as session:
                payment = record_payment(session, int(self.paying), PaymentKind(self.pay_kind), amount, self.pay_method,
                                         str(form.get("reference", "")), user.id)
                audit(session, user, f"payment.{payment.kind}", "order", payment.order_id, amount=str(amount), method=payment.method)
                customer = customer_by_standard_id(session, customer_in_url(self))
                ids = (customer.id if customer else 0, payment.order_id)
        except OrderRefused as exc:
            self.error = await refused(self, exc)
            return
        self.paying, self.notice = "", await say(self, f"notice_{self.pay_kind}_recorded", amount=f"{amount:,.2f}")
        _changed(*ids)

    @needs(Access.TAKE_MONEY)
    @rx.event
    async def cancel(self, order_id: str) -> None:
        self.error, self.notice = "", ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                order = cancel_order(session, int(order_id))
                audit(session, user, "order.cancel", "order", order.order_number)
                ids = (order.customer_id, order.id)
        except OrderRefused as exc:
            self.error = await refused(self, exc)
            return
        _changed(*ids)


def _order_row(order: rx.Var, can_act: rx.Var) -> rx.Component:
    oid = order["id"].to(str)
    return rx.table.row(
        rx.table.cell(rx.link(order["number"], href="/orders?order=" + order["number"], weight="bold", class_name="order-link"), rx.text(order["items"], size="1", color=rx.color("gray", 10))),
        rx.table.cell(rx.badge(order_status_label(order["status"]), variant="soft")),
        rx.table.cell(order["total"]),
        rx.table.cell(order["paid"]),
        rx.table.cell(order["outstanding"]),
        rx.table.cell(rx.cond(can_act, rx.hstack(
            rx.cond(order["can_pay"] != "", rx.button(tr("record_payment"), size="1", variant="soft",
                                                      on_click=CustomerOrdersState.open_payment(oid, "payment"), class_name="pay-order")),
            rx.cond(order["can_refund"] != "", rx.button(tr("refund"), size="1", variant="soft", color_scheme="red",
                                                         on_click=CustomerOrdersState.open_payment(oid, "refund"))),
            rx.cond(order["can_cancel"] != "", rx.button(tr("cancel_order"), size="1", variant="ghost", color_scheme="gray",
                                                         on_click=CustomerOrdersState.cancel(oid))),
            spacing="2",
        ))),
        class_name="order-row",
    )


def _payment_form() -> rx.Component:
    return rx.cond(
        CustomerOrdersState.paying != "",
        rx.card(rx.form(
            rx.hstack(
                vocabulary_select("payment_kind", KINDS, "pay-kind", value=CustomerOrdersState.pay_kind, on_change=CustomerOrdersState.set_pay_kind),
                rx.input(name="amount", placeholder="฿ 5,000", id="pay-amount", required=True, width="140px"),
                vocabulary_select("payment_method", list(METHODS), "pay-method", value=CustomerOrdersState.pay_method,
                                  on_change=CustomerOrdersState.set_pay_method),
                rx.input(name="reference", placeholder=tr("reference"), id="pay-reference", width="180px"),
                rx.button(tr("save"), type="submit", id="pay-submit"),
                rx.button(tr("close"), type="button", variant="ghost", on_click=CustomerOrdersState.close_payment),
                spacing="2", align="center", wrap="wrap",
            ),
            on_submit=CustomerOrdersState.submit_payment,
            reset_on_submit=True,
        )),
    )


def _new_order() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(tr("new_order"), weight="bold", size="2"),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder=tr("choose_product"), id="order-product", width="100%", max_width="420px", min_width="0"),
                rx.select.content(rx.foreach(CustomerOrdersState.catalog, lambda c: rx.select.item(c["label"], value=c["id"]))),
                value=CustomerOrdersState.product_id,
                on_change=CustomerOrdersState.set_product,
            ),
            rx.input(value=CustomerOrdersState.quantity, on_change=CustomerOrdersState.set_quantity, width="70px", id="order-quantity",
                     aria_label=tr("quantity")),
            rx.button(tr("add_line"), on_click=CustomerOrdersState.add_line, variant="soft", id="order-add-line"),
            spacing="2", align="center", wrap="wrap", width="100%",
        ),
        rx.foreach(CustomerOrdersState.lines, lambda line, i: rx.hstack(
            rx.text(line["label"], " × ", line["quantity"], size="2", class_name="order-line"),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", on_click=CustomerOrdersState.remove_line(i)),
            align="center",
        )),
        rx.cond(CustomerOrdersState.lines.length() > 0,
                rx.button(tr("create_order"), on_click=CustomerOrdersState.create, id="order-create")),
        spacing="2",
    ))


def orders_section() -> rx.Component:
    can_act = AuthState.takes_money
    orders = CustomerOrdersState.orders
    return rx.vstack(
        rx.heading(tr("orders_count"), size="4"),
        rx.cond(CustomerOrdersState.error != "", rx.callout(CustomerOrdersState.error, icon="triangle-alert", color_scheme="red", size="1",
                                                           id="order-error")),
        rx.cond(CustomerOrdersState.notice != "", rx.callout(CustomerOrdersState.notice, icon="check", color_scheme="green", size="1",
                                                            id="order-notice")),
        rx.cond(
            orders.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in
                                               ("order", "status", "total", "paid_label", "outstanding", "action")])),
                rx.table.body(rx.foreach(orders, lambda o: _order_row(o, can_act))),
                width="100%", id="orders-table",
            ),
            rx.text(tr("no_orders"), size="2", color=rx.color("gray", 10), id="no-orders"),
        ),
        rx.cond(can_act, rx.fragment(_payment_form(), _new_order())),
        spacing="3",
        align="stretch",
        width="100%",
    )
