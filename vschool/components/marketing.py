"""The marketing panel's widgets: KPI cards that say what they count, the campaign → ad set → ad
figures as a table on wide screens and as cards on narrow ones, and the weekday × hour heat map.

Each widget takes the Vars and event handlers it shows, so the page (vschool/pages/marketing.py)
reads like a description of the screen and these stay free of any one state.
"""

from typing import Any

import reflex as rx

from vschool.components.text import tr

KPIS = ["spend", "revenue", "roas", "meta_purchase_roas", "cac", "cpl", "leads", "enrolled", "conversion", "aov"]
COLUMNS = ["spend", "impressions", "clicks", "ctr", "cpc", "leads", "meta_leads", "cpl", "enrolled", "seats", "cac", "revenue", "roas",
           "meta_purchase_roas", "aov", "conversion", "reported_purchases", "reported_leads"]
KEY_COLUMNS = ("spend", "leads", "cpl", "enrolled", "cac", "revenue", "roas", "meta_purchase_roas")
# The table needs 1,200 px for its key columns and 1,800 px for all of them; below 1,200 px each
# row is a card. Nothing ever scrolls sideways, and every figure is one tap away (a row's "all
# figures" popover).
MARKETING_CSS = """
.figure-cards { display: none !important; }
.col-extra { display: none; }
@media (max-width: 1199px) {
  .figure-table { display: none !important; }
  .figure-cards { display: flex !important; }
}
@media (min-width: 1800px) { .col-extra { display: table-cell; } }
.range-wide { display: none; }
@media (min-width: 1100px) { .range-wide { display: block; } .range-narrow { display: none; } }
"""
GRAY = rx.color("gray", 11)


def definition(key: str) -> rx.Component:
    """An (i) button that opens what the figure counts; works with a tap as well as a mouse."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(rx.icon("info", size=12), variant="ghost", size="1", color_scheme="gray",
                           aria_label=tr("mk_what_is"), class_name="figure-help", id=f"help-{key.replace('_', '-')}"),
        ),
        rx.popover.content(rx.text(tr(f"mk_def_{key}"), size="2"), max_width="320px", class_name="figure-definition"),
    )


def kpi_card(key: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(tr(f"mk_{key}"), size="1", color=GRAY), definition(key), align="center", spacing="1"),
            rx.heading(value, size="6", id=f"kpi-{key.replace('_', '-')}"),
            spacing="1",
        ),
        title=tr(f"mk_def_{key}"),
        min_width="150px",
        flex="1",
    )


def kpi_cards(summary: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.flex(*[kpi_card(k, summary[k].to(str)) for k in KPIS], gap="12px", wrap="wrap", width="100%", id="kpis"),
        rx.text(tr("mk_unknown_note"), size="1", color=rx.color("gray", 10)),
        spacing="2",
        width="100%",
    )


def _indent(row: rx.Var) -> rx.Component:
    return rx.box(width=rx.match(row["level"], ("1", "16px"), ("2", "32px"), "0px"), flex_shrink="0")


def _name(row: rx.Var) -> rx.Component:
    name = rx.cond(row["name"] != "", row["name"], rx.cond(row["id"] != "", row["id"], tr("unsynced_ads")))
    return rx.text(name, weight=rx.cond(row["level"] == "0", "bold", "regular"), size="2", overflow_wrap="anywhere")


def _toggle(row: rx.Var, on_toggle: Any, class_name: str) -> rx.Component:
    return rx.cond(
        row["expandable"] != "",
        rx.icon_button(rx.cond(row["open"] != "", rx.icon("chevron-down", size=14), rx.icon("chevron-right", size=14)),
                       variant="ghost", size="1", on_click=on_toggle(row["key"]), aria_label="expand", class_name=class_name),
        rx.box(width="24px", flex_shrink="0"),
    )


def _all_figures(row: rx.Var) -> rx.Component:
    """Every figure of one row, in a popover: the narrow screens' way to the extra columns."""
    return rx.popover.root(
        rx.popover.trigger(rx.icon_button(rx.icon("list", size=14), variant="ghost", size="1", color_scheme="gray",
                                          aria_label=tr("mk_all_figures"), class_name="row-figures")),
        rx.popover.content(
            rx.grid(*[rx.fragment(rx.text(tr(f"mk_{c}"), size="1", color=GRAY), rx.text(row[c], size="2", text_align="right"))
                      for c in COLUMNS],
                    columns="2", gap_x="16px", gap_y="4px"),
            max_width="320px",
        ),
    )


