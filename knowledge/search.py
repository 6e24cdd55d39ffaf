"""Search the knowledge base: `search(session, "…", k)` → the best chunks, best first.

Hybrid by design: pgvector's HNSW index (cosine) finds candidates among the chunks of the
current provider, then each candidate's score blends its cosine similarity with a keyword score
— the share of the question's content words found verbatim in the chunk (substring match, which
suits Thai: no spaces to rely on). The blend lifts chunks that contain the exact price, course
or place asked about. `score` is in 0..1, higher is better. (`vschool bench kb` measures recall
with and without the keyword part, and against a plain ILIKE keyword search.)
"""

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col

from knowledge.embed import ENGLISH_STOP, THAI_STOP, Embedder, OfflineEmbedder, embedder_for, stem
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.settings import get_settings

CANDIDATES = 40  # vector neighbours re-scored per query (at least 8 × k)
EF_SEARCH = 100  # HNSW candidate list: higher = better recall, slower
KEYWORD_WEIGHT = 0.3


@dataclass(frozen=True)
class Hit:
    source: str  # the document's path as ingested
    chunk: int  # the chunk's ordinal within its document
    score: float  # 0..1, higher is better
    text: str  # the chunk (first line: its heading path)
    title: str | None


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
    distance = col(KnowledgeChunk.embedding).cosine_distance(vector)
    session.execute(sa.text(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}"))
    rows = session.execute(
        sa.select(
            KnowledgeDocument.source,
            KnowledgeChunk.ordinal,
            KnowledgeChunk.text,
            KnowledgeDocument.title,
            distance.label("distance"),
        )
        .join(KnowledgeDocument, col(KnowledgeDocument.id) == col(KnowledgeChunk.document_id))
        .where(col(KnowledgeChunk.embedding_provider) == embedder.name)
        .order_by(distance)
        .limit(max(CANDIDATES, 8 * k))
    ).all()
    terms = query_terms(query)
    hits = []
    for source, ordinal, text, title, dist in rows:
        similarity = max(0.0, min(1.0, 1.0 - float(dist)))
        keyword = keyword_score(terms, text)
        score = (1 - keyword_weight) * similarity + keyword_weight * keyword
        hits.append(Hit(source, ordinal, round(score, 4), text, title))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:k]


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
