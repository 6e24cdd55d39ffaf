"""The school's knowledge base: documents as ingested and their embedded chunks (pgvector)."""

from datetime import datetime

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlmodel import Field, SQLModel

from models.base import auto_now, timestamp

EMBEDDING_DIM = 768  # both providers are asked for this size, so one column and one index serve


class KnowledgeDocument(SQLModel, table=True):
    __tablename__ = "knowledge_document"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=500, sa_column_kwargs={"unique": True})  # path as ingested
    title: str | None = Field(default=None, max_length=300)
    content_hash: str = Field(max_length=64)
    mime_type: str = Field(default="text/markdown", max_length=80)
    indexed_at: datetime | None = timestamp()
    created_at: datetime = auto_now()


class KnowledgeChunk(SQLModel, table=True):
    __tablename__ = "knowledge_chunk"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "ordinal"),
        sa.Index(
            "ix_knowledge_chunk_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="knowledge_document.id", index=True, ondelete="CASCADE")
    ordinal: int = Field(default=0)
    text: str = Field(sa_type=sa.Text)
    embedding: list[float] | None = Field(default=None, sa_type=Vector(EMBEDDING_DIM))
    embedding_provider: str = Field(max_length=60)  # e.g. "offline-hash-768", "gemini:…"
    embedding_dim: int = Field(default=EMBEDDING_DIM)
    created_at: datetime = auto_now()
