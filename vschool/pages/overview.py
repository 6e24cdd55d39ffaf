"""Overview: today's counters, read from PostgreSQL, live in every open browser."""

from datetime import datetime

import reflex as rx
from sqlalchemy.exc import OperationalError

from models.access import Access
from models.db import session_scope
from models.stats import OverviewCounts, overview_counts
from models.when import shown
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState
from vschool.state.per_bump import shared


def _read_counts() -> OverviewCounts:
    with session_scope() as session:
        return overview_counts(session)


def bangkok_time(value: datetime | None, language: str = "en") -> str:
    """A stored time as staff read it (models/when.py: Thai dates with the Buddhist year in Thai)."""
    return shown(value, language)


class OverviewState(StaffState, shown_on=("/",)):
    _last: dict[str, str] = {}

    @rx.var
    async def counters(self) -> dict[str, str]:
        """Recomputed when a feed it reads moves: one query of four counts (once per push bump for
        all this process's tabs, each of which passed its own `viewer` check first)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.overview, feed.customer, feed.conversation, feed.message, feed.ad_sync)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.SIGNED_IN) is None:
            return {}
        try:
            counts = shared(("overview_counts",), _read_counts)  # the same for every signed-in viewer
        except OperationalError:
            return {**self._last, "stale": "1"}
        self._last = {
            "open_conversations": f"{counts.open_conversations:,}",
            "messages_today": f"{counts.messages_today:,}",
            "customers": f"{counts.customers:,}",
            "last_ad_sync": bangkok_time(counts.last_ad_sync, signed_in.language),
        }
        return self._last


def counter_card(key: str, icon: str, fallback: str = "0") -> rx.Component:
    value = OverviewState.counters[key].to(str)
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=18, color=rx.color("accent", 10)), rx.text(tr(key), size="2", color=rx.color("gray", 11))),
            rx.heading(rx.cond(value != "", value, fallback), size="8", id=f"counter-{key.replace('_', '-')}"),
            spacing="2",
        ),
        min_width="220px",
        size="3",
    )


@app_page("/", "overview")
def overview() -> rx.Component:
    return rx.vstack(
        rx.flex(
            counter_card("open_conversations", "message-circle"),
            counter_card("messages_today", "messages-square"),
            counter_card("customers", "users"),
            counter_card("last_ad_sync", "refresh-cw", fallback="—"),
            gap="16px",
            wrap="wrap",
        ),
        rx.hstack(
            rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("green", 9)),
            rx.text(tr("live"), size="1", color=rx.color("gray", 10)),
            align="center",
        ),
        spacing="4",
    )
