"""Export: customers, orders and payments as CSV or XLSX for Excel and Google Sheets — what the
staff member's role may see (models/transfer/export.py: contact details only with the CONTACT
access; erased customers carry only their id). Each download is audited."""

from datetime import datetime

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.db import session_scope
from models.transfer.export import EXPORTS, allowed, export_table, to_csv, to_xlsx
from models.transfer.fields import BANGKOK
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, admitted_staff, say
from vschool.state.gate import StaffState

FORMATS = ("csv", "xlsx")


class ExportState(StaffState, access=Access.CUSTOMERS):
    error: str = ""

    @rx.event
    async def download(self, kind: str, fmt: str):
        self.error = ""
        staff = admitted_staff()
        if fmt not in FORMATS or not allowed(kind, staff.role if staff else None):
            self.error = await say(self, "export_not_allowed")
            return None
        language = (await self.get_state(AuthState)).language
        with session_scope() as session:
            headers, rows = export_table(session, kind, staff.role, language)
            data = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, kind)
            audit(session, staff, f"export.{kind}", "export", fmt, bytes=len(data))
        stamp = datetime.now(BANGKOK).strftime("%Y%m%d-%H%M")
        return rx.download(data=data, filename=f"vschool-{kind}-{stamp}.{fmt}")


def _export_card(kind: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(tr(f"export_{kind}"), size="3"),
        rx.text(tr(f"export_{kind}_help"), size="2", color=rx.color("gray", 11)),
        rx.hstack(*[rx.button(rx.icon("download", size=14), fmt.upper(), variant="soft", on_click=ExportState.download(kind, fmt),
                              id=f"export-{kind}-{fmt}") for fmt in FORMATS], spacing="2"),
        spacing="2",
    ), width="100%")


@app_page("/export", "export_data")
def export_page() -> rx.Component:
    return rx.vstack(
        rx.text(tr("export_help"), size="2", color=rx.color("gray", 11)),
        rx.cond(ExportState.error != "", rx.callout(ExportState.error, icon="triangle-alert", color_scheme="red", id="export-error")),
        rx.grid(*[_export_card(kind) for kind in EXPORTS], columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%"),
        spacing="3", align="stretch", width="100%",
    )
