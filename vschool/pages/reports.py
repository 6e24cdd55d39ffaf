"""Reports: how fast the team answers and resolves (business hours only), by agent, team, label,
channel and source ad; satisfaction by agent; conversations by weekday × hour; what the AI did.
Live (recomputed when conversations change), any date range, CSV export (models/reports.py)."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from models.access import Access
from models.db import session_scope
from models.reports import DIMENSIONS, Range, figures_at_once, names
from models.settings import get_settings
from vschool.components.dates import chosen_days, labelled_date
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.formatting import day_range
from vschool.report_view import ai_rows, csat_rows, dimension_rows, heat_rows, summary, to_csv
from vschool.state.auth import AuthState, admitted_staff, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

PRESETS = ("7", "30", "90")
MAX_DAYS = 731
GRAY = rx.color("gray", 11)
CARDS = ("opened", "reopened", "resolved", "frt_median", "frt_p90", "res_median", "res_p90", "csat")


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _span(since: str, until: str) -> Range | None:
    """The range the page shows, or None when the dates cannot make one."""
    try:
        start, end = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        return None
    return Range(start, end) if start <= end and (end - start).days <= MAX_DAYS else None


NO_REPORT: dict[str, Any] = {"summary": {}, "rows": [], "csat": [], "heat": [], "ai": [], "agents": []}  # the page's shape, empty


class ReportsState(StaffState, access=Access.INBOX, shown_on=("/reports",)):
    preset: str = "30"
    since: str = ""
    until: str = ""
    dimension: str = "agent"
    range_error: str = ""

    @rx.event
    def open_reports(self) -> None:
        if not self.since:
            self._choose_preset(self.preset)

    def _choose_preset(self, days: str) -> None:
        days = days if days in PRESETS else "30"
        today = _today()
        self.preset, self.range_error = days, ""
        self.since, self.until = (today - timedelta(days=int(days) - 1)).isoformat(), today.isoformat()

    @rx.event
    def choose_preset(self, days: str | list[str]) -> None:
        self._choose_preset(days if isinstance(days, str) else (days[0] if days else "30"))

    @rx.event
    def set_range(self, form: dict[str, Any]) -> None:
        since, until = str(form.get("since") or ""), str(form.get("until") or "")
        if _span(since, until) is None:
            self.range_error = "rp_bad_range"
            return
        self.since, self.until, self.preset, self.range_error = since, until, "", ""

    @rx.event
    def choose_dimension(self, value: str | list[str]) -> None:
        value = value if isinstance(value, str) else (value[0] if value else "agent")
        self.dimension = value if value in DIMENSIONS else "agent"

    @rx.var
    async def report(self) -> dict[str, Any]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)  # live: recomputed when conversations change
        signed_in = await self.get_state(AuthState)
        span = _span(self.since, self.until)
        if span is None or await viewer(self, Access.INBOX) is None:
            return NO_REPORT
        language = signed_in.language
        fig = figures_at_once(span)
        with session_scope() as session:
            who = names(session)
        return {
            "summary": summary(fig, language),
            "rows": dimension_rows(fig, who, self.dimension, language),
            "csat": csat_rows(fig, who, language),
            "heat": heat_rows(fig, language),
            "ai": ai_rows(fig, language),
            "agents": dimension_rows(fig, who, "agent", language),
        }

    @rx.var
    async def range_shown(self) -> str:
        """The range shown in the reader's words (the date pickers write mm/dd/yyyy)."""
        return day_range(self.since, self.until, (await self.get_state(AuthState)).language)

    @rx.event
    async def download_csv(self):
        admitted_staff()
        span = _span(self.since, self.until)
        if span is None:
            self.range_error = "rp_bad_range"
            return None
        language = (await self.get_state(AuthState)).language
        fig = figures_at_once(span)
        with session_scope() as session:
            data = to_csv(fig, names(session), language, self.since, self.until)
        return rx.download(data=data.encode("utf-8-sig"), filename=f"vschool-reports-{self.since}-{self.until}.csv")


def _card(key: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(tr(f"rp_{key}"), size="1", color=GRAY), rx.heading(value, size="5", id=f"rp-{key.replace('_', '-')}"), spacing="1"),
        min_width="150px", flex="1",
    )


def _range_bar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            *[rx.segmented_control.item(tr(f"rp_last_{d}"), value=d) for d in PRESETS],
            value=ReportsState.preset, on_change=ReportsState.choose_preset, id="rp-presets",
        ),
        rx.form(
            rx.flex(
                labelled_date("rp_from", "rp-since", name="since", default_value=ReportsState.since, key=ReportsState.since),
                labelled_date("rp_to", "rp-until", name="until", default_value=ReportsState.until, key=ReportsState.until),
                rx.button(tr("rp_apply"), type="submit", variant="soft", id="rp-apply"),
                gap="8px", wrap="wrap", align="end",
            ),
            on_submit=ReportsState.set_range,
        ),
        chosen_days(ReportsState.range_shown, "rp-range-shown"),
        rx.spacer(),
        rx.button(rx.icon("download", size=14), tr("rp_csv"), variant="soft", on_click=ReportsState.download_csv, id="rp-csv"),
        gap="12px", wrap="wrap", align="end", width="100%",
    )


COLUMNS = (("name", "rp_name"), ("frt_n", "rp_frt_n"), ("frt_median", "rp_frt_median"), ("frt_p90", "rp_frt_p90"),
           ("res_n", "rp_res_n"), ("res_median", "rp_res_median"), ("res_p90", "rp_res_p90"))
