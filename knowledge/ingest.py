"""Ingest Markdown, text and PDF files into the knowledge base; re-index only what changed.

- `source` is the path as given (normalised: no `./`, no trailing `/`), so `vschool kb ingest
  knowledge/school` stores `knowledge/school/courses/sushi.md`.
- Each document keeps a SHA-256 of its bytes (and of the chunker's version): an unchanged file
  whose chunks were embedded by the current provider is skipped; a changed one is re-chunked and
  re-embedded in one transaction (savepoint), so a failure leaves the old version whole.
- Ingesting a folder also removes the documents that were under that folder and are gone.
- Chunks embedded by another provider (GEMINI_API_KEY added or removed) are re-embedded from
  their stored text by `reembed_stale`, which every ingest runs at its end.
- One ingest at a time (a PostgreSQL advisory lock): the watcher, the CLI and the Knowledge page
  never write the same document twice.
"""

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from knowledge.chunk import CHUNKER_VERSION, Chunk, chunk_markdown, chunk_text, markdown_title
from knowledge.embed import Embedder, embedder_for
from models.base import utcnow
from models.knowledge import KnowledgeChunk, KnowledgeDocument

MIME_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
MAX_BYTES = 20 * 1024 * 1024
INGEST_LOCK = 0x76_6B_62  # pg_advisory_xact_lock key ("vkb")


class IngestError(ValueError):
    """A file that cannot be ingested; the message says why and what to do."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source → reason
    reembedded_chunks: int = 0
    chunks_written: int = 0

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "reembedded_chunks": self.reembedded_chunks,
            "chunks_written": self.chunks_written,
        }


@dataclass(frozen=True)
class Extracted:
    title: str | None
    mime_type: str
    chunks: list[Chunk]


def normalise_source(path: str | Path) -> str:
    return os.path.normpath(str(path))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(f"chunker-{CHUNKER_VERSION}\0".encode() + data).hexdigest()


def supported(path: Path) -> bool:
    return path.suffix.lower() in MIME_TYPES and not path.name.startswith((".", "~"))


def extract(name: str, data: bytes) -> Extracted:
    """Title, type and chunks of one file's bytes; IngestError when it cannot be read."""
    suffix = Path(name).suffix.lower()
    mime = MIME_TYPES.get(suffix)
    if mime is None:
        raise IngestError(f"{name}: unsupported file type {suffix or '(none)'}; use .md, .txt or .pdf")
    stem = Path(name).stem.replace("_", " ").replace("-", " ")
    if mime == "application/pdf":
        title, text = _pdf_text(name, data)
        chunks = chunk_text(text, title or stem)
        return Extracted(title or stem, mime, chunks)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    if mime == "text/markdown":
        title = markdown_title(text) or stem
        return Extracted(title, mime, chunk_markdown(text))
    return Extracted(stem, mime, chunk_text(text, stem))


def _pdf_text(name: str, data: bytes) -> tuple[str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(f"{name}: not a readable PDF ({exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise IngestError(f"{name}: the PDF has no text layer (a scan?); export it with text or as .md")
    return (str(title).strip() or None) if title else None, text


def ingest_paths(session: Session, paths: list[str | Path], embedder: Embedder | None = None) -> IngestReport:
    """Ingest files and folders (recursively); folders also drop their vanished documents."""
    embedder = embedder or embedder_for()
    report = IngestReport()
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK})
    for given in paths:
        path = Path(given)
        source = normalise_source(given)
        if path.is_dir():
            seen: set[str] = set()
            for file in sorted(p for p in path.rglob("*") if p.is_file() and supported(p)):
                file_source = normalise_source(os.path.join(source, file.relative_to(path)))
                seen.add(file_source)
                _ingest_one(session, file, file_source, embedder, report)
            prefix = source.rstrip(os.sep) + os.sep
            for doc_source in session.exec(select(KnowledgeDocument.source)).all():
                if doc_source.startswith(prefix) and doc_source not in seen:
                    remove_document(session, doc_source)
                    report.removed.append(doc_source)
        elif path.is_file():
            _ingest_one(session, path, source, embedder, report)
        elif remove_document(session, source):
            report.removed.append(source)  # a file that was ingested and is gone now
        else:
            report.failed[source] = f"{source}: no such file or folder"
    report.reembedded_chunks = reembed_stale(session, embedder)
    return report


