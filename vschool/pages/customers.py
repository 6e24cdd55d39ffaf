"""Customers: the searchable list, and one customer's page — who they are, what they paid, the ad
that brought them, and their whole story (chats, referrals, orders, payments, notes) newest
first. Both follow the live feeds; neither holds more than a page of rows."""

import json
from datetime import datetime

import reflex as rx
from sqlalchemy.exc import OperationalError

from models.access import Access, may
from models.activity import ActivityLine, sentence
from models.customer_queries import customer_by_standard_id, customer_facts, find_customers
from models.db import session_scope
from models.enums import LeadStage
from models.listings import PAGE_SIZE, baht
from models.timeline import Entry, as_seen_by, message_author, timeline
from models.when import shown
from vschool.components.layout import app_page
from vschool.components.text import (
    lead_stage_label,
    order_status_label,
    payment_kind_label,
    payment_method_label,
    reminder_kind_label,
    reminder_status_label,
    report_status_label,
    tr,
)
from vschool.i18n import text, vocabulary
from vschool.pages.booking import BookingState, booking_card, new_customer_card
from vschool.pages.customer_orders import CustomerOrdersState, orders_section
from vschool.pages.customer_privacy import CustomerPrivacyState, erased_notice, privacy_section
from vschool.state.auth import AuthState, admitted_staff, customer_in_url, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

STAGES = ["all", *[s.value for s in LeadStage]]
NO_STORY = {"entries": [], "cursor": "", "missing": "", "stale": "", "consent": ""}  # every key the page reads, before anything loads


def _bangkok(value: datetime | str | None, language: str) -> str:
    if not value:
        return ""
    return shown(datetime.fromisoformat(value) if isinstance(value, str) else value, language)


class CustomerListState(StaffState, access=Access.CUSTOMERS, shown_on=("/customers",)):
    page: int = 0
    search: str = ""
    stage: str = "all"

    @rx.var
    async def found(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.customer)
        signed_in = await self.get_state(AuthState)
        staff = await viewer(self, Access.CUSTOMERS) if signed_in.user_id else None
        if staff is None:
            return {"rows": [], "total": 0}
        with session_scope() as session:
            rows, total = find_customers(session, self.page, self.search.strip(), "" if self.stage == "all" else self.stage,
                                         by_contact=may(staff.role, Access.CONTACT))
        for row in rows:
            row["created_at"] = _bangkok(row["created_at"], signed_in.language)
        return {"rows": rows, "total": total}

    @rx.event
    def open_list(self) -> None:
        """`?q=` pre-fills the search."""
        self.page, self.search = 0, self.router.url.query_parameters.get("q", "")[:100]

    @rx.event
    def set_search(self, value: str) -> None:
        self.search, self.page = value[:100], 0

    @rx.event
    def set_stage(self, value: str | list[str]) -> None:
        self.stage, self.page = (value if isinstance(value, str) else value[0]), 0

    @rx.event
    def next_page(self) -> None:
        self.page += 1

    @rx.event
    def previous_page(self) -> None:
        self.page = max(0, self.page - 1)


def _author(entry: Entry, language: str) -> str:
    """Who wrote a message, in words: the staff member's name, "AI", "Page inbox"… in the
    reader's language, with its attachments counted."""
    if entry.kind != "message" or not entry.extra:
        return entry.extra
    who, attachments = message_author(entry.extra)
    shown = vocabulary("sender", who, language)
    return f"{shown} · {text('timeline_attachments', language).format(n=attachments)}" if attachments else shown


def _entry_row(entry: Entry, language: str) -> dict[str, str]:
    amount = baht(-entry.amount if entry.subtype == "refund" else entry.amount) if entry.amount is not None else ""
    words = entry.text
    if entry.kind == "activity":  # who assigned, resolved, labelled …, said in the reader's language
        words = sentence(ActivityLine(entry.id, int(entry.ref or 0), entry.subtype, entry.extra, json.loads(entry.text or "{}"), entry.at), language)
    return {
        "key": entry.cursor, "kind": entry.kind, "subtype": entry.subtype, "at": _bangkok(entry.at, language),
        "text": vocabulary("meta_event", entry.text, language) if entry.kind == "report" else words,
        "amount": amount, "ref": entry.ref, "extra": _author(entry, language),
    }


