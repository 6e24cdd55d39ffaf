"""The marketing panel: what each baht of ad spend brought back, for any range of Bangkok days.

Figures come from the range's snapshot file first (`cache.marketing.load_panel`: instant, and
still there when PostgreSQL is down, marked stale) and are recomputed in the background when old.
The panel follows two feeds: `marketing` (the snapshots were rebuilt after a sync or an order or
payment change) and `ad_sync` (a sync's progress). Admins and the marketing team see it.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import reflex as rx
from sqlalchemy.exc import DBAPIError

from actors.ads import sync_ads
from cache.marketing import load_panel
from models.access import Access
from models.db import session_scope
from models.marketing_figures import PRESETS, last_sync, preset_range, today_in_bangkok
from models.when import day_shown, shown_iso
from vschool.components.layout import app_page
from vschool.components.marketing import (
    COLUMNS,
    KPIS,
    MARKETING_CSS,
    figures_by_ad,
    heat_map,
    kpi_cards,
)
from vschool.components.text import tr
from vschool.formatting import baht, decimal_or_none, figure
from vschool.i18n import text
from vschool.state.auth import AuthState, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

MAX_RANGE_DAYS = 3 * 366


def _number(value: Any) -> float | None:
    v = decimal_or_none(value)
    return None if v is None else float(v)  # charts only: display, never arithmetic


def table_rows(data: dict[str, Any], sort_key: str, descending: bool, expanded: list[str]) -> list[dict[str, str]]:
    """Campaign → ad set → ad, flattened for display; each level sorted by `sort_key` (what
    cannot be computed goes last), children shown under an expanded parent."""
    def order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if sort_key == "name":
            return sorted(rows, key=lambda r: (r.get("name") or "").casefold(), reverse=descending)
        known = [r for r in rows if decimal_or_none(r.get(sort_key)) is not None]
        unknown = [r for r in rows if decimal_or_none(r.get(sort_key)) is None]
        return sorted(known, key=lambda r: decimal_or_none(r.get(sort_key)), reverse=descending) + unknown

    out: list[dict[str, str]] = []

    def add(row: dict[str, Any], level: int, key: str, children: list[dict[str, Any]] | None) -> None:
        is_open = key in expanded
        out.append({
            "key": key, "id": row.get("id") or "", "level": str(level), "name": row.get("name") or "",
            "status": row.get("status") or "", "expandable": "1" if children else "", "open": "1" if is_open else "",
            **{c: figure(c, row.get(c)) for c in COLUMNS},
        })
        if children and is_open:
            for child in order(children):
                grandchildren = child.get("ads") if level == 0 else None
                add(child, level + 1, f"{key}/{child.get('id') or '-'}", grandchildren)

    for campaign in order(data.get("campaigns") or []):
        add(campaign, 0, campaign.get("id") or "-", campaign.get("ad_sets") or [])
    return out


def heat_rows(data: dict[str, Any], metric: str, language: str) -> list[dict[str, Any]]:
    cells = {(c["weekday"], c["hour"]): c for c in data.get("heat") or []}
    values = {k: decimal_or_none(c.get(metric)) or Decimal(0) for k, c in cells.items()}
    top = max(values.values(), default=Decimal(0))
    rows = []
    for weekday in range(1, 8):
        row = []
        for hour in range(24):
            v = values.get((weekday, hour), Decimal(0))
            alpha = float(v / top) if top else 0.0
            label = baht(v) if metric == "spend" else f"{v:,.0f}"
            row.append({"alpha": f"rgba(229, 72, 77, {0.06 + 0.94 * alpha:.3f})" if v else "var(--gray-3)",
                        "title": f"{text(f'wd_{weekday}', language)} {hour:02d}:00 · {label}"})
        rows.append({"name": text(f"wd_{weekday}", language), "cells": row})
    return rows


def _announce_marketing() -> None:
    try:
        from actors.push import announce

        announce("marketing")
    except Exception:
        pass


NO_SYNC = {"id": "", "status": "", "kind": "", "progress": "0", "rows": "0", "error": "", "finished_at": "", "started_at": "",
           "took": "", "received_at": ""}


class MarketingState(StaffState, access=Access.AD_SPEND, shown_on=("/marketing",)):
    preset: str = "30d"
    since: str = ""
    until: str = ""
    custom_since: str = ""
    custom_until: str = ""
    range_error: str = ""
    sort_key: str = "spend"
    sort_desc: bool = True
    expanded: list[str] = []
    heat_metric: str = "spend"
    requested_after: int = -1  # the newest run's id when "Sync now" was pressed (-1: not pressed)
    error: str = ""

    async def _panel(self) -> dict[str, Any]:
        if not self.since or not self.until:
            return {}
        cached = load_panel(date.fromisoformat(self.since), date.fromisoformat(self.until), on_done=_announce_marketing)
        return {"data": cached.data or {}, "stale": cached.stale, "error": cached.error or "", "refreshing": cached.refreshing}

    @rx.var
    async def summary(self) -> dict[str, str]:
        """KPI cards and the state of the figures (fresh, stale, when they were computed)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return {}
        panel = await self._panel()
        data = panel.get("data") or {}
        totals = data.get("totals") or {}
        return {
            **{k: figure(k, totals.get(k)) for k in KPIS},
            "meta_leads": figure("meta_leads", totals.get("meta_leads")),
            "orders": figure("orders", totals.get("orders")),
            "loaded": "1" if data else "",
            "empty": "1" if data and not data.get("ads_synced") and not data.get("campaigns") else "",
            "stale": "1" if panel.get("stale") and not panel.get("refreshing") else "",
            "refreshing": "1" if panel.get("refreshing") else "",
            "error": panel.get("error") or "",
            "generated_at": shown_iso(data.get("generated_at"), signed_in.language),
            "range": f"{self.since} → {self.until}",
        }

    @rx.var
    async def trend(self) -> list[dict[str, Any]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return [
            {"day": day_shown(date.fromisoformat(t["day"]), signed_in.language, year=False), "spend": _number(t["spend"]), "revenue": _number(t["revenue"]), "roas": _number(t.get("roas"))}
            for t in data.get("trend") or []
        ]

    @rx.var
    async def heat(self) -> list[dict[str, Any]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return heat_rows(data, self.heat_metric, signed_in.language)

    @rx.var
    async def rows(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return table_rows(data, self.sort_key, self.sort_desc, self.expanded)

    @rx.var
    async def sync(self) -> dict[str, str]:
        """The latest ad sync run, live while it runs (the `ad_sync` feed): `queued` from the
        click until a worker starts it, then `running` with its progress and rows, then how it
        ended. With no run at all, when the figures shown arrived (an import, the demo data)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.ad_sync, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None:
            return NO_SYNC
        try:
            with session_scope() as session:
                run = last_sync(session)
        except DBAPIError:
            return {**NO_SYNC, "status": "unknown"}
        lang = signed_in.language
        received = shown_iso(((await self._panel()).get("data") or {}).get("figures_received_at"), lang)
        if self.requested_after >= 0 and (run is None or run["id"] <= self.requested_after):
            return {**NO_SYNC, "status": "queued", "received_at": received}
        if run is None:
            return {**NO_SYNC, "received_at": received}  # every key present: the page compares them
        took = ""
        if run["started_at"] and run["finished_at"]:
            seconds = (datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])).total_seconds()
            took = f"{seconds:,.0f} s" if seconds >= 1 else "< 1 s"
        return {"id": str(run["id"]), "status": run["status"], "kind": run["kind"], "progress": str(run["progress"] or 0),
                "rows": f"{run['rows'] or 0:,}", "error": run["error"] or "", "took": took, "received_at": received,
                "finished_at": shown_iso(run["finished_at"], lang), "started_at": shown_iso(run["started_at"], lang)}

    # --- events ---

    @rx.event
    async def open_panel(self):
        if not self.since:
            self._use_preset(self.preset)
        return None

    def _use_preset(self, name: str) -> None:
        since, until = preset_range(name, today_in_bangkok())
        self.preset, self.since, self.until = name, since.isoformat(), until.isoformat()
        self.custom_since, self.custom_until, self.range_error = self.since, self.until, ""
        self.expanded = []

    @rx.event
    def choose_preset(self, name: str | list[str]) -> None:
        name = name if isinstance(name, str) else (name[0] if name else "")
        if name in PRESETS:
            self._use_preset(name)
        else:
            self.preset = "custom"

    @rx.event
    def set_custom_since(self, value: str) -> None:
        self.custom_since = value[:10]

    @rx.event
    def set_custom_until(self, value: str) -> None:
        self.custom_until = value[:10]

    @rx.event
    def apply_custom(self) -> None:
        try:
            since, until = date.fromisoformat(self.custom_since), date.fromisoformat(self.custom_until)
        except ValueError:
            self.range_error = "range_invalid"
            return
        if until < since or until - since > timedelta(days=MAX_RANGE_DAYS):
            self.range_error = "range_invalid"
            return
        self.preset, self.since, self.until, self.range_error, self.expanded = "custom", since.isoformat(), until.isoformat(), "", []

    @rx.event
    def sort_by(self, key: str) -> None:
        if key == self.sort_key:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_key, self.sort_desc = key, key != "name"

    @rx.event
    def toggle(self, key: str) -> None:
        self.expanded = [k for k in self.expanded if k != key and not k.startswith(f"{key}/")] if key in self.expanded else [*self.expanded, key]

    @rx.event
    def set_heat_metric(self, value: str | list[str]) -> None:
        value = value if isinstance(value, str) else (value[0] if value else "")
        self.heat_metric = value if value in ("spend", "leads", "meta_leads") else "spend"

    @rx.event
    async def sync_now(self) -> None:
        self.error = ""
        try:
            with session_scope() as session:
                run = last_sync(session)
            sync_ads.send(kind="manual")
        except Exception as exc:
            self.error = f"sync_not_started: {type(exc).__name__}"
            return
        self.requested_after = run["id"] if run else 0


# --- view -----------------------------------------------------------------------------------------

def _range_bar() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.segmented_control.root(
                *[rx.segmented_control.item(tr(f"range_{p}"), value=p) for p in (*PRESETS, "custom")],
                value=MarketingState.preset,
                on_change=MarketingState.choose_preset,
                id="range-presets",
            ),
            class_name="range-wide",
        ),
        rx.box(
            rx.select.root(  # a phone or a tablet beside the sidebar has no room for five buttons in a row
                rx.select.trigger(id="range-presets-menu"),
                rx.select.content(*[rx.select.item(tr(f"range_{p}"), value=p) for p in (*PRESETS, "custom")]),
                value=MarketingState.preset,
                on_change=MarketingState.choose_preset,
            ),
            class_name="range-narrow",
        ),
        rx.cond(
            MarketingState.preset == "custom",
            rx.hstack(
                rx.input(type="date", value=MarketingState.custom_since, on_change=MarketingState.set_custom_since, id="range-since"),
                rx.text("→"),
                rx.input(type="date", value=MarketingState.custom_until, on_change=MarketingState.set_custom_until, id="range-until"),
                rx.button(tr("apply"), on_click=MarketingState.apply_custom, size="2", id="range-apply"),
                align="center",
            ),
        ),
        rx.cond(MarketingState.range_error != "", rx.text(tr("range_invalid"), color=rx.color("red", 11), size="2", id="range-error")),
        rx.text(MarketingState.summary["range"].to(str), size="2", color=rx.color("gray", 11), id="range-shown"),
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _sync_bar() -> rx.Component:
    sync = MarketingState.sync
    status = sync["status"].to(str)
    last = rx.cond(
        sync["finished_at"].to(str) != "",
        rx.cond(
            status == "failed",
            rx.text(tr("sync_failed_at"), " ", sync["finished_at"].to(str), ": ", sync["error"].to(str), color=rx.color("red", 11)),
            rx.text(tr("sync_done"), " ", sync["finished_at"].to(str), " · ", sync["rows"].to(str), " ", tr("sync_rows"), " · ",
                    sync["took"].to(str)),
        ),
        rx.cond(sync["received_at"].to(str) != "",
                rx.text(tr("figures_received"), " ", sync["received_at"].to(str), " · ", tr("never_synced_from_meta")),
                rx.text(tr("last_ad_sync"), ": ", tr("not_synced"))),
    )
    return rx.hstack(
        rx.button(rx.icon("refresh-cw", size=16), tr("sync_now"), on_click=MarketingState.sync_now, id="sync-now",
                  loading=(status == "running") | (status == "queued")),
        rx.match(
            status,
            ("queued", rx.text(tr("sync_queued"), size="2", id="sync-queued")),
            ("running", rx.hstack(rx.text(tr("sync_running"), size="2"), rx.progress(value=sync["progress"].to(int), width="120px", id="sync-progress"),
                                  rx.text(sync["progress"].to(str), "% · ", sync["rows"].to(str), " ", tr("sync_rows_so_far"), size="2"),
                                  align="center", wrap="wrap", id="sync-running")),
            rx.box(last, font_size="var(--font-size-2)", color=rx.color("gray", 11), id="last-sync"),
        ),
        rx.cond(
            MarketingState.error != "",
            rx.callout(tr("sync_not_started"), icon="triangle-alert", color_scheme="red", size="1", id="sync-error"),
        ),
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _callout(icon: str, color: str, id_: str, *parts: Any) -> rx.Component:
    return rx.callout.root(rx.callout.icon(rx.icon(icon)), rx.callout.text(*parts), color_scheme=color, id=id_)


def _freshness() -> rx.Component:
    s = MarketingState.summary
    return rx.cond(
        s["stale"].to(str) != "",
        _callout("database", "amber", "stale-banner", tr("figures_stale"), " ", s["generated_at"].to(str)),
        rx.text(
            tr("figures_as_of"), " ", s["generated_at"].to(str),
            rx.cond(s["refreshing"].to(str) != "", rx.text.span(" · ", tr("refreshing"))),
            size="1", color=rx.color("gray", 10), id="figures-as-of",
        ),
    )


def _charts() -> rx.Component:
    money_chart = rx.recharts.composed_chart(
        rx.recharts.bar(data_key="spend", name=tr("mk_spend"), fill=rx.color("accent", 8)),
        rx.recharts.line(data_key="revenue", name=tr("mk_revenue"), stroke=rx.color("green", 9), dot=False, type_="monotone"),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=MarketingState.trend,
        height=260,
        width="100%",
    )
    roas_chart = rx.recharts.line_chart(
        rx.recharts.line(data_key="roas", name="ROAS", stroke=rx.color("purple", 9), dot=False, connect_nulls=False, type_="monotone"),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        data=MarketingState.trend,
        height=260,
        width="100%",
    )
    return rx.grid(
        rx.card(rx.text(tr("spend_vs_revenue"), weight="bold", size="2"), money_chart, id="chart-spend-revenue"),
        rx.card(rx.text(tr("roas_trend"), weight="bold", size="2"), roas_chart, id="chart-roas"),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.callout(tr("no_ads_yet"), icon="info", id="empty-state")


@app_page("/marketing", "marketing", on_load=[MarketingState.open_panel])
def marketing_page() -> rx.Component:
    s = MarketingState.summary
    return rx.vstack(
        rx.el.style(MARKETING_CSS),
        _range_bar(),
        _sync_bar(),
        rx.cond(
            s["loaded"].to(str) == "",
            rx.cond(s["error"].to(str) != "", _callout("triangle-alert", "red", "figures-error", tr("figures_unavailable"), " ", s["error"].to(str)), rx.spinner()),
            rx.cond(
                s["empty"].to(str) != "",
                _empty(),
                rx.vstack(
                    _freshness(),
                    kpi_cards(s),
                    _charts(),
                    heat_map(MarketingState.heat, MarketingState.heat_metric, MarketingState.set_heat_metric),
                    figures_by_ad(MarketingState.rows, MarketingState.sort_key, MarketingState.sort_desc, MarketingState.sort_by,
                                  MarketingState.toggle),
                    spacing="4",
                    width="100%",
                    align="stretch",
                ),
            ),
        ),
        spacing="4",
        align="stretch",
        width="100%",
    )