ON_A_PHONE, FROM_A_TABLET = rx.breakpoints(initial="flex", md="none"), rx.breakpoints(initial="none", md="block")


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(row[k], white_space="nowrap" if k != "name" else "normal") for k, _ in COLUMNS],
        class_name="rp-row",
    )


def _row_card(row: rx.Var) -> rx.Component:
    """One breakdown row on a phone or a narrow tablet: its name, then each figure under its
    label (seven Thai column headings do not fit beside the menu below 992 px)."""
    return rx.box(
        rx.text(row["name"], weight="bold", size="2"),
        rx.grid(
            *[rx.vstack(rx.text(tr(label), size="1", color=GRAY), rx.text(row[k], size="2"), spacing="0") for k, label in COLUMNS[1:]],
            columns="3", gap="8px", width="100%",
        ),
        border_top=f"1px solid {rx.color('gray', 5)}", padding_top="8px", width="100%", class_name="rp-row-card",
    )


def _breakdown(rows: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(  # a select, not buttons: five Thai names do not fit a phone's width side by side
            rx.text(tr("rp_dimension"), size="2"),
            rx.select.root(
                rx.select.trigger(id="rp-dimension"),
                rx.select.content(*[rx.select.item(tr(f"rp_dim_{d}"), value=d) for d in DIMENSIONS]),
                value=ReportsState.dimension, on_change=ReportsState.choose_dimension,
            ),
            align="center",
        ),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(h)) for _, h in COLUMNS])),
            rx.table.body(rx.foreach(rows, _row)),
            width="100%", size="1", id="rp-table",
        ), overflow_x="auto", width="100%", min_width="0", display=FROM_A_TABLET),
        rx.vstack(rx.foreach(rows, _row_card), spacing="3", width="100%", display=ON_A_PHONE, id="rp-row-cards"),
        spacing="3", width="100%", min_width="0",
    ), width="100%", min_width="0")


def _heat(rows: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(tr("rp_volume"), weight="bold", size="2"),
        rx.grid(
            rx.box(),
            *[rx.text(f"{h:02d}", size="1", text_align="center", color=rx.color("gray", 10), font_size=rx.breakpoints(initial="8px", sm="12px"))
              for h in range(24)],
            rx.foreach(rows, lambda row: rx.fragment(
                rx.text(row["day"].to(str), size="1"),
                rx.foreach(row["cells"].to(list[dict[str, str]]), lambda cell: rx.box(
                    title=cell["n"], height="18px", border_radius="3px", class_name="rp-heat-cell",
                    background=rx.match(cell["shade"], ("0", rx.color("gray", 3)), ("1", rx.color("accent", 3)), ("2", rx.color("accent", 4)),
                                        ("3", rx.color("accent", 5)), ("4", rx.color("accent", 6)), ("5", rx.color("accent", 7)),
                                        ("6", rx.color("accent", 8)), ("7", rx.color("accent", 9)), ("8", rx.color("accent", 10)),
                                        rx.color("accent", 11)),
                )),
            )),
            grid_template_columns=rx.breakpoints(initial="28px repeat(24, minmax(0, 1fr))", sm="40px repeat(24, minmax(0, 1fr))"),
            gap=rx.breakpoints(initial="1px", sm="3px"), align_items="center", width="100%", id="rp-heat",
        ),
        spacing="2", width="100%",
    ), width="100%")


def _bars(data: rx.Var, key: str, name_key: str, title: str, chart_id: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(tr(title), weight="bold", size="2"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key=key, fill=rx.color("accent", 8)),
            rx.recharts.x_axis(data_key=name_key, tick={"fontSize": 11}),
            rx.recharts.y_axis(allow_decimals=False),
            rx.recharts.graphing_tooltip(),
            data=data, height=220, width="100%",
        ),
        spacing="2", width="100%", id=chart_id,
    ), width="100%")


def _csat(rows: rx.Var) -> rx.Component:
    headers = ("rp_agent", "rp_csat_n", "rp_csat_average", "rp_csat_satisfied", "rp_csat_comments")
    return rx.card(rx.vstack(
        rx.text(tr("rp_csat_by_agent"), weight="bold", size="2"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(h)) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for k in ("name", "n", "average", "satisfied", "comments")]))),
            width="100%", size="1", id="rp-csat",
        ),
        spacing="2", width="100%",
    ), width="100%")


@app_page("/reports", "reports", on_load=[ReportsState.open_reports])
def reports_page() -> rx.Component:
    report = ReportsState.report
    cards = report["summary"].to(dict[str, str])
    return rx.vstack(
        rx.text(tr("rp_help"), size="2", color=GRAY),
        _range_bar(),
        rx.cond(ReportsState.range_error != "", rx.callout(tr("rp_bad_range"), icon="triangle-alert", color_scheme="red", id="rp-range-error")),
        rx.flex(*[_card(k, cards[k]) for k in CARDS], gap="12px", wrap="wrap", width="100%", id="rp-cards"),
        _breakdown(report["rows"].to(list[dict[str, str]])),
        rx.grid(
            _bars(report["agents"].to(list[dict[str, Any]]), "frt_minutes", "name", "rp_frt_by_agent_chart", "rp-frt-chart"),
            _bars(report["ai"].to(list[dict[str, Any]]), "count", "outcome", "rp_ai", "rp-ai-chart"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        _heat(report["heat"].to(list[dict[str, Any]])),
        _csat(report["csat"].to(list[dict[str, str]])),
        spacing="3", align="stretch", width="100%",
    )
