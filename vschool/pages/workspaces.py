"""The first screen of each work area: a searchable, paginated list read from PostgreSQL, live
when the matching feed moves, with a plain empty state saying how records arrive."""

import reflex as rx

from models.access import Access
from models.db import session_scope
from models.listings import COLUMNS, LISTINGS, PAGE_SIZE
from models.when import shown_iso
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import vocabulary
from vschool.state.auth import AuthState, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

# Stored values shown in the user's language: a vocabulary prefix (vschool/i18n.py), or "time".
SHOWN_COLUMNS = {("orders", "status"): "order_status", ("catalog", "kind"): "product_kind", ("orders", "created"): "time",
                 ("customers", "since"): "time", ("knowledge", "indexed"): "time"}


def _cell(kind: str | None, value: str, language: str) -> str:
    if kind is None:
        return value
    return shown_iso(value, language) if kind == "time" else vocabulary(kind, value, language)


def _in_language(area: str, rows: list[list[str]], language: str) -> list[list[str]]:
    kinds = [SHOWN_COLUMNS.get((area, column)) for column in COLUMNS[area]]
    return [[_cell(kinds[n], cell, language) for n, cell in enumerate(row)] for row in rows]


class WorkspaceState(StaffState, access=Access.MONEY):
    area: str = ""
    page: int = 0
    search: str = ""

    @rx.var
    async def listing(self) -> dict:
        feed = await self.get_state(Feed)
        _ = feed.customer  # what is left here (catalog, orders) moves when orders and customers do
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or self.area not in LISTINGS or await viewer(self, Access.MONEY) is None:
            return {"rows": [], "total": 0}
        with session_scope() as session:
            found = LISTINGS[self.area](session, self.page, self.search.strip())
        return {"rows": _in_language(self.area, found.rows, signed_in.language), "total": found.total}

    @rx.event
    def open_area(self) -> None:
        """Open a work area; `?q=` pre-fills the search (the inbox links a customer this way)."""
        url = self.router.url
        self.area, self.page = url.path.strip("/"), 0
        self.search = url.query_parameters.get("q", "")[:100]

    @rx.event
    def set_search(self, value: str) -> None:
        self.search, self.page = value[:100], 0

    @rx.event
    def next_page(self) -> None:
        self.page += 1

    @rx.event
    def previous_page(self) -> None:
        self.page = max(0, self.page - 1)


def listing_view(area: str) -> rx.Component:
    columns = [tr(k) for k in COLUMNS[area]]
    rows = WorkspaceState.listing["rows"].to(list[list[str]])
    total = WorkspaceState.listing["total"].to(int)
    return rx.vstack(
        rx.input(
            placeholder=tr("search"),
            value=WorkspaceState.search,
            on_change=WorkspaceState.set_search.debounce(300),
            id="workspace-search",
            max_width="360px",
        ),
        rx.cond(
            total > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(c) for c in columns])),
                    rx.table.body(
                        rx.foreach(rows, lambda row: rx.table.row(rx.foreach(row, lambda cell: rx.table.cell(cell)), class_name="listing-row"))
                    ),
                    width="100%",
                    id="listing-table",
                ),
                rx.hstack(
                    rx.button(tr("previous"), on_click=WorkspaceState.previous_page, disabled=WorkspaceState.page == 0, variant="soft", size="1"),
                    rx.text(
                        tr("page_of"), " ", WorkspaceState.page + 1, " / ", (total + PAGE_SIZE - 1) // PAGE_SIZE,
                        " · ", total, " ", tr("records"),
                        size="2",
                        id="listing-total",
                    ),
                    rx.button(tr("next"), on_click=WorkspaceState.next_page, disabled=(WorkspaceState.page + 1) * PAGE_SIZE >= total, variant="soft", size="1"),
                    align="center",
                ),
                align="stretch",
            ),
            rx.callout(
                rx.cond(WorkspaceState.search != "", tr("no_results"), tr(f"empty_{area}")),
                icon="info",
                id="empty-state",
            ),
        ),
        align="stretch",
        spacing="3",
    )


def _register(area: str) -> None:
    def body() -> rx.Component:
        return listing_view(area)

    body.__name__ = f"{area}_page"
    app_page(f"/{area}", area, on_load=[WorkspaceState.open_area])(body)


OWN_PAGES = {"customers", "knowledge", "marketing", "catalog"}  # areas that have outgrown the plain list: their module registers the route

for _area in LISTINGS:
    if _area not in OWN_PAGES:
        _register(_area)
