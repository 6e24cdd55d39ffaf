"""Knowledge: the documents the AI answers from — list, upload (admins), re-index, try a search.

Uploads are saved into the knowledge folder (`{VSCHOOL_DATA_DIR}/knowledge/uploads/`) and
ingested at once; the watcher (`vschool kb watch`) would index them too, and the content hash
makes the second pass a no-op. Re-index runs the same folder ingest as the watcher, which also
re-embeds chunks made by another provider (after GEMINI_API_KEY was added or removed).
"""

import os
from pathlib import Path

import reflex as rx
import sqlalchemy as sa
from sqlmodel import col

from knowledge.documents import delete_document, document_chunks, search_kind, source_shown
from knowledge.ingest import (
    MAX_BYTES,
    MIME_TYPES,
    IngestReport,
    ingest_paths,
    normalise_source,
    supported,
)
from knowledge.search import default_embedder, search
from knowledge.watch import knowledge_folder
from models.access import Access
from models.db import session_scope
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.refusals import Refused
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text
from vschool.pages.overview import bangkok_time
from vschool.state.auth import AuthState, admitted_staff, needs, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

UPLOAD_ID = "kb-upload"


def _summary(report: IngestReport, language: str) -> str:
    counts = {"kb_added": len(report.added), "kb_updated": len(report.updated), "kb_unchanged": len(report.unchanged),
              "kb_removed": len(report.removed), "kb_reembedded": report.reembedded_chunks}
    shown = [text(key, language).format(n=n) for key, n in counts.items() if n or key in ("kb_added", "kb_updated", "kb_unchanged")]
    return ", ".join(shown) + "."


def _knowledge_changed() -> None:
    from actors.push import announce

    announce("knowledge")


