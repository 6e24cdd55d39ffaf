"""Catalog: courses, packages, equipment and menu items (admins create and edit them, audited),
and the upcoming rounds with seats taken / held / left, live; admins schedule and edit rounds.
Each round links to its roster (`vschool/pages/rounds.py`)."""

from datetime import date, timedelta

import reflex as rx
from sqlmodel import Session, select

from actors.push import announce
from logs.audit import record as audit
from models.access import Access
from models.base import utcnow
from models.catalog_rules import save_product, save_round
from models.commerce import Product
from models.db import session_scope
from models.enums import ProductKind, RoundStatus
from models.round_queries import find_rounds
from models.rounds import CourseRound, PackageCourse
from models.staff import StaffUser
from models.when import day_shown, in_bangkok
from vschool.components.layout import app_page
from vschool.components.text import tr, vocabulary_select
from vschool.i18n import vocabulary
from vschool.state.auth import AuthState, needs, run_change, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

KINDS = [k.value for k in ProductKind]
STATUSES = [s.value for s in RoundStatus]
EMPTY_PRODUCT = {"id": "", "sku": "", "kind": "course", "name": "", "name_th": "", "price": "", "active": True}
EMPTY_ROUND = {"id": "", "course_id": "", "starts_on": "", "ends_on": "", "daily_start": "09:00", "daily_end": "16:00",
               "capacity": "12", "language": "th", "instructor": "", "status": "open"}


def _announce_seats(round_id: object) -> None:
    announce("seats", round_id)


def _d(text: str) -> date:
    return date.fromisoformat(text)


