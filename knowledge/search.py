"""Search the knowledge base: `search(session, "…", k)` → the best chunks, best first.

Hybrid by design: the nearest chunks of the current provider by cosine similarity (exact, over
a per-process copy of the vectors — see `_nearest_in_memory`; pgvector's HNSW index for
knowledge bases too large to hold), then each candidate's score blends its cosine similarity with
a keyword score — the share of the question's content words found verbatim in the chunk
(substring match, which suits Thai: no spaces to rely on). The blend lifts chunks that contain
the exact price, course or place asked about. `score` is in 0..1, higher is better.
`vschool bench kb` measures recall with and without the keyword part, against a plain ILIKE
keyword search, and at 10,000 chunks.

With Gemini embeddings the question is embedded through the API (retried on 429/5xx); when that
still fails the SDK's `ClientError`/`ServerError` reaches the caller (`knowledge.answer` then
hands the customer to a person).
"""

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col

from knowledge.embed import ENGLISH_STOP, THAI_STOP, Embedder, OfflineEmbedder, embedder_for, stem
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.settings import get_settings

CANDIDATES = 40  # vector neighbours re-scored per query (at least 8 × k)
EF_SEARCH = 100  # HNSW candidate list: higher = better recall, slower
KEYWORD_WEIGHT = 0.3
IN_MEMORY_LIMIT = 50_000  # chunks per provider searched exactly in memory (≈150 MB at 768 dims)


@dataclass(frozen=True)
class Hit:
    source: str  # the document's path as ingested
    chunk: int  # the chunk's ordinal within its document
    score: float  # 0..1, higher is better
    text: str  # the chunk (first line: its heading path)
    title: str | None


def source_dicts(hits: list[Hit]) -> list[dict[str, Any]]:
    """Hits as the sources an AI task records and the inbox shows."""
    return [{"source": h.source, "chunk": h.chunk, "score": h.score, "title": h.title or "", "text": h.text} for h in hits]


# Built once: every customer question runs them.
_CHUNKS = (
    sa.select(KnowledgeChunk.id, KnowledgeDocument.source, KnowledgeChunk.ordinal, KnowledgeChunk.text, KnowledgeDocument.title)
    .join(KnowledgeDocument, col(KnowledgeDocument.id) == col(KnowledgeChunk.document_id))
    .where(col(KnowledgeChunk.id).in_(sa.bindparam("ids", expanding=True)))
)
_VERSION = sa.select(
    sa.func.count(), sa.func.max(KnowledgeDocument.indexed_at), sa.select(sa.func.max(KnowledgeChunk.id)).scalar_subquery()
).select_from(KnowledgeDocument)


def search(
    session: Session,
    query: str,
    k: int = 5,
    embedder: Embedder | None = None,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[Hit]:
    """The `k` chunks that best answer `query`; [] for an empty query or knowledge base."""
    query = query.strip()
    if not query or k <= 0:
        return []
    embedder = embedder or default_embedder()
    vector = embedder.embed_query(query)
    limit = max(CANDIDATES, 8 * k)
    nearest = _nearest_in_memory(session, embedder.name, vector, limit)
    if nearest is None:
        rows = _nearest_by_index(session, embedder.name, vector, limit)
    else:
        distances = dict(nearest)
        found = session.execute(_CHUNKS, {"ids": list(distances)}).all()
        rows = [(source, ordinal, text, title, distances[chunk_id]) for chunk_id, source, ordinal, text, title in found]
    terms = query_terms(query)
    hits = []
    for source, ordinal, text, title, dist in rows:
        similarity = max(0.0, min(1.0, 1.0 - float(dist)))
        keyword = keyword_score(terms, text)
        score = (1 - keyword_weight) * similarity + keyword_weight * keyword
        hits.append(Hit(source, ordinal, round(score, 4), text, title))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:k]