def _ingest_one(session: Session, path: Path, source: str, embedder: Embedder, report: IngestReport) -> None:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise IngestError(f"{source}: {size // 1_048_576} MB is over the {MAX_BYTES // 1_048_576} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        report.failed[source] = f"{source}: cannot be read ({exc.strerror})"
        return
    try:
        outcome, written = ingest_bytes(session, source, path.name, data, embedder)
    except IngestError as exc:
        report.failed[source] = str(exc)
        return
    getattr(report, outcome).append(source)
    report.chunks_written += written


def ingest_bytes(session: Session, source: str, name: str, data: bytes, embedder: Embedder) -> tuple[str, int]:
    """Store one document's chunks; returns ("added"|"updated"|"unchanged", chunks written)."""
    digest = content_hash(data)
    doc = session.exec(select(KnowledgeDocument).where(KnowledgeDocument.source == source)).first()
    if doc is not None and doc.content_hash == digest:
        return "unchanged", 0
    extracted = extract(name, data)
    if not extracted.chunks:
        raise IngestError(f"{source}: no text to index")
    vectors = embedder.embed_documents([c.text for c in extracted.chunks])
    with session.begin_nested():
        now = utcnow()
        values = {
            "title": (extracted.title or "")[:300] or None,
            "content_hash": digest,
            "mime_type": extracted.mime_type,
            "indexed_at": now,
        }
        stmt = insert(KnowledgeDocument).values(source=source, **values)
        stmt = stmt.on_conflict_do_update(index_elements=["source"], set_=values).returning(KnowledgeDocument.id)
        doc_id = session.execute(stmt).scalar_one()
        session.execute(sa.delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == doc_id))
        session.execute(
            insert(KnowledgeChunk),
            [
                {
                    "document_id": doc_id,
                    "ordinal": chunk.ordinal,
                    "text": chunk.text,
                    "embedding": vector,
                    "embedding_provider": embedder.name,
                    "embedding_dim": embedder.dim,
                    "created_at": now,
                }
                for chunk, vector in zip(extracted.chunks, vectors, strict=True)
            ],
        )
    session.expire_all()
    return ("added" if doc is None else "updated"), len(extracted.chunks)


def remove_document(session: Session, source: str) -> bool:
    """Forget a document and its chunks; False when there was none."""
    doc_id = session.exec(select(KnowledgeDocument.id).where(KnowledgeDocument.source == source)).first()
    if doc_id is None:
        return False
    session.execute(sa.delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == doc_id))
    session.execute(sa.delete(KnowledgeDocument).where(col(KnowledgeDocument.id) == doc_id))
    return True


def reembed_stale(session: Session, embedder: Embedder, batch: int = 100) -> int:
    """Re-embed, from their stored text, the chunks another provider (or dimension) made."""
    stale = sa.or_(
        col(KnowledgeChunk.embedding_provider) != embedder.name,
        col(KnowledgeChunk.embedding_dim) != embedder.dim,
        col(KnowledgeChunk.embedding).is_(None),
    )
    done = 0
    while True:
        rows = session.execute(
            sa.select(KnowledgeChunk.id, KnowledgeChunk.document_id, KnowledgeChunk.text).where(stale).order_by(KnowledgeChunk.id).limit(batch)
        ).all()
        if not rows:
            return done
        vectors = embedder.embed_documents([text for _, _, text in rows])
        for (chunk_id, _, _), vector in zip(rows, vectors, strict=True):
            session.execute(
                sa.update(KnowledgeChunk)
                .where(col(KnowledgeChunk.id) == chunk_id)
                .values(embedding=vector, embedding_provider=embedder.name, embedding_dim=embedder.dim)
            )
        documents = {doc_id for _, doc_id, _ in rows}
        session.execute(
            sa.update(KnowledgeDocument).where(col(KnowledgeDocument.id).in_(documents)).values(indexed_at=utcnow())
        )
        done += len(rows)


def stale_chunks(session: Session, embedder: Embedder) -> int:
    """How many chunks need re-embedding for this provider (shown on the Knowledge page)."""
    return session.execute(
        sa.select(sa.func.count()).select_from(KnowledgeChunk).where(col(KnowledgeChunk.embedding_provider) != embedder.name)
    ).scalar_one()