class CatalogState(StaffState, access=Access.SIGNED_IN, shown_on=("/catalog",)):
    product: dict[str, str | bool] = dict(EMPTY_PRODUCT)
    package_courses: list[str] = []
    rnd: dict[str, str] = dict(EMPTY_ROUND)
    editing_product: bool = False
    editing_round: bool = False
    error: str = ""
    message: str = ""

    @rx.var
    async def products(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.seats)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.SIGNED_IN) is None:
            return []
        with session_scope() as session:
            rows = session.exec(select(Product).order_by(Product.kind, Product.name)).all()
            return [{"id": str(p.id), "sku": p.sku, "kind": vocabulary("product_kind", p.kind, signed_in.language), "name": p.name,
                     "name_th": p.name_th or "", "price": f"฿{p.price:,.0f}", "active": "1" if p.is_active else ""} for p in rows]

    @rx.var
    async def courses(self) -> list[dict[str, str]]:
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id:
            return []
        with session_scope() as session:
            rows = session.exec(select(Product).where(Product.kind == ProductKind.COURSE).order_by(Product.name)).all()
            return [{"id": str(p.id), "label": (p.name_th if signed_in.language == "th" and p.name_th else p.name)} for p in rows]

    @rx.var
    async def rounds(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.seats)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.SIGNED_IN) is None:
            return []
        lang = signed_in.language
        with session_scope() as session:
            rows, _total = find_rounds(session, since=in_bangkok(utcnow()).date() - timedelta(days=1))
        return [{
            "id": str(r["id"]), "course": (r["product_name_th"] if lang == "th" and r["product_name_th"] else r["product_name"]),
            "dates": f"{day_shown(_d(r['starts_on']), lang, year=False)} – {day_shown(_d(r['ends_on']), lang)}",
            "times": f"{r['daily_start']}–{r['daily_end']}", "instructor": r["instructor"] or "", "status": r["status"],
            "status_label": vocabulary("round_status", r["status"], lang), "capacity": str(r["capacity"]),
            "taken": str(r["seats"]["taken"]), "held": str(r["seats"]["held"]), "left": str(r["seats"]["left"]),
        } for r in rows]

    @rx.event
    def new_product(self) -> None:
        self.product, self.package_courses, self.editing_product, self.error, self.message = dict(EMPTY_PRODUCT), [], True, "", ""

    @rx.event
    def edit_product(self, product_id: str) -> None:
        pid = parse_id(product_id)
        with session_scope() as session:
            p = session.get(Product, pid) if pid else None
            if p is None:
                return
            self.product = {"id": str(p.id), "sku": p.sku, "kind": p.kind, "name": p.name, "name_th": p.name_th or "",
                            "price": f"{p.price:.2f}", "active": p.is_active}
            self.package_courses = [str(c) for c in session.exec(select(PackageCourse.course_id).where(PackageCourse.package_id == p.id))]
        self.editing_product, self.error, self.message = True, "", ""

    @rx.event
    def set_product_field(self, field: str, value: str | bool) -> None:
        if field in EMPTY_PRODUCT:
            self.product = {**self.product, field: value if isinstance(value, bool) else str(value)[:200]}

    @rx.event
    def toggle_package_course(self, course_id: str) -> None:
        chosen = set(self.package_courses)
        chosen ^= {course_id}
        self.package_courses = sorted(chosen)

    @rx.event
    def close_forms(self) -> None:
        self.editing_product = self.editing_round = False

    @needs(Access.ADMIN)
    @rx.event
    async def save_product(self) -> None:
        product_id, fields = parse_id(self.product["id"]), {**self.product, "courses": self.package_courses}

        def change(session: Session, user: StaffUser | None) -> str:
            saved = save_product(session, product_id, fields)
            audit(session, user, "product.save", "product", saved.sku, name=saved.name, price=str(saved.price), active=saved.is_active)
            return saved.name

        if await run_change(self, change, "cat_saved"):
            self.editing_product = False
            _announce_seats("")

    @rx.event
    def new_round(self) -> None:
        self.rnd, self.editing_round, self.error, self.message = dict(EMPTY_ROUND), True, "", ""

    @rx.event
    def edit_round(self, round_id: str) -> None:
        rid = parse_id(round_id)
        with session_scope() as session:
            r = session.get(CourseRound, rid) if rid else None
            if r is None:
                return
            self.rnd = {"id": str(r.id), "course_id": str(r.product_id), "starts_on": r.starts_on.isoformat(), "ends_on": r.ends_on.isoformat(),
                        "daily_start": r.daily_start.strftime("%H:%M"), "daily_end": r.daily_end.strftime("%H:%M"),
                        "capacity": str(r.capacity), "language": r.language, "instructor": r.instructor or "", "status": r.status}
        self.editing_round, self.error, self.message = True, "", ""

    @rx.event
    def set_round_field(self, field: str, value: str) -> None:
        if field in EMPTY_ROUND:
            self.rnd = {**self.rnd, field: str(value)[:120]}

    @needs(Access.ADMIN)
    @rx.event
    async def save_round(self) -> None:
        round_id, fields = parse_id(self.rnd["id"]), dict(self.rnd)
        saved_id: list[int] = []

        def change(session: Session, user: StaffUser | None) -> None:
            saved = save_round(session, round_id, fields)
            audit(session, user, "round.save", "round", saved.id, course=saved.product_id, starts_on=saved.starts_on.isoformat(),
                  capacity=saved.capacity, status=saved.status)
            saved_id.append(saved.id)

        if await run_change(self, change, "round_saved"):
            self.editing_round = False
            _announce_seats(saved_id[0])


def _field(label: str, value: rx.Var, on_change: object, field_id: str, **props: object) -> rx.Component:
    return rx.vstack(rx.text(tr(label), size="1", color=rx.color("gray", 10)),
                     rx.input(value=value, on_change=on_change, id=field_id, **props), spacing="1")


