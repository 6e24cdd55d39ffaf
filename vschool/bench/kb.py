"""`vschool bench kb`: retrieval quality and search latency of the knowledge base.

Ingests the demo knowledge base (`knowledge/school`) into scratch services with the offline
embedder, then for every answerable question of the evaluation set (`knowledge/eval/`):
recall@1, recall@3 and MRR (over the top 5) of the document that answers it, and search latency
(p50/p95, query embedding included). Then pads the index to 10,000 chunks with generated filler
chunks (general Thai vocabulary mixed with the knowledge base's own words) and measures again.

Same-run comparisons: `vector_only_*` (no keyword blend) and `baseline_*`, a plain keyword search
(chunks ranked by how many of the question's words they contain, ILIKE). `ratio` =
baseline p95 ÷ search p95 at 10,000 chunks. `unanswerable_top_score_p50` vs
`answerable_top_score_p50` shows how far apart the best scores of questions the knowledge base
cannot and can answer lie (the AI's hand-off threshold sits between them).
"""

import argparse
import random
import statistics
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from vschool.bench import bench_services, percentile

FILLER_TARGET = 10_000
TOP = 5


def _keyword_baseline(session, query: str, k: int) -> list[str]:
    from knowledge.search import query_terms
    from models.knowledge import KnowledgeChunk, KnowledgeDocument
    from models.listings import like_pattern

    terms = list(query_terms(query)) or [query]
    matched = sum(
        (sa.case((KnowledgeChunk.text.ilike(like_pattern(t)), 1), else_=0) for t in terms),  # type: ignore[attr-defined]
        sa.literal(0),
    )
    rows = session.execute(
        sa.select(KnowledgeDocument.source)
        .select_from(KnowledgeChunk)
        .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
        .where(matched > 0)
        .order_by(matched.desc(), KnowledgeChunk.id)
        .limit(k)
    ).all()
    return [r[0] for r in rows]


def _measure(questions, searcher) -> dict[str, float]:
    ranks: list[int | None] = []
    times: list[float] = []
    top_answerable: list[float] = []
    top_unanswerable: list[float] = []
    for q in questions:
        start = time.perf_counter()
        sources, top_score = searcher(q.question)
        times.append((time.perf_counter() - start) * 1000)
        if q.answerable:
            rank = next((i for i, s in enumerate(sources, 1) if q.answered_by(s)), None)
            ranks.append(rank)
            top_answerable.append(top_score)
        else:
            top_unanswerable.append(top_score)
    n = len(ranks)
    return {
        "recall_at_1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "recall_at_3": round(sum(1 for r in ranks if r and r <= 3) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "p50_ms": round(percentile(times, 0.5), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "answerable_top_score_p50": round(statistics.median(top_answerable), 3) if top_answerable else 0.0,
        "unanswerable_top_score_p50": round(statistics.median(top_unanswerable), 3) if top_unanswerable else 0.0,
    }


def _pad(session, embedder, target: int, rng: random.Random) -> int:
    """Filler documents until there are `target` chunks: text that shares some of the school's
    vocabulary but answers nothing — four in five words drawn from PyThaiNLP's general Thai
    word list, one in five from the knowledge base itself (Thai and English words)."""
    from pythainlp.corpus import thai_words

    from knowledge.chunk import words_with_spaces
    from models.knowledge import KnowledgeChunk, KnowledgeDocument

    texts = [t for (t,) in session.execute(sa.select(KnowledgeChunk.text)).all()]
    school = [w for text in texts for w in words_with_spaces(text) if w.strip()]
    general = sorted(thai_words())
    have = session.execute(sa.select(sa.func.count()).select_from(KnowledgeChunk)).scalar_one()
    missing = max(0, target - have)
    per_doc = 20
    for start in range(0, missing, per_doc):
        doc_id = session.execute(
            insert(KnowledgeDocument)
            .values(source=f"filler/{start // per_doc:04d}.md", title="filler", content_hash="filler")
            .returning(KnowledgeDocument.id)
        ).scalar_one()
        bodies = []
        for _ in range(min(per_doc, missing - start)):
            words = [rng.choice(school) if rng.random() < 0.2 else rng.choice(general) for _ in range(rng.randint(40, 120))]
            body = ""
            for word in words:
                body += word if not body or "\u0e00" <= word[0] <= "\u0e7f" and "\u0e00" <= body[-1] <= "\u0e7f" else " " + word
                if rng.random() < 0.08:
                    body += " "
            bodies.append(body.strip()[:500])
        vectors = embedder.embed_documents(bodies)
        session.execute(
            insert(KnowledgeChunk),
            [
                {"document_id": doc_id, "ordinal": i, "text": body, "embedding": vec,
                 "embedding_provider": embedder.name, "embedding_dim": embedder.dim}
                for i, (body, vec) in enumerate(zip(bodies, vectors, strict=True))
            ],
        )
    return missing