class CustomerPageState(StaffState, access=Access.CUSTOMERS, shown_on=("/customers/[cid]",)):
    standard_id: str = ""
    older: list[dict[str, str]] = []  # pages the user asked for with "Load older"
    older_cursor: str = ""
    _stale: dict = {}

    @rx.event
    def open_customer(self) -> None:
        self.standard_id = customer_in_url(self)
        self.older, self.older_cursor = [], ""

    @rx.var
    async def story(self) -> dict:
        """The header facts and the newest page of the timeline; live on new messages and orders."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.customer, feed.message, feed.conversation)
        signed_in = await self.get_state(AuthState)
        staff = await viewer(self, Access.CUSTOMERS) if signed_in.user_id else None
        if staff is None or not self.standard_id:
            return NO_STORY
        language = signed_in.language
        try:
            with session_scope() as session:
                customer = customer_by_standard_id(session, self.standard_id)
                if customer is None:
                    return {**NO_STORY, "missing": "1"}
                facts = customer_facts(session, customer)
                entries, cursor = timeline(session, customer.id)
        except OperationalError:
            return {**NO_STORY, **self._stale, "stale": "1"}
        self._stale = {
            **NO_STORY,
            "name": customer.display_name or f"Messenger user …{self.standard_id[-4:]}",
            "standard_id": customer.standard_id,
            "picture": customer.profile_pic_url or "",
            "stage": customer.lead_stage,
            "tags": ", ".join(customer.tags),
            "contact": " · ".join(x for x in (customer.phone, customer.email) if x) if may(staff.role, Access.CONTACT) else "",
            "since": _bangkok(customer.created_at, language),
            "consent": _bangkok(customer.consent_at, language),
            "paid": baht(facts.paid),
            "orders": str(facts.orders),
            "conversations": str(facts.conversations),
            "conversation_id": str(facts.open_conversation_id or ""),
            "ad": facts.first_ad_name or facts.first_ad_id,
            "campaign": facts.first_campaign_name,
            "referred_at": _bangkok(facts.first_referred_at, language),
            "entries": [_entry_row(e, language) for e in as_seen_by(entries, staff.role)],
            "cursor": cursor or "",
        }
        return self._stale

    @rx.event
    async def load_older(self) -> None:
        cursor = self.older_cursor or self._stale.get("cursor", "")
        if not cursor or cursor == "end":
            return
        with session_scope() as session:
            customer = customer_by_standard_id(session, self.standard_id)
            if customer is None:
                return
            entries, next_cursor = timeline(session, customer.id, before=cursor)
        language = (await self.get_state(AuthState)).language
        self.older = self.older + [_entry_row(e, language) for e in as_seen_by(entries, admitted_staff().role)]
        self.older_cursor = next_cursor or "end"


# --- the list -----------------------------------------------------------------------------------


def _customer_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["standard_id"], href="/customers/" + row["standard_id"].to(str), class_name="customer-link")),
        rx.table.cell(row["name"]),
        rx.table.cell(rx.badge(lead_stage_label(row["stage"]), variant="soft")),
        rx.table.cell(row["tags"]),
        rx.table.cell(row["source_ad"]),
        rx.table.cell(row["created_at"]),
        class_name="listing-row",
    )


@app_page("/customers", "customers", on_load=[CustomerListState.open_list])
def customers_page() -> rx.Component:
    rows = CustomerListState.found["rows"].to(list[dict[str, str]])
    total = CustomerListState.found["total"].to(int)
    return rx.vstack(
        rx.cond(AuthState.takes_money, new_customer_card()),
        rx.hstack(
            rx.input(placeholder=tr("search"), value=CustomerListState.search, on_change=CustomerListState.set_search.debounce(300),
                     id="workspace-search", max_width="360px"),
            # The values sent stay the English ones; only what staff read follows their language.
            rx.select.root(
                rx.select.trigger(id="stage-filter"),
                rx.select.content(*[rx.select.item(tr("all_stages" if s == "all" else f"stage_{s}"), value=s) for s in STAGES]),
                value=CustomerListState.stage,
                on_change=CustomerListState.set_stage,
                size="2",
            ),
            spacing="3",
        ),
        rx.cond(
            total > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in
                                                   ("customer_id", "name", "lead_stage", "tags", "source_ad", "created")])),
                    rx.table.body(rx.foreach(rows, _customer_row)),
                    width="100%",
                    id="listing-table",
                ),
                rx.hstack(
                    rx.button(tr("previous"), on_click=CustomerListState.previous_page, disabled=CustomerListState.page == 0, variant="soft", size="1"),
                    rx.text(tr("page_of"), " ", CustomerListState.page + 1, " / ", (total + PAGE_SIZE - 1) // PAGE_SIZE, " · ", total, " ",
                            tr("records"), size="2", id="listing-total"),
                    rx.button(tr("next"), on_click=CustomerListState.next_page, disabled=(CustomerListState.page + 1) * PAGE_SIZE >= total,
                              variant="soft", size="1"),
                    align="center",
                ),
                align="stretch",
            ),
            rx.callout(rx.cond((CustomerListState.search != "") | (CustomerListState.stage != "all"), tr("no_results"), tr("empty_customers")),
                       icon="info", id="empty-state"),
        ),
        align="stretch",
        spacing="3",
    )


# --- one customer -------------------------------------------------------------------------------

_ICONS = {"message": "message-circle", "referral": "megaphone", "order": "receipt", "payment": "banknote", "note": "sticky-note",
          "reminder": "bell", "report": "send", "activity": "history"}
_REMINDER_REASONS = ["reminder_template_not_approved", "reminder_template_missing", "reminder_no_messenger", "reminder_no_longer_due",
                     "reminder_meta_refused"]


def _reminder_headline(entry: rx.Var) -> rx.Component:
    """A reminder: its kind and state; a not-sent one says why (ADR 016)."""
    return rx.vstack(
        rx.hstack(rx.text(tr("timeline_reminder"), " · ", reminder_kind_label(entry["text"]), weight="medium"),
                  rx.badge(reminder_status_label(entry["subtype"]), size="1",
                           color_scheme=rx.match(entry["subtype"], ("sent", "green"), ("not_sent", "red"), "gray")),
                  rx.text(entry["ref"], color=rx.color("gray", 10)), spacing="2", wrap="wrap"),
        rx.cond(entry["subtype"] == "not_sent", rx.text(rx.match(entry["extra"], *[(r, tr(r)) for r in _REMINDER_REASONS], entry["extra"]),
                                                        size="2", color=rx.color("red", 11), class_name="reminder-reason")),
        spacing="1",
    )


def _report_headline(entry: rx.Var) -> rx.Component:
    """A report to Meta's dataset: the event, its state, the order and the ad it counts for."""
    return rx.hstack(rx.text(tr("timeline_report"), weight="medium"),
                     rx.badge(report_status_label(entry["subtype"]), size="1",
                              color_scheme=rx.match(entry["subtype"], ("sent", "green"), ("failed", "red"), "gray")),
                     rx.text(entry["ref"], color=rx.color("gray", 10)), spacing="2", wrap="wrap")