def _product_form() -> rx.Component:
    p = CatalogState.product
    return rx.cond(CatalogState.editing_product, rx.card(rx.vstack(
        rx.hstack(
            _field("sku", p["sku"].to(str), lambda v: CatalogState.set_product_field("sku", v), "product-sku", width="140px"),
            rx.vstack(rx.text(tr("cat_kind"), size="1", color=rx.color("gray", 10)),
                      vocabulary_select("product_kind", KINDS, "product-kind", value=p["kind"].to(str),
                                        on_change=lambda v: CatalogState.set_product_field("kind", v)), spacing="1"),
            _field("cat_name_en", p["name"].to(str), lambda v: CatalogState.set_product_field("name", v), "product-name", width="220px"),
            _field("cat_name_th", p["name_th"].to(str), lambda v: CatalogState.set_product_field("name_th", v), "product-name-th", width="220px"),
            _field("cat_price", p["price"].to(str), lambda v: CatalogState.set_product_field("price", v), "product-price", width="120px"),
            rx.hstack(rx.switch(checked=p["active"].to(bool), on_change=lambda v: CatalogState.set_product_field("active", v), id="product-active"),
                      rx.text(tr("cat_active"), size="2"), align="center"),
            spacing="3", wrap="wrap", align="end",
        ),
        rx.cond(p["kind"].to(str) == "package", rx.vstack(
            rx.text(tr("cat_contains"), size="2", weight="bold"),
            rx.hstack(rx.foreach(CatalogState.courses, lambda c: rx.checkbox(
                c["label"], checked=CatalogState.package_courses.contains(c["id"]), on_change=lambda _v: CatalogState.toggle_package_course(c["id"]),
                class_name="package-course")), wrap="wrap", spacing="3"),
            spacing="1")),
        rx.hstack(rx.button(tr("save"), on_click=CatalogState.save_product, id="product-save"),
                  rx.button(tr("close"), variant="ghost", on_click=CatalogState.close_forms), spacing="2"),
        spacing="3", align="stretch",
    )))


def _round_form() -> rx.Component:
    r = CatalogState.rnd
    return rx.cond(CatalogState.editing_round, rx.card(rx.vstack(
        rx.hstack(
            rx.vstack(rx.text(tr("round_course"), size="1", color=rx.color("gray", 10)), rx.select.root(
                rx.select.trigger(placeholder=tr("round_course"), id="round-course", min_width="200px"),
                rx.select.content(rx.foreach(CatalogState.courses, lambda c: rx.select.item(c["label"], value=c["id"]))),
                value=r["course_id"], on_change=lambda v: CatalogState.set_round_field("course_id", v)), spacing="1"),
            _field("round_first_day", r["starts_on"], lambda v: CatalogState.set_round_field("starts_on", v), "round-starts-on", type="date"),
            _field("round_last_day", r["ends_on"], lambda v: CatalogState.set_round_field("ends_on", v), "round-ends-on", type="date"),
            _field("round_starts", r["daily_start"], lambda v: CatalogState.set_round_field("daily_start", v), "round-daily-start", type="time"),
            _field("round_ends", r["daily_end"], lambda v: CatalogState.set_round_field("daily_end", v), "round-daily-end", type="time"),
            _field("round_capacity", r["capacity"], lambda v: CatalogState.set_round_field("capacity", v), "round-capacity", width="80px"),
            _field("round_language", r["language"], lambda v: CatalogState.set_round_field("language", v), "round-language", width="80px"),
            _field("round_instructor", r["instructor"], lambda v: CatalogState.set_round_field("instructor", v), "round-instructor"),
            rx.vstack(rx.text(tr("round_status"), size="1", color=rx.color("gray", 10)),
                      vocabulary_select("round_status", STATUSES, "round-status", value=r["status"],
                                        on_change=lambda v: CatalogState.set_round_field("status", v)), spacing="1"),
            spacing="3", wrap="wrap", align="end",
        ),
        rx.hstack(rx.button(tr("save"), on_click=CatalogState.save_round, id="round-save"),
                  rx.button(tr("close"), variant="ghost", on_click=CatalogState.close_forms), spacing="2"),
        spacing="3", align="stretch",
    )))