def bench_kb(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.embed import OfflineEmbedder
    from knowledge.evalset import load_questions
    from knowledge.ingest import ingest_paths
    from knowledge.search import search
    from models.db import session_scope

    folder, questions = load_questions()
    embedder = OfflineEmbedder()
    with bench_services():
        with session_scope() as session:
            report = ingest_paths(session, [folder], embedder)

        def ours(weight: float | None = None):
            def run(question: str) -> tuple[list[str], float]:
                kwargs = {} if weight is None else {"keyword_weight": weight}
                with session_scope() as session:
                    hits = search(session, question, k=TOP, embedder=embedder, **kwargs)
                return [h.source for h in hits], (hits[0].score if hits else 0.0)
            return run

        def baseline(question: str) -> tuple[list[str], float]:
            with session_scope() as session:
                return _keyword_baseline(session, question, TOP), 0.0

        ours()(questions[0].question)  # warm-up: tokenizer dictionary, connections
        small = _measure(questions, ours())
        small_vector = _measure(questions, ours(0.0))
        small_base = _measure(questions, baseline)
        with session_scope() as session:
            padded = _pad(session, embedder, FILLER_TARGET, random.Random(7))
            session.execute(sa.text("ANALYZE knowledge_chunk, knowledge_document"))
        big = _measure(questions, ours())
        big_vector = _measure(questions, ours(0.0))
        big_base = _measure(questions, baseline)
        with session_scope() as session:
            total = session.execute(sa.text("SELECT count(*) FROM knowledge_chunk")).scalar_one()

    answerable = sum(1 for q in questions if q.answerable)
    return {
        "bench": "kb",
        "provider": embedder.name,
        "documents": len(report.added),
        "kb_chunks": report.chunks_written,
        "questions": answerable,
        "unanswerable_questions": len(questions) - answerable,
        "recall_at_1": small["recall_at_1"],
        "recall_at_3": small["recall_at_3"],
        "mrr": small["mrr"],
        "search_p50_ms": small["p50_ms"],
        "search_p95_ms": small["p95_ms"],
        "answerable_top_score_p50": small["answerable_top_score_p50"],
        "unanswerable_top_score_p50": small["unanswerable_top_score_p50"],
        "vector_only_recall_at_3": small_vector["recall_at_3"],
        "vector_only_mrr": small_vector["mrr"],
        "baseline_recall_at_1": small_base["recall_at_1"],
        "baseline_recall_at_3": small_base["recall_at_3"],
        "baseline_mrr": small_base["mrr"],
        "baseline_search_p95_ms": small_base["p95_ms"],
        "padded_chunks": total,
        "filler_chunks": padded,
        "padded_recall_at_1": big["recall_at_1"],
        "padded_recall_at_3": big["recall_at_3"],
        "padded_mrr": big["mrr"],
        "padded_search_p50_ms": big["p50_ms"],
        "padded_search_p95_ms": big["p95_ms"],
        "padded_vector_only_recall_at_3": big_vector["recall_at_3"],
        "padded_vector_only_search_p95_ms": big_vector["p95_ms"],
        "padded_baseline_recall_at_3": big_base["recall_at_3"],
        "padded_baseline_search_p50_ms": big_base["p50_ms"],
        "padded_baseline_search_p95_ms": big_base["p95_ms"],
        "ratio": round(big_base["p95_ms"] / big["p95_ms"], 2) if big["p95_ms"] else None,
    }
