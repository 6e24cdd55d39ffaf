"""Admin → Set-aside events: webhook events the worker could not apply for a reason retrying
cannot fix (models/set_aside.py), with why, how often it tried and a glimpse of the payload.
"Retry" applies one again once the cause is fixed; "Discard" gives up on it (the row is kept).
Both are audited."""

from datetime import UTC, datetime

import redis
import reflex as rx

from actors.messenger import actor_for
from models import set_aside
from models.access import Access
from models.db import session_scope
from models.refusals import Refused
from models.set_aside import SetAsideEvent
from models.when import shown
from vschool.api.inbound_store import rejected_bodies
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, admitted_staff, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id


def _shown(event: SetAsideEvent, language: str) -> dict[str, str]:
    return {
        "id": str(event.id),
        "kind": event.kind,
        "received": shown(event.received_at, language),
        "set_aside": shown(event.set_aside_at, language),
        "reason": event.reason,
        "attempts": str(event.attempts),
        "preview": event.preview,
    }


class SetAsideState(StaffState, access=Access.ADMIN, shown_on=("/admin/events",)):
    message: str = ""
    error: str = ""
    changes: int = 0  # bumped by a retry or discard so the list reloads in this tab at once

    @rx.var
    async def events(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.overview, self.changes)  # new events move the overview; a set-aside one may be among them
        language = (await self.get_state(AuthState)).language  # read here: a language switch recomputes the list
        if await viewer(self, Access.ADMIN) is None:
            return []
        with session_scope() as session:
            return [_shown(event, language) for event in set_aside.list_set_aside(session)]

    async def _decide(self, event_id: str, decide, done: str):
        """Run `decide(session, admin, id)` on one set-aside event; say what happened or why not."""
        self.message, self.error = "", ""
        chosen = parse_id(event_id)
        if chosen is None:
            self.error = await say(self, "error_event_not_set_aside")
            return None
        try:
            with session_scope() as session:
                outcome = decide(session, admitted_staff(), chosen)
        except Refused as exc:
            self.error = await refused(self, exc)
            return None
        self.changes += 1
        self.message = await say(self, done, id=chosen)
        return chosen, outcome

    @rx.var
    async def rejected(self) -> dict:
        """Bodies Meta signed that could not even be stored (this host's journal)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.overview, self.changes)
        language = (await self.get_state(AuthState)).language
        if await viewer(self, Access.ADMIN) is None:
            return {"total": 0, "rows": []}
        total, rows = rejected_bodies()
        return {"total": total, "rows": [{"at": shown(datetime.fromtimestamp(r["at"], UTC), language), "size": str(r["size"]),
                                          "preview": r["preview"]} for r in rows]}

    @rx.event
    async def retry(self, event_id: str) -> None:
        decided = await self._decide(event_id, set_aside.retry, "notice_event_retried")
        if decided is None:
            return
        chosen, kind = decided
        try:
            actor_for(kind).send(chosen)
        except redis.RedisError:
            pass  # no longer set aside: the relay enqueues it within a minute or two

    @rx.event
    async def discard(self, event_id: str) -> None:
        await self._decide(event_id, set_aside.discard, "notice_event_discarded")


def _event_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("#", row["id"], weight="bold", size="2"), rx.badge(row["kind"], color_scheme="gray")),
        rx.table.cell(rx.text(row["reason"], size="2", color=rx.color("red", 11)),
                      rx.text(row["preview"], size="1", color=rx.color("gray", 10), font_family="monospace", word_break="break-all", class_name="raw-data")),
        rx.table.cell(row["attempts"]),
        rx.table.cell(rx.text(row["received"], size="1"), rx.text(row["set_aside"], size="1", color=rx.color("gray", 10)), white_space="nowrap"),
        rx.table.cell(rx.hstack(
            rx.button(rx.icon("rotate-ccw", size=14), tr("retry_event"), size="1", variant="soft", on_click=SetAsideState.retry(row["id"])),
            rx.button(rx.icon("archive", size=14), tr("discard_event"), size="1", variant="soft", color_scheme="gray",
                      on_click=SetAsideState.discard(row["id"])),
            spacing="2",
        )),
        class_name="set-aside-row",
    )


@app_page("/admin/events", "set_aside_events", admin=True)
def set_aside_page() -> rx.Component:
    return rx.vstack(
        rx.text(tr("set_aside_help"), size="2", color=rx.color("gray", 11)),
        rx.cond(SetAsideState.message != "", rx.callout(SetAsideState.message, icon="check", color_scheme="green", id="set-aside-message")),
        rx.cond(SetAsideState.error != "", rx.callout(SetAsideState.error, icon="triangle-alert", color_scheme="red", id="set-aside-error")),
        rx.cond(
            SetAsideState.events.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("event", "reason", "attempts", "when", "action")])),
                rx.table.body(rx.foreach(SetAsideState.events, _event_row)),
                width="100%", size="1", id="set-aside-table",
            ),
            rx.callout(tr("no_set_aside_events"), icon="circle-check", color_scheme="green", id="no-set-aside"),
        ),
        rx.cond(
            SetAsideState.rejected["total"].to(int) > 0,
            rx.vstack(
                rx.heading(tr("rejected_bodies"), size="4"),
                rx.text(tr("rejected_bodies_help"), " (", SetAsideState.rejected["total"].to(str), ")", size="2", color=rx.color("gray", 11)),
                rx.table.root(
                    rx.table.body(rx.foreach(
                        SetAsideState.rejected["rows"].to(list[dict[str, str]]),
                        lambda r: rx.table.row(
                            rx.table.cell(r["at"], white_space="nowrap"), rx.table.cell(r["size"], " B"),
                            rx.table.cell(rx.text(r["preview"], size="1", font_family="monospace", word_break="break-all", class_name="raw-data")),
                            class_name="rejected-row",
                        ),
                    )),
                    width="100%", size="1", id="rejected-table",
                ),
                align="stretch",
            ),
        ),
        spacing="3",
        align="stretch",
    )
