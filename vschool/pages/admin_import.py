"""Admin → Import: a customer list from a spreadsheet (CSV or XLSX, Thai or English headers).
Staff choose the file, check which column fills which field (guessed from the headers), see
what each row will do (create, update, likely duplicate, refuse) and import with live progress.
Likely duplicates (same phone or e-mail, or one of our own ids) are left out unless staff tick
the box: never merged. The upload is kept under the data folder until imported; the import is
audited. The rules are models/transfer/sheets.py (shared with `vschool import legacy`)."""

import asyncio
import uuid
from contextlib import contextmanager
from pathlib import Path

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.ad_store import driver_connection
from models.base import utcnow
from models.db import session_scope
from models.settings import get_settings
from models.transfer.fields import Problem
from models.transfer.sheets import (
    SHEET_FIELDS,
    RowPlan,
    SheetError,
    guess_mapping,
    import_rows,
    plan_import,
    read_sheet,
    records_of,
)
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text
from vschool.state.auth import AuthState, admitted_staff, refused, say
from vschool.state.gate import StaffState

UPLOAD_ID = "import-upload"
PREVIEW_ROWS = 20
IGNORE = "ignore"


def uploads_folder() -> Path:
    folder = get_settings().data_dir.resolve() / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def _pg():
    with session_scope() as session:
        yield driver_connection(session)


class ImportState(StaffState, access=Access.ADMIN):
    file_name: str = ""
    headers: list[str] = []
    samples: list[str] = []
    mapping: list[str] = []
    total_rows: int = 0
    with_duplicates: bool = False
    counts: dict[str, int] = {}
    preview: list[dict[str, str]] = []
    problems: list[str] = []
    done_rows: int = 0
    importing: bool = False
    message: str = ""
    error: str = ""
    _stored: str = ""  # the uploaded file under the data folder (never sent to the browser)

    @rx.var
    def columns(self) -> list[dict[str, str]]:
        return [{"index": str(n), "header": h, "sample": s, "field": f or IGNORE}
                for n, (h, s, f) in enumerate(zip(self.headers, self.samples, self.mapping, strict=False))]

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        self.message, self.error, self.preview, self.counts, self.problems, self.done_rows = "", "", [], {}, [], 0
        if not files:
            self.error = await say(self, "import_choose_file")
            return
        upload = files[0]
        name, data = Path(upload.name or "").name, await upload.read()
        try:
            sheet = read_sheet(name, data)
        except SheetError as exc:
            self.error = await refused(self, exc)
            return
        stored = uploads_folder() / f"{uuid.uuid4().hex}{Path(name).suffix.casefold()}"
        stored.write_bytes(data)
        self._stored, self.file_name, self.total_rows = str(stored), name, len(sheet.rows)
        self.headers, self.samples = sheet.headers, sheet.rows[0]
        self.mapping = guess_mapping(sheet.headers)

    @rx.event
    def map_column(self, index: str, field: str) -> None:
        n = int(index) if index.isdigit() else -1
        if 0 <= n < len(self.mapping) and field in (*SHEET_FIELDS, IGNORE):
            self.mapping = [("" if field == IGNORE else field) if i == n else ("" if f == field else f) for i, f in enumerate(self.mapping)]
            self.preview, self.counts = [], {}

    @rx.event
    def set_with_duplicates(self, value: bool) -> None:
        self.with_duplicates = bool(value)
        self.preview, self.counts = [], {}

    def _records(self, problems: list[Problem]) -> list:
        path = Path(self._stored)
        if not self._stored or not path.is_file():
            raise SheetError("error_sheet_no_rows")
        return records_of(read_sheet(self.file_name, path.read_bytes()), self.mapping, problems)

    @rx.event
    async def make_preview(self):
        self.message, self.error = "", ""
        problems: list[Problem] = []
        try:
            records = self._records(problems)
        except SheetError:
            self.error = await say(self, "import_choose_file")
            return
        with session_scope() as session:
            plan = plan_import(driver_connection(session), records, get_settings().page_id, utcnow(), problems, self.with_duplicates)
        self.counts = plan.counts
        language = (await self.get_state(AuthState)).language
        self.preview = [_shown(r, language) for r in plan.rows[:PREVIEW_ROWS]]
        self.problems = [f"{p.file} · {p.field}: {p.reason}" for p in problems[:200]]

    @rx.event
    async def run_import(self):
        self.message, self.error, self.done_rows = "", "", 0
        problems: list[Problem] = []
        try:
            records = self._records(problems)
        except SheetError:
            self.error = await say(self, "import_choose_file")
            return
        staff, self.importing = admitted_staff(), True
        yield
        done = []
        for start in range(0, len(records), 500):
            done += await asyncio.to_thread(import_rows, _pg, records[start:start + 500], get_settings().page_id, utcnow(), problems,
                                            self.with_duplicates)
            self.done_rows = len(done)
            yield
        counts = {a: sum(1 for r in done if r.action == a) for a in ("create", "update", "duplicate", "refuse")}
        with session_scope() as session:
            audit(session, staff, "import.customers", "import", self.file_name, rows=len(records), **counts, problems=len(problems))
        Path(self._stored).unlink(missing_ok=True)
        self.importing, self._stored, self.counts = False, "", counts
        self.problems = [f"{p.file} · {p.field}: {p.reason}" for p in problems[:200]]
        self.message = await say(self, "import_done", created=counts["create"], updated=counts["update"],
                                 duplicates=counts["duplicate"], refused=counts["refuse"])


