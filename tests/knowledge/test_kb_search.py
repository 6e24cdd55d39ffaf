"""Search ranks the document that answers a Thai or English question first (offline embedder)."""

from pathlib import Path

from knowledge.ingest import ingest_paths
from knowledge.search import Hit, search
from models.db import session_scope

DOCS = {
    "sushi.md": "# Sushi course\n\n## Price\nThe professional sushi course (5 days) costs 24,900 THB, ingredients included.\n\n## ราคา\nคอร์สซูชิมืออาชีพ 5 วัน ราคา 24,900 บาท รวมวัตถุดิบ\n",
    "location.md": "# How to find us\n\nV School is on Sukhumvit 39, a five-minute walk from BTS Phrom Phong. Parking is available.\n\n## การเดินทาง\nโรงเรียนอยู่ซอยสุขุมวิท 39 เดินจากบีทีเอสพร้อมพงษ์ประมาณ 5 นาที มีที่จอดรถ\n",
    "refunds.md": "# Deposits and refunds\n\nA 5,000 THB deposit reserves a seat. Cancel 14 days before the start for a full refund.\n\n## การคืนเงิน\nยกเลิกก่อนเริ่มเรียน 14 วัน คืนเงินมัดจำเต็มจำนวน\n",
}


def _write(folder: Path) -> None:
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_search_ranks_the_answering_document_first(db: None, tmp_path: Path) -> None:
    _write(tmp_path)
    with session_scope() as session:
        ingest_paths(session, [tmp_path])
    cases = {
        "How much is the sushi class?": "sushi.md",
        "คอร์สซูชิราคาเท่าไหร่คะ": "sushi.md",
        "how do I get to the school by skytrain": "location.md",
        "โรงเรียนอยู่ที่ไหน เดินทางยังไง": "location.md",
        "can I get my money back if I cancel": "refunds.md",
        "ยกเลิกแล้วได้เงินคืนไหม": "refunds.md",
    }
    with session_scope() as session:
        for question, expected in cases.items():
            hits = search(session, question, k=3)
            assert hits and isinstance(hits[0], Hit)
            assert Path(hits[0].source).name == expected, (question, hits)
            assert 0 < hits[0].score <= 1
            assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_query_or_knowledge_base_finds_nothing(db: None) -> None:
    with session_scope() as session:
        assert search(session, "   ") == []
        assert search(session, "sushi price") == []


def test_the_demo_knowledge_base_answers_the_evaluation_set(db: None) -> None:
    """Retrieval quality over the repository's evaluation set (the bench reports the figures;
    this keeps them from sliding): the answering document in the top 3 for ≥ 90 % of questions,
    in Thai and in English alike."""
    from knowledge.evalset import load_questions

    folder, questions = load_questions()
    with session_scope() as session:
        report = ingest_paths(session, [folder])
    assert not report.failed and len(report.added) >= 15
    found: dict[str, list[bool]] = {"th": [], "en": []}
    # The retrieval questions the set had before issue 13 (a01–a69). The later ones test the
    # answer pipeline, where the school facts and the line index answer without retrieval
    # ("ที่อยู่โรงเรียน"); `vschool bench kb` reports recall over the whole set.
    # Those the rounds table answers (source "rounds", issue 14) are not a document's to find.
    retrieval = [q for q in questions if q.id.startswith("a") and int(q.id[1:]) <= 69 and q.source != "rounds"]
    with session_scope() as session:
        for q in retrieval:
            if q.answerable:
                hits = search(session, q.question, k=3)
                found[q.lang].append(any(q.answered_by(h.source) for h in hits))
    assert len(found["th"]) >= 30 and len(found["en"]) >= 30
    for lang, results in found.items():
        assert sum(results) / len(results) >= 0.9, (lang, sum(results), len(results))
