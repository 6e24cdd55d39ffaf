"""The knowledge base's documents as staff see them: by file name (never the server's path), with
what searches them named plainly, previewed chunk by chunk, and deleted by an admin — the file
out of the knowledge folder and its chunks out of the index, audited, in one transaction."""

import os
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from knowledge.ingest import remove_document
from knowledge.watch import DEMO_FOLDER, knowledge_folder
from logs.audit import record as audit
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.refusals import Refused
from models.staff import StaffUser

OFFLINE, GEMINI = "offline", "gemini"


def source_shown(source: str) -> str:
    """Where a document came from, without the server's absolute path: relative to the
    knowledge folder (or the demo knowledge base), else just the file name."""
    if not source:
        return ""
    path = os.path.abspath(source)
    for folder in (knowledge_folder(), DEMO_FOLDER):
        relative = os.path.relpath(path, os.path.abspath(folder))
        if not relative.startswith(os.pardir):
            return relative
    return os.path.basename(path)


def search_kind(provider: str) -> str:
    """What searches a chunk, as staff need to know it: "gemini" (Gemini embeddings) or
    "offline" (the built-in offline search); the model's own name stays internal."""
    return GEMINI if provider.startswith("gemini") else OFFLINE


def document_chunks(session: Session, document_id: int) -> tuple[str, list[dict[str, str]]]:
    """A document's name and its chunks in reading order, for the preview."""
    doc = session.get(KnowledgeDocument, document_id)
    if doc is None:
        raise Refused("error_document_gone")
    chunks = session.exec(
        select(KnowledgeChunk.ordinal, KnowledgeChunk.text).where(KnowledgeChunk.document_id == document_id).order_by(col(KnowledgeChunk.ordinal))
    ).all()
    return source_shown(doc.source), [{"n": str(ordinal + 1), "text": text} for ordinal, text in chunks]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def delete_document(session: Session, actor: StaffUser | None, document_id: int) -> tuple[str, int]:
    """Forget a document: its chunks leave the index and, when it lives in the knowledge folder,
    its file is removed (so neither a re-index nor the watcher brings it back). A file elsewhere
    on the server is never touched. Returns the name shown and how many chunks went."""
    doc = session.get(KnowledgeDocument, document_id)
    if doc is None:
        raise Refused("error_document_gone")
    name, source = source_shown(doc.source), doc.source
    chunks = session.execute(sa.select(sa.func.count()).where(KnowledgeChunk.document_id == document_id)).scalar_one()
    remove_document(session, source)
    path = Path(source)
    file_removed = _inside(path, knowledge_folder()) and path.is_file()
    audit(session, actor, "knowledge.delete", "knowledge_document", document_id, name=name, chunks=chunks, file_removed=file_removed)
    if file_removed:
        path.unlink()  # last: a failure before it leaves the file and the index as they were
    return name, chunks