def _icon(name: str) -> rx.Component:
    return rx.icon(name, size=16, color=rx.color("accent", 10), margin_top="3px", class_name=f"timeline-icon-{name}")


def _entry(entry: rx.Var) -> rx.Component:
    kind = entry["kind"].to(str)
    headline = rx.match(
        kind,
        ("message", rx.text(rx.cond(entry["subtype"] == "inbound", tr("customer"), entry["extra"]), weight="medium")),
        ("referral", rx.hstack(rx.text(tr("came_from_ad")), rx.text(entry["text"], weight="bold"),
                               rx.cond(entry["extra"] != "", rx.text("· ", entry["extra"], color=rx.color("gray", 10))), spacing="1")),
        ("order", rx.hstack(rx.text(tr("order"), " ", entry["ref"], weight="bold"), rx.badge(order_status_label(entry["subtype"]), size="1"), spacing="2")),
        ("payment", rx.hstack(rx.badge(payment_kind_label(entry["subtype"]), size="1", color_scheme=rx.cond(entry["subtype"] == "refund", "red", "green")),
                              rx.text(entry["ref"], " · ", payment_method_label(entry["extra"]), color=rx.color("gray", 10)), spacing="2")),
        ("reminder", _reminder_headline(entry)),
        ("report", _report_headline(entry)),
        ("activity", rx.text(tr("activity_entry"), color=rx.color("gray", 10))),
        rx.text(tr("private_note"), " · ", entry["extra"]),
    )
    return rx.hstack(
        # one static icon per kind: a dynamic icon name keeps the old icon when live rows shift
        rx.match(kind, *[(k, _icon(v)) for k, v in _ICONS.items()], _icon("circle")),
        rx.vstack(
            rx.hstack(rx.box(headline, size="2"), rx.spacer(), rx.text(entry["at"], size="1", color=rx.color("gray", 10)), width="100%"),
            rx.cond(entry["text"] != "", rx.cond((kind != "referral") & (kind != "reminder"), rx.text(entry["text"], size="2", white_space="pre-wrap"))),
            rx.cond(entry["amount"] != "", rx.text(entry["amount"], size="3", weight="bold")),
            spacing="1",
            width="100%",
        ),
        class_name=rx.Var.create("timeline-entry timeline-") + kind,
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _fact(label_key: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(tr(label_key), size="1", color=rx.color("gray", 10)), rx.heading(value, size="5", id=id_), spacing="1"),
                   min_width="170px")