def _header(key: str, sort_key: rx.Var, descending: rx.Var, on_sort: Any) -> rx.Component:
    arrow = rx.cond(sort_key == key, rx.cond(descending, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.button(tr(f"mk_{key}"), arrow, variant="ghost", size="1", on_click=on_sort(key), id=f"sort-{key.replace('_', '-')}",
                  title=tr(f"mk_def_{key}") if key != "name" else "", white_space="normal", text_align="left", height="auto"),
        class_name="" if key == "name" or key in KEY_COLUMNS else "col-extra",
    )


def _table_row(row: rx.Var, on_toggle: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(_indent(row), _toggle(row, on_toggle, "drill-toggle"), _name(row), rx.spacer(), _all_figures(row),
                      align="center", spacing="1"),
            min_width="220px",
        ),
        *[rx.table.cell(row[c], white_space="nowrap",
                        class_name=f"col-{c.replace('_', '-')}" + ("" if c in KEY_COLUMNS else " col-extra")) for c in COLUMNS],
        class_name=rx.match(row["level"], ("0", "drill-row campaign-row"), ("1", "drill-row adset-row"), "drill-row ad-row"),
        custom_attrs={"data-id": row["id"]},
    )


def _card_row(row: rx.Var, on_toggle: Any) -> rx.Component:
    return rx.box(
        rx.hstack(_indent(row), _toggle(row, on_toggle, "card-toggle"), _name(row), rx.spacer(), _all_figures(row),
                  align="center", spacing="1"),
        rx.grid(*[rx.vstack(rx.text(tr(f"mk_{c}"), size="1", color=GRAY), rx.text(row[c], size="2", weight="medium"), spacing="0")
                  for c in KEY_COLUMNS],
                columns="repeat(auto-fill, minmax(96px, 1fr))", gap="8px", padding_left=rx.match(row["level"], ("1", "16px"), ("2", "32px"), "0px")),
        padding="10px 0",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        class_name=rx.match(row["level"], ("0", "figure-card campaign-card"), ("1", "figure-card adset-card"), "figure-card ad-card"),
    )


def figures_by_ad(rows: rx.Var, sort_key: rx.Var, descending: rx.Var, on_sort: Any, on_toggle: Any) -> rx.Component:
    """Campaign → ad set → ad: a sortable table from 1,200 px, cards (with a sort menu) below."""
    table = rx.table.root(
        rx.table.header(rx.table.row(_header("name", sort_key, descending, on_sort),
                                     *[_header(c, sort_key, descending, on_sort) for c in COLUMNS])),
        rx.table.body(rx.foreach(rows, lambda row: _table_row(row, on_toggle))),
        size="1",
        id="drill-table",
        class_name="figure-table",
        width="100%",
    )
    sort_menu = rx.hstack(
        rx.text(tr("mk_sort_by"), size="2"),
        rx.select.root(
            rx.select.trigger(id="sort-cards"),
            rx.select.content(*[rx.select.item(tr(f"mk_{c}"), value=c) for c in ("name", *KEY_COLUMNS)]),
            value=sort_key,
            on_change=on_sort,
        ),
        align="center",
    )
    cards = rx.vstack(sort_menu, rx.foreach(rows, lambda row: _card_row(row, on_toggle)), spacing="0", width="100%",
                      class_name="figure-cards", id="figure-cards")
    return rx.card(rx.text(tr("drill_down"), weight="bold", size="2"), table, cards, width="100%")


def heat_map(rows: rx.Var, metric: rx.Var, on_metric: Any) -> rx.Component:
    """Weekday × hour; the hour labels and the cells are one grid, so a label stands over its hour."""
    return rx.card(
        rx.hstack(
            rx.text(tr("heat_map"), weight="bold", size="2"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item(tr("mk_spend"), value="spend"),
                rx.segmented_control.item(tr("mk_leads"), value="leads"),
                rx.segmented_control.item(tr("mk_meta_leads"), value="meta_leads"),
                value=metric, on_change=on_metric, size="1", id="heat-metric",
            ),
            align="center", wrap="wrap", width="100%",
        ),
        rx.grid(
            rx.box(),
            *[rx.text(f"{h:02d}", size="1", text_align="center", color=rx.color("gray", 10), class_name="heat-hour",
                      font_size=rx.breakpoints(initial="8px", sm="12px")) for h in range(24)],
            rx.foreach(
                rows,
                lambda row: rx.fragment(
                    rx.text(row["name"].to(str), size="1"),
                    rx.foreach(row["cells"].to(list[dict[str, str]]), lambda cell: rx.box(
                        title=cell["title"], background=cell["alpha"], height="18px", border_radius="3px", class_name="heat-cell",
                    )),
                ),
            ),
            grid_template_columns=rx.breakpoints(initial="28px repeat(24, minmax(0, 1fr))", sm="56px repeat(24, minmax(0, 1fr))"),
            gap=rx.breakpoints(initial="1px", sm="4px"),
            align_items="center",
            id="heat-map",
            width="100%",
        ),
        width="100%",
    )