class KnowledgeState(StaffState, access=Access.KNOWLEDGE, shown_on=("/knowledge",)):
    provider: str = ""
    query: str = ""
    hits: list[dict[str, str]] = []
    searched: bool = False
    message: str = ""
    error: str = ""
    preview_name: str = ""  # the document shown in the preview dialog ("" when it is closed)
    preview_chunks: list[dict[str, str]] = []

    @rx.event
    def load(self) -> None:
        self.provider = search_kind(default_embedder().name)

    @rx.var
    async def documents(self) -> list[dict[str, str]]:
        """Every document with its chunks; live when the watcher, an upload or a re-index changes
        the knowledge base (the `knowledge` feed)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.knowledge)
        signed_in = await self.get_state(AuthState)
        if not signed_in.user_id or await viewer(self, Access.KNOWLEDGE) is None:
            return []
        chunks = (
            sa.select(
                KnowledgeChunk.document_id,
                sa.func.count().label("n"),
                sa.func.string_agg(sa.distinct(KnowledgeChunk.embedding_provider), ", ").label("providers"),
            )
            .group_by(KnowledgeChunk.document_id)
            .subquery()
        )
        with session_scope() as session:
            rows = session.execute(
                sa.select(KnowledgeDocument, chunks.c.n, chunks.c.providers)
                .outerjoin(chunks, chunks.c.document_id == KnowledgeDocument.id)
                .order_by(col(KnowledgeDocument.source))
            ).all()
        return [
            {
                "id": str(doc.id),
                "name": source_shown(doc.source),
                "title": doc.title or "",
                "chunks": str(n or 0),
                "indexed": bangkok_time(doc.indexed_at, signed_in.language),
                "search": _searched_by(providers or ""),
            }
            for doc, n, providers in rows
        ]

    @rx.event
    async def open_preview(self, document_id: str) -> None:
        """Show a document's text as the AI reads it: chunk by chunk."""
        self.error = ""
        try:
            with session_scope() as session:
                self.preview_name, self.preview_chunks = document_chunks(session, parse_id(document_id) or 0)
        except Refused as exc:
            self.error = await refused(self, exc)

    @rx.event
    def close_preview(self, _open: bool = False) -> None:
        self.preview_name, self.preview_chunks = "", []

    @needs(Access.ADMIN)
    @rx.event
    async def delete(self, document_id: str) -> None:
        """Admins: the document's file leaves the knowledge folder and its chunks the index."""
        self.message, self.error = "", ""
        try:
            with session_scope() as session:
                name, chunks = delete_document(session, admitted_staff(), parse_id(document_id) or 0)
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        self.message = await say(self, "kb_deleted", name=name, n=chunks)
        _knowledge_changed()

    @needs(Access.ADMIN)
    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        self.message, self.error = "", ""
        if not files:
            self.error = await say(self, "kb_choose_file")
            return
        folder = knowledge_folder() / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        saved: list[Path] = []
        refused: list[str] = []
        for upload in files:
            name = Path(upload.name or "").name
            data = await upload.read()
            if not name or not supported(Path(name)):
                refused.append(await say(self, "kb_wrong_type", name=name or "?", types=", ".join(sorted(MIME_TYPES))))
                continue
            if len(data) > MAX_BYTES:
                refused.append(await say(self, "kb_too_big", name=name, mb=MAX_BYTES // 1_048_576))
                continue
            target = folder / name
            tmp = target.with_name(f".{name}.{os.getpid()}.part")  # dot-name: the watcher skips it
            tmp.write_bytes(data)
            tmp.replace(target)
            saved.append(target)
        report = IngestReport()
        if saved:
            with session_scope() as session:
                report = ingest_paths(session, saved)
        for path in saved:  # a file the knowledge base refused is not kept (it would fail every re-index)
            if normalise_source(path) in report.failed:
                path.unlink(missing_ok=True)
        problems = refused + list(report.failed.values())
        self.error = " ".join(problems)
        if report.added or report.updated or report.unchanged:
            self.message = _summary(report, (await self.get_state(AuthState)).language)
        _knowledge_changed()
        return rx.clear_selected_files(UPLOAD_ID)

    @needs(Access.ADMIN)
    @rx.event
    async def reindex(self) -> None:
        self.message, self.error = "", ""
        folder = knowledge_folder()
        folder.mkdir(parents=True, exist_ok=True)
        with session_scope() as session:
            report = ingest_paths(session, [folder])
        self.message = _summary(report, (await self.get_state(AuthState)).language)
        self.error = " ".join(report.failed.values())
        _knowledge_changed()

    @rx.event
    def run_search(self, form: dict) -> None:
        self.query = str(form.get("query", "")).strip()
        self.searched = bool(self.query)
        if not self.query:
            self.hits = []
            return
        with session_scope() as session:
            found = search(session, self.query, k=5)
        self.hits = [
            {"source": source_shown(h.source), "chunk": str(h.chunk), "score": f"{h.score:.3f}", "text": h.text}
            for h in found
        ]


def _searched_by(providers: str) -> str:
    """"offline", "gemini", or "mixed" while a re-index moves a document from one to the other."""
    kinds = {search_kind(p) for p in providers.split(", ") if p}
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "")


def search_label(kind: rx.Var) -> rx.Var:
    return rx.match(kind, ("offline", tr("kb_search_offline")), ("gemini", "Gemini"), ("mixed", tr("kb_search_mixed")), "—")


def _delete_button(doc: rx.Var) -> rx.Component:
    """Admins delete a document after a dialog that names it and says what goes."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(tr("delete"), size="1", color_scheme="red", variant="soft", class_name="kb-delete")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("kb_delete_title")),
            rx.alert_dialog.description(rx.text.strong(doc["name"]), " — ", tr("kb_delete_what")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(tr("cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(tr("delete"), color_scheme="red", on_click=KnowledgeState.delete(doc["id"]), id="kb-delete-confirm")),
                justify="end",
                spacing="2",
                padding_top="12px",
            ),
            max_width="440px",
        ),
    )


def _document_row(doc: rx.Var) -> rx.Component:
    return rx.table.row(
        # the actions under the name, in the first column: on a phone they stay in view
        rx.table.cell(
            rx.vstack(
                rx.code(doc["name"], class_name="kb-name"),
                rx.hstack(
                    rx.button(tr("kb_preview"), size="1", variant="soft", on_click=KnowledgeState.open_preview(doc["id"]), class_name="kb-preview"),
                    rx.cond(AuthState.is_admin, _delete_button(doc)),
                    spacing="2",
                ),
                spacing="1",
            )
        ),
        rx.table.cell(doc["title"]),
        rx.table.cell(doc["chunks"]),
        rx.table.cell(doc["indexed"]),
        rx.table.cell(search_label(doc["search"])),
        class_name="kb-document",
        custom_attrs={"data-name": doc["name"]},
    )


def _preview_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(KnowledgeState.preview_name),
            rx.dialog.description(tr("kb_preview_help"), size="1", color=rx.color("gray", 10)),
            rx.vstack(
                rx.foreach(
                    KnowledgeState.preview_chunks,
                    lambda c: rx.box(
                        rx.text(tr("kb_part"), " ", c["n"], size="1", color=rx.color("gray", 10)),
                        rx.text(c["text"], size="2", white_space="pre-wrap"),
                        class_name="kb-preview-chunk",
                        width="100%",
                    ),
                ),
                spacing="3",
                max_height="60vh",
                overflow_y="auto",
                padding_y="8px",
            ),
            rx.hstack(rx.dialog.close(rx.button(tr("close"), variant="soft", id="kb-preview-close")), justify="end"),
            max_width="720px",
            id="kb-preview",
        ),
        open=KnowledgeState.preview_name != "",
        on_open_change=KnowledgeState.close_preview,
    )


def _hit(hit: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.badge(hit["score"], color_scheme="green"),
            rx.code(hit["source"], class_name="kb-hit-name"),
            rx.text("#", hit["chunk"], size="1", color_scheme="gray"),
            spacing="2",
            align="center",
        ),
        rx.text(hit["text"], white_space="pre-wrap", size="2", padding_top="6px"),
        class_name="kb-hit",
        width="100%",
    )


def _upload_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("kb_add_documents"), size="3"),
            rx.upload(
                rx.vstack(
                    rx.button(tr("kb_choose_files"), variant="soft", id="kb-choose"),
                    rx.text(tr("kb_upload_hint"), size="1", color_scheme="gray"),
                    align="center",
                ),
                id=UPLOAD_ID,
                accept={"text/markdown": [".md", ".markdown"], "text/plain": [".txt"], "application/pdf": [".pdf"]},
                max_files=10,
                border="1px dashed var(--gray-7)",
                padding="16px",
                width="100%",
            ),
            rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda f: rx.badge(f)), wrap="wrap"),
            rx.hstack(
                rx.button(tr("kb_upload"), on_click=KnowledgeState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)), id="kb-upload-submit"),
                rx.button(tr("kb_reindex"), variant="soft", on_click=KnowledgeState.reindex, id="kb-reindex"),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
    )


@app_page("/knowledge", "knowledge", on_load=[KnowledgeState.load])
def knowledge_page() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder=tr("kb_search_placeholder"), id="kb-query", width="100%"),
                rx.button(tr("kb_search"), type="submit", id="kb-search"),
                width="100%",
            ),
            on_submit=KnowledgeState.run_search,
            width="100%",
        ),
        rx.cond(
            KnowledgeState.searched,
            rx.cond(
                KnowledgeState.hits.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(KnowledgeState.hits, _hit), width="100%", id="kb-hits"),
                rx.callout(tr("kb_no_hits"), icon="info", id="kb-no-hits"),
            ),
        ),
        rx.cond(AuthState.is_admin, _upload_card()),
        rx.cond(KnowledgeState.message != "", rx.callout(KnowledgeState.message, icon="check", color_scheme="green", id="kb-message")),
        rx.cond(KnowledgeState.error != "", rx.callout(KnowledgeState.error, icon="triangle-alert", color_scheme="red", id="kb-error")),
        rx.hstack(
            rx.heading(tr("kb_documents"), size="4"),
            rx.badge(tr("kb_provider"), ": ", search_label(KnowledgeState.provider), variant="soft", id="kb-search-kind"),
            align="center",
            spacing="3",
        ),
        rx.cond(
            KnowledgeState.documents.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("kb_source", "kb_title", "kb_chunks", "kb_indexed", "kb_provider")])
                ),
                rx.table.body(rx.foreach(KnowledgeState.documents, _document_row)),
                width="100%",
                id="kb-documents",
            ),
            rx.callout(tr("empty_knowledge"), icon="info", id="kb-empty"),
        ),
        _preview_dialog(),
        spacing="3",
        align="stretch",
        width="100%",
    )