def _figure(label: str, value: rx.Var, class_name: str) -> rx.Component:
    return rx.vstack(rx.text(tr(label), size="1", color=rx.color("gray", 10)), rx.text(value, weight="bold", class_name=class_name),
                     spacing="0", align="center")


def _round_card(r: rx.Var) -> rx.Component:
    return rx.card(rx.flex(
        rx.vstack(rx.link(r["course"], href="/rounds/" + r["id"], class_name="round-link", weight="bold"),
                  rx.text(r["dates"], " · ", r["times"], size="1"), rx.text(r["instructor"], size="1", color=rx.color("gray", 10)),
                  spacing="0", min_width="200px", flex="1"),
        rx.badge(r["status_label"], color_scheme=rx.cond(r["status"] == "open", "green", "gray"), variant="soft"),
        _figure("round_capacity", r["capacity"], "seats-capacity"),
        _figure("seats_taken", r["taken"], "seats-taken"),
        _figure("seats_held", r["held"], "seats-held"),
        _figure("seats_left", r["left"], "seats-left"),
        rx.cond(AuthState.is_admin, rx.button(tr("cat_edit"), size="1", variant="soft", on_click=CatalogState.edit_round(r["id"]))),
        gap="16px", wrap="wrap", align="center", width="100%",
    ), id="round-row-" + r["id"], class_name="round-row", width="100%")


def _rounds_table() -> rx.Component:
    return rx.cond(CatalogState.rounds.length() > 0, rx.vstack(rx.foreach(CatalogState.rounds, _round_card), spacing="2", width="100%",
                                                               id="rounds-table"),
                   rx.text(tr("rounds_none"), size="2", id="rounds-empty"))


def _products_table() -> rx.Component:
    return rx.cond(CatalogState.products.length() > 0, rx.vstack(rx.foreach(CatalogState.products, lambda p: rx.card(rx.flex(
        rx.vstack(rx.text(p["name"], weight="bold"), rx.text(p["name_th"], size="1"), rx.code(p["sku"], size="1"), spacing="0",
                  min_width="200px", flex="1"),
        rx.text(p["kind"], class_name="product-kind", size="2"),
        rx.text(p["price"], size="2"),
        rx.text(rx.cond(p["active"] != "", tr("cat_active"), tr("cat_inactive")), size="1", color=rx.color("gray", 10)),
        rx.cond(AuthState.is_admin, rx.button(tr("cat_edit"), size="1", variant="soft", on_click=CatalogState.edit_product(p["id"]))),
        gap="16px", wrap="wrap", align="center", width="100%"), class_name="listing-row", width="100%")),
        spacing="2", width="100%", id="listing-table"),
        rx.callout(tr("empty_catalog"), icon="info", id="empty-state"))


@app_page("/catalog", "catalog")
def catalog_page() -> rx.Component:
    return rx.vstack(
        rx.cond(CatalogState.error != "", rx.callout(CatalogState.error, icon="triangle-alert", color_scheme="red", size="1", id="catalog-error")),
        rx.cond(CatalogState.message != "", rx.callout(CatalogState.message, icon="check", color_scheme="green", size="1", id="catalog-notice")),
        rx.hstack(rx.heading(tr("rounds_upcoming"), size="4"), rx.spacer(),
                  rx.cond(AuthState.is_admin, rx.button(tr("round_schedule"), size="2", on_click=CatalogState.new_round, id="round-new")),
                  width="100%", align="center"),
        _round_form(),
        _rounds_table(),
        rx.hstack(rx.heading(tr("cat_products"), size="4"), rx.spacer(),
                  rx.cond(AuthState.is_admin, rx.button(tr("cat_new_product"), size="2", on_click=CatalogState.new_product, id="product-new")),
                  width="100%", align="center"),
        _product_form(),
        _products_table(),
        spacing="4", align="stretch", width="100%",
    )