def _shown(row: RowPlan, language: str) -> dict[str, str]:
    """A preview row in the staff member's language (`row 3` → `แถว 3`)."""
    word = text("import_row", language)
    reason = text("import_reason_duplicate", language) if row.action == "duplicate" else row.reason
    return {"row": row.row.replace("row", word, 1), "action": row.action, "customer": row.customer.replace("row", word, 1), "reason": reason}


ACTION_COLOURS = {"create": "green", "update": "blue", "duplicate": "amber", "refuse": "red"}


def _mapping_row(col: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(col["header"], weight="medium")),
        rx.table.cell(rx.text(col["sample"], size="1", color=rx.color("gray", 11), word_break="break-all")),
        rx.table.cell(rx.select.root(
            rx.select.trigger(),
            rx.select.content(*[rx.select.item(tr(f"field_{f}"), value=f) for f in (IGNORE, *SHEET_FIELDS)]),
            value=col["field"], on_change=lambda v: ImportState.map_column(col["index"], v), size="1",
        )),
        class_name="mapping-row",
    )


def _preview_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["row"]),
        rx.table.cell(rx.match(row["action"], *[(a, rx.badge(tr(f"import_action_{a}"), color_scheme=c)) for a, c in ACTION_COLOURS.items()],
                               rx.badge(row["action"]))),
        rx.table.cell(row["customer"]),
        rx.table.cell(rx.text(row["reason"], size="1")),
        class_name="preview-row",
    )


def _counts() -> rx.Component:
    return rx.hstack(*[rx.badge(tr(f"import_action_{a}"), ": ", ImportState.counts.get(a, 0).to(str), color_scheme=c, size="2")
                       for a, c in ACTION_COLOURS.items()], wrap="wrap", spacing="2", id="import-counts")


def _upload_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(tr("import_customers"), size="3"),
        rx.text(tr("import_help"), size="2", color=rx.color("gray", 11)),
        rx.upload(
            rx.vstack(rx.button(tr("import_choose"), variant="soft", id="import-choose"),
                      rx.text(tr("import_hint"), size="1", color_scheme="gray"), align="center"),
            id=UPLOAD_ID, max_files=1, border="1px dashed var(--gray-7)", padding="16px", width="100%",
            accept={"text/csv": [".csv"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]},
        ),
        rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda f: rx.badge(f)), wrap="wrap"),
        rx.button(tr("import_read"), on_click=ImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)), id="import-read"),
        spacing="2", width="100%",
    ))


def _mapping_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(ImportState.file_name, " · ", ImportState.total_rows.to(str), " ", tr("import_rows"), size="3"),
        rx.text(tr("import_mapping_help"), size="2", color=rx.color("gray", 11)),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("import_column", "import_sample", "import_field")])),
            rx.table.body(rx.foreach(ImportState.columns, _mapping_row)),
            size="1", width="100%", id="mapping-table",
        ), overflow_x="auto", width="100%"),
        rx.checkbox(tr("import_with_duplicates"), checked=ImportState.with_duplicates, on_change=ImportState.set_with_duplicates, id="import-dups"),
        rx.hstack(
            rx.button(tr("import_preview"), variant="soft", on_click=ImportState.make_preview, id="import-preview"),
            rx.button(tr("import_run"), on_click=ImportState.run_import, loading=ImportState.importing, id="import-run"),
            spacing="2", wrap="wrap",
        ),
        spacing="3", width="100%",
    ))


def _results() -> rx.Component:
    return rx.vstack(
        rx.cond(ImportState.importing | (ImportState.done_rows > 0), rx.vstack(
            rx.progress(value=ImportState.percent, width="100%"),
            rx.text(ImportState.done_rows.to(str), " / ", ImportState.total_rows.to(str), " ", tr("import_rows"), size="2", id="import-progress"),
            width="100%",
        )),
        rx.cond(ImportState.counts.length() > 0, _counts()),
        rx.cond(ImportState.preview.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("import_row", "import_action", "customer", "reason")])),
            rx.table.body(rx.foreach(ImportState.preview, _preview_row)),
            size="1", width="100%", id="preview-table",
        ), overflow_x="auto", width="100%")),
        rx.cond(ImportState.problems.length() > 0, rx.vstack(
            rx.text(tr("import_problems"), weight="medium", size="2"),
            rx.foreach(ImportState.problems, lambda p: rx.text(p, size="1", color=rx.color("red", 11), class_name="import-problem")),
            spacing="1",
        )),
        spacing="3", width="100%",
    )


@app_page("/admin/import", "import_data", admin=True)
def import_page() -> rx.Component:
    return rx.vstack(
        rx.cond(ImportState.message != "", rx.callout(ImportState.message, icon="check", color_scheme="green", id="import-message")),
        rx.cond(ImportState.error != "", rx.callout(ImportState.error, icon="triangle-alert", color_scheme="red", id="import-error")),
        _upload_card(),
        rx.cond(ImportState.headers.length() > 0, _mapping_card()),
        _results(),
        spacing="3", align="stretch", width="100%",
    )
