"""The marketing panel: what each baht of ad spend brought back, for any range of Bangkok days.

Figures come from the range's snapshot file first (`cache.marketing.load_panel`: instant, and
still there when PostgreSQL is down, marked stale) and are recomputed in the background when old.
The panel follows two feeds: `marketing` (the snapshots were rebuilt after a sync or an order or
payment change) and `ad_sync` (a sync's progress). Admins and the marketing team see it.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from sqlalchemy.exc import DBAPIError

from cache.marketing import load_panel
from models.access import Access
from models.db import session_scope
from models.marketing_figures import PRESETS, last_sync, preset_range, today_in_bangkok
from models.settings import get_settings
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text
from vschool.state.auth import AuthState, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

MAX_RANGE_DAYS = 3 * 366
KPIS = ["spend", "revenue", "roas", "meta_purchase_roas", "cac", "cpl", "leads", "enrolled", "conversion", "aov"]
COLUMNS = ["spend", "impressions", "clicks", "ctr", "cpc", "leads", "meta_leads", "cpl", "enrolled", "cac", "revenue", "roas", "meta_purchase_roas", "aov", "conversion"]
MONEY = {"spend", "revenue", "cac", "cpl", "cpc", "aov"}
COUNTS = {"impressions", "clicks", "leads", "meta_leads", "enrolled", "orders"}
PERCENT = {"ctr", "conversion"}
TIMES = {"roas", "meta_purchase_roas"}


# --- display: Thai baht, "—" for what cannot be computed ----------------------------------------

def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def baht(value: Any) -> str:
    """฿1,234,567 (whole baht from ฿1,000; satang below, where they matter: CPC ฿6.25)."""
    v = _dec(value)
    if v is None:
        return "—"
    return f"฿{v:,.0f}" if abs(v) >= 1000 else f"฿{v:,.2f}"


def show(key: str, value: Any) -> str:
    v = _dec(value)
    if v is None:
        return "—"
    if key in MONEY:
        return baht(v)
    if key in COUNTS:
        return f"{v:,.0f}"
    if key in PERCENT:
        return f"{v * 100:,.2f}%"
    if key in TIMES:
        return f"{v:,.2f}×"
    return str(v)


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(get_settings().timezone)).strftime("%d %b %Y %H:%M")


def _number(value: Any) -> float | None:
    v = _dec(value)
    return None if v is None else float(v)  # charts only: display, never arithmetic


def table_rows(data: dict[str, Any], sort_key: str, descending: bool, expanded: list[str]) -> list[dict[str, str]]:
    """Campaign → ad set → ad, flattened for display; each level sorted by `sort_key` (what
    cannot be computed goes last), children shown under an expanded parent."""
    def order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if sort_key == "name":
            return sorted(rows, key=lambda r: (r.get("name") or "").casefold(), reverse=descending)
        known = [r for r in rows if _dec(r.get(sort_key)) is not None]
        unknown = [r for r in rows if _dec(r.get(sort_key)) is None]
        return sorted(known, key=lambda r: _dec(r.get(sort_key)), reverse=descending) + unknown

    out: list[dict[str, str]] = []

    def add(row: dict[str, Any], level: int, key: str, children: list[dict[str, Any]] | None) -> None:
        is_open = key in expanded
        out.append({
            "key": key, "id": row.get("id") or "", "level": str(level), "name": row.get("name") or "",
            "status": row.get("status") or "", "expandable": "1" if children else "", "open": "1" if is_open else "",
            **{c: show(c, row.get(c)) for c in COLUMNS},
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
    values = {k: _dec(c.get(metric)) or Decimal(0) for k, c in cells.items()}
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


NO_SYNC = {"id": "", "status": "", "kind": "", "progress": "0", "rows": "0", "error": "", "finished_at": "", "started_at": ""}


class MarketingState(StaffState, access=Access.AD_SPEND):
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
    notice: str = ""
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
        _ = feed.marketing
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return {}
        panel = await self._panel()
        data = panel.get("data") or {}
        totals = data.get("totals") or {}
        return {
            **{k: show(k, totals.get(k)) for k in KPIS},
            "meta_leads": show("meta_leads", totals.get("meta_leads")),
            "orders": show("orders", totals.get("orders")),
            "loaded": "1" if data else "",
            "empty": "1" if data and not data.get("ads_synced") and not data.get("campaigns") else "",
            "stale": "1" if panel.get("stale") and not panel.get("refreshing") else "",
            "refreshing": "1" if panel.get("refreshing") else "",
            "error": panel.get("error") or "",
            "generated_at": _when(data.get("generated_at")),
            "range": f"{self.since} → {self.until}",
        }

    @rx.var
    async def trend(self) -> list[dict[str, Any]]:
        feed = await self.get_state(Feed)
        _ = feed.marketing
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return [
            {"day": t["day"][5:], "spend": _number(t["spend"]), "revenue": _number(t["revenue"]), "roas": _number(t.get("roas"))}
            for t in data.get("trend") or []
        ]

    @rx.var
    async def heat(self) -> list[dict[str, Any]]:
        feed = await self.get_state(Feed)
        _ = feed.marketing
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return heat_rows(data, self.heat_metric, signed_in.language)

    @rx.var
    async def rows(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = feed.marketing
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None or not self.since or not self.until:
            return []
        data = (await self._panel()).get("data") or {}
        return table_rows(data, self.sort_key, self.sort_desc, self.expanded)

    @rx.var
    async def sync(self) -> dict[str, str]:
        """The latest ad sync run, live while it runs (the `ad_sync` feed)."""
        feed = await self.get_state(Feed)
        _ = (feed.ad_sync, feed.marketing)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.AD_SPEND) is None:
            return NO_SYNC
        try:
            with session_scope() as session:
                run = last_sync(session)
        except DBAPIError:
            return {**NO_SYNC, "status": "unknown"}
        if run is None:
            return NO_SYNC  # every key present: the page compares them, and `undefined` is not ""
        return {"id": str(run["id"]), "status": run["status"], "kind": run["kind"], "progress": str(run["progress"] or 0),
                "rows": f"{run['rows'] or 0:,}", "error": run["error"] or "",
                "finished_at": _when(run["finished_at"]), "started_at": _when(run["started_at"])}

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
        self.notice, self.error = "", ""
        try:
            from actors.ads import sync_ads
        except ImportError:
            self.error = "sync_unavailable"
            return
        try:
            sync_ads.send(kind="manual")
        except Exception as exc:
            self.error = f"sync_not_started: {type(exc).__name__}"
            return
        self.notice = "sync_started"


# --- view -----------------------------------------------------------------------------------------

def _kpi(key: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr(f"mk_{key}"), size="1", color=rx.color("gray", 11)),
            rx.heading(MarketingState.summary[key].to(str), size="6", id=f"kpi-{key.replace('_', '-')}"),
            spacing="1",
        ),
        min_width="150px",
        flex="1",
    )


def _range_bar() -> rx.Component:
    return rx.hstack(
        rx.segmented_control.root(
            *[rx.segmented_control.item(tr(f"range_{p}"), value=p) for p in (*PRESETS, "custom")],
            value=MarketingState.preset,
            on_change=MarketingState.choose_preset,
            id="range-presets",
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
    return rx.hstack(
        rx.button(rx.icon("refresh-cw", size=16), tr("sync_now"), on_click=MarketingState.sync_now, id="sync-now",
                  disabled=sync["status"].to(str) == "running"),
        rx.cond(
            sync["status"].to(str) == "running",
            rx.hstack(rx.text(tr("sync_running"), size="2"), rx.progress(value=sync["progress"].to(int), width="160px", id="sync-progress"),
                      rx.text(sync["progress"].to(str), "%", size="2"), align="center", id="sync-running"),
            rx.text(tr("last_ad_sync"), ": ", rx.cond(sync["finished_at"].to(str) != "", sync["finished_at"].to(str), tr("not_synced")),
                    rx.cond(sync["status"].to(str) == "failed", rx.text.span(" · ", tr("sync_failed"), " ", sync["error"].to(str), color=rx.color("red", 11))),
                    size="2", color=rx.color("gray", 11), id="last-sync"),
        ),
        rx.cond(MarketingState.notice != "", rx.text(tr("sync_started"), size="2", color=rx.color("green", 11), id="sync-notice")),
        rx.cond(
            MarketingState.error != "",
            rx.callout(
                rx.cond(MarketingState.error == "sync_unavailable", tr("sync_unavailable"),
                        rx.cond(MarketingState.error.startswith("sync_not_started"), tr("sync_not_started"), MarketingState.error)),
                icon="triangle-alert", color_scheme="red", size="1", id="sync-error",
            ),
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
        rx.recharts.bar(data_key="spend", name=text("mk_spend", "th") + " / Spend", fill=rx.color("accent", 8)),
        rx.recharts.line(data_key="revenue", name=text("mk_revenue", "th") + " / Revenue", stroke=rx.color("green", 9), dot=False, type_="monotone"),
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


def _heat_map() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(tr("heat_map"), weight="bold", size="2"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item(tr("mk_spend"), value="spend"),
                rx.segmented_control.item(tr("mk_leads"), value="leads"),
                rx.segmented_control.item(tr("mk_meta_leads"), value="meta_leads"),
                value=MarketingState.heat_metric,
                on_change=MarketingState.set_heat_metric,
                size="1",
                id="heat-metric",
            ),
            align="center",
            width="100%",
        ),
        # One grid for the hour labels and the cells, so a label always stands over its own hour.
        rx.grid(
            rx.box(),
            *[rx.text(f"{h:02d}", size="1", text_align="center", color=rx.color("gray", 10), class_name="heat-hour") for h in range(24)],
            rx.foreach(
                MarketingState.heat,
                lambda row: rx.fragment(
                    rx.text(row["name"].to(str), size="1"),
                    rx.foreach(row["cells"].to(list[dict[str, str]]), lambda cell: rx.box(
                        title=cell["title"], background=cell["alpha"], height="18px", border_radius="3px", class_name="heat-cell",
                    )),
                ),
            ),
            grid_template_columns="56px repeat(24, minmax(0, 1fr))",
            gap="4px",
            align_items="center",
            id="heat-map",
            width="100%",
        ),
        width="100%",
    )


def _header(key: str) -> rx.Component:
    arrow = rx.cond(MarketingState.sort_key == key, rx.cond(MarketingState.sort_desc, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.button(tr(f"mk_{key}"), arrow, variant="ghost", size="1", on_click=MarketingState.sort_by(key), id=f"sort-{key.replace('_', '-')}"),
        white_space="nowrap",
    )


def _row(row: rx.Var) -> rx.Component:
    indent = rx.match(row["level"], ("1", "20px"), ("2", "40px"), "0px")
    name = rx.cond(row["name"] != "", row["name"], rx.cond(row["id"] != "", row["id"], tr("unsynced_ads")))
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.box(width=indent),
                rx.cond(
                    row["expandable"] != "",
                    rx.icon_button(rx.cond(row["open"] != "", rx.icon("chevron-down", size=14), rx.icon("chevron-right", size=14)),
                                   variant="ghost", size="1", on_click=MarketingState.toggle(row["key"]), aria_label="expand",
                                   class_name="drill-toggle"),
                    rx.box(width="24px"),
                ),
                rx.text(name, weight=rx.cond(row["level"] == "0", "bold", "regular"), size="2"),
                align="center",
                spacing="1",
            ),
            min_width="260px",
        ),
        *[rx.table.cell(row[c], white_space="nowrap", class_name=f"col-{c.replace('_', '-')}") for c in COLUMNS],
        class_name=rx.match(row["level"], ("0", "drill-row campaign-row"), ("1", "drill-row adset-row"), "drill-row ad-row"),
        custom_attrs={"data-id": row["id"]},
    )


def _table() -> rx.Component:
    return rx.card(
        rx.text(tr("drill_down"), weight="bold", size="2"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(_header("name"), *[_header(c) for c in COLUMNS])),
                rx.table.body(rx.foreach(MarketingState.rows, _row)),
                size="1",
                id="drill-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.callout(tr("no_ads_yet"), icon="info", id="empty-state")


@app_page("/marketing", "marketing", on_load=[MarketingState.open_panel])
def marketing_page() -> rx.Component:
    s = MarketingState.summary
    return rx.vstack(
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
                    rx.flex(*[_kpi(k) for k in KPIS], gap="12px", wrap="wrap", width="100%", id="kpis"),
                    _charts(),
                    _heat_map(),
                    _table(),
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