def _nearest_by_index(session: Session, provider: str, vector: list[float], limit: int) -> list:
    """pgvector's HNSW index (approximate): for knowledge bases too large to keep in memory."""
    distance = col(KnowledgeChunk.embedding).cosine_distance(vector)
    session.execute(sa.text(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}"))
    # The nearest chunks first, on the chunk table alone, then their documents: a join inside
    # the ORDER BY … LIMIT lets the planner trade the index for a sort of every row.
    nearest = (
        sa.select(KnowledgeChunk.document_id, KnowledgeChunk.ordinal, KnowledgeChunk.text, distance.label("distance"))
        .where(col(KnowledgeChunk.embedding_provider) == provider)
        .order_by(distance)
        .limit(limit)
        .subquery()
    )
    return session.execute(
        sa.select(KnowledgeDocument.source, nearest.c.ordinal, nearest.c.text, KnowledgeDocument.title, nearest.c.distance)
        .join(nearest, nearest.c.document_id == KnowledgeDocument.id)
    ).all()


@dataclass
class _Vectors:
    signature: tuple
    ids: np.ndarray | None  # None: too many chunks to hold, use the index
    matrix: np.ndarray | None  # one unit-length row per chunk, float32


_vectors: dict[str, _Vectors] = {}
_vectors_lock = threading.Lock()


def _nearest_in_memory(session: Session, provider: str, vector: list[float], limit: int) -> list[tuple[int, float]] | None:
    """Exact nearest chunks by cosine, from a per-process copy of the provider's vectors.

    Hashed lexical vectors are nearly orthogonal to each other, which HNSW graphs navigate
    poorly (at 10,000 chunks its recall fell well below the exact search's, or its latency
    rose past 30 ms). A matrix product over every chunk is exact and takes a few milliseconds.
    The copy is reloaded when the knowledge base changes (see `knowledge_version`); knowledge bases
    over IN_MEMORY_LIMIT chunks are not held (None: use the index).
    """
    signature = knowledge_version(session)
    with _vectors_lock:
        held = _vectors.get(provider)
        if held is None or held.signature != signature:
            held = _vectors[provider] = _load(session, provider, signature)
    if held.ids is None or held.matrix is None:
        return None
    if not len(held.ids):
        return []
    # einsum's own loop, not BLAS: a multi-threaded BLAS spins on a busy 2-core machine.
    similarities = np.einsum("ij,j->i", held.matrix, np.asarray(vector, dtype=np.float32))
    limit = min(limit, len(similarities))
    top = np.argpartition(-similarities, limit - 1)[:limit]
    return [(int(held.ids[i]), float(1.0 - similarities[i])) for i in top]


def _load(session: Session, provider: str, signature: tuple) -> _Vectors:
    of_provider = col(KnowledgeChunk.embedding_provider) == provider
    count = session.execute(sa.select(sa.func.count()).select_from(KnowledgeChunk).where(of_provider)).scalar_one()
    if count > IN_MEMORY_LIMIT:
        return _Vectors(signature, None, None)
    rows = session.execute(
        sa.select(KnowledgeChunk.id, KnowledgeChunk.embedding).where(of_provider, col(KnowledgeChunk.embedding).is_not(None))
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    matrix = np.vstack([np.asarray(r[1], dtype=np.float32) for r in rows]) if rows else np.zeros((0, 1), np.float32)
    return _Vectors(signature, ids, matrix)


def knowledge_version(session: Session) -> tuple:
    """Changes whenever chunks do: every write inserts chunks with new ids (the newest id is read
    from the primary key's index) and sets its document's `indexed_at` (a re-embed), and
    removals change the document count. Read once per transaction (the search and the answer's
    corpus both ask)."""
    session.connection()  # begins the transaction if none is open
    transaction = session.get_transaction()
    held = session.info.get("knowledge_version")
    if held is not None and held[0] is transaction:
        return held[1]
    version = tuple(session.execute(_VERSION).one())
    session.info["knowledge_version"] = (transaction, version)
    return version


def query_terms(query: str) -> dict[str, float]:
    """The question's content words (Thai dictionary words, stemmed English words, numbers),
    weighted by length: long words are rarer and say more."""
    from knowledge.embed import _RUNS, thai_content_words

    terms: dict[str, float] = {}
    for run in _RUNS.findall(query.lower()):
        if run[0].isdigit():
            terms[run] = 1.0
        elif "\u0e00" <= run[0] <= "\u0e7f":
            for word in thai_content_words(run):
                if len(word) > 1 and word not in THAI_STOP:
                    terms[word] = min(len(word), 6) / 3
        elif run not in ENGLISH_STOP and len(run) > 2:
            terms[stem(run)] = min(len(run), 8) / 4
    return terms


def keyword_score(terms: dict[str, float], text: str) -> float:
    """Weighted share of the terms that occur in the text (0..1)."""
    if not terms:
        return 0.0
    lowered = text.lower()
    found = sum(weight for term, weight in terms.items() if term in lowered)
    return found / sum(terms.values())


def default_embedder() -> Embedder:
    """The installation's provider (one client per process and configuration)."""
    settings = get_settings()
    key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None
    return _embedder(key, settings.gemini_base_url)


@lru_cache(maxsize=4)
def _embedder(key: str | None, base_url: str | None) -> Embedder:
    return embedder_for() if key else OfflineEmbedder()