@app_page("/customers/[cid]", "customer", on_load=[CustomerPageState.open_customer, CustomerOrdersState.open_orders,
                                                       CustomerPrivacyState.clear, BookingState.start])
def customer_page() -> rx.Component:
    story = CustomerPageState.story
    entries = story["entries"].to(list[dict[str, str]])
    older_done = CustomerPageState.older_cursor == "end"
    return rx.vstack(
        rx.link(tr("back_to_customers"), href="/customers", size="2"),
        erased_notice(),
        rx.cond(
            story["missing"] == "1",
            rx.callout(tr("no_customer"), icon="triangle-alert", color_scheme="amber", id="customer-missing"),
            rx.vstack(
                rx.cond(story["stale"] == "1", rx.callout(tr("story_stale"), icon="cloud-off",
                                                          color_scheme="amber", size="1")),
                rx.hstack(
                    rx.avatar(src=story["picture"].to(str), fallback=story["name"].to(str)[:1], size="6"),
                    rx.vstack(
                        rx.heading(story["name"], size="6", id="customer-name"),
                        rx.hstack(rx.code(story["standard_id"], id="customer-standard-id"), rx.badge(lead_stage_label(story["stage"]), id="customer-stage"),
                                  rx.text(story["tags"], size="2", color=rx.color("gray", 10)), spacing="2", align="center"),
                        rx.text(story["contact"], size="2"),
                        rx.text(tr("since"), " ", story["since"], size="1", color=rx.color("gray", 10)),
                        spacing="1",
                    ),
                    rx.spacer(),
                    rx.cond((story["conversation_id"] != "") & AuthState.sees_inbox,
                            rx.link(rx.button(tr("open_in_inbox"), variant="soft"), href="/inbox?c=" + story["conversation_id"].to(str))),
                    width="100%",
                    align="center",
                ),
                rx.flex(
                    _fact("paid_total", story["paid"].to(str), "customer-paid"),
                    _fact("orders_count", story["orders"].to(str), "customer-orders"),
                    _fact("conversations_count", story["conversations"].to(str), "customer-conversations"),
                    rx.card(rx.vstack(
                        rx.text(tr("source_ad"), size="1", color=rx.color("gray", 10)),
                        rx.text(rx.cond(story["ad"] != "", story["ad"], "—"), weight="bold", id="customer-source-ad"),
                        rx.text(story["campaign"], " ", story["referred_at"], size="1", color=rx.color("gray", 10)),
                        spacing="1"), min_width="240px"),
                    gap="12px",
                    wrap="wrap",
                ),
                rx.cond(AuthState.takes_money, booking_card()),
                orders_section(),
                privacy_section(story["consent"].to(str), story["standard_id"].to(str)),
                rx.heading(tr("timeline"), size="4"),
                rx.cond(
                    entries.length() > 0,
                    rx.vstack(
                        rx.foreach(entries, _entry),
                        rx.foreach(CustomerPageState.older, _entry),
                        rx.cond(
                            (story["cursor"] != "") & ~older_done,
                            rx.button(tr("load_older"), on_click=CustomerPageState.load_older, variant="soft", id="load-older"),
                            rx.text(tr("timeline_start"), size="1", color=rx.color("gray", 10), id="timeline-start"),
                        ),
                        spacing="0",
                        width="100%",
                        id="timeline",
                    ),
                    rx.callout(tr("timeline_empty"), icon="info"),
                ),
                spacing="4",
                align="stretch",
                width="100%",
            ),
        ),
        spacing="3",
        align="stretch",
        max_width="900px",
    )
