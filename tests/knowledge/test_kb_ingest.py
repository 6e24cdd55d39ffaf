"""Chunking Thai and English, ingest idempotence by content hash, folder removals, bad files,
PDFs, the kb CLI's JSON, and the watcher re-indexing a changed file."""

import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from knowledge.chunk import chunk_markdown, chunk_text, safe_cut, thai_words
from knowledge.embed import OfflineEmbedder
from knowledge.ingest import ingest_paths
from knowledge.search import search
from knowledge.watch import watch
from models.db import session_scope
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from tests.conftest import ROOT, wait_until

THAI = (
    "คอร์สซูชิมืออาชีพห้าวันสอนโดยเชฟชาวญี่ปุ่นที่มีประสบการณ์ในร้านซูชิที่โตเกียวกว่ายี่สิบปี"
    "เหมาะกับผู้ที่ต้องการเปิดร้านซูชิทำงานในครัวญี่ปุ่นหรือผู้ที่รักการทำอาหารและอยากทำซูชิให้ถูกวิธี"
) * 4


def test_thai_without_spaces_is_cut_between_words_within_the_budget() -> None:
    chunks = chunk_text(THAI, title="ซูชิ", budget=120, overlap=0)
    assert len(chunks) > 3
    words = set(thai_words(THAI))
    for chunk in chunks:
        assert len(chunk.body) <= 120
        # every piece starts and ends on a dictionary word boundary of the original text
        assert any(chunk.body.startswith(w) for w in words) and any(chunk.body.endswith(w) for w in words)
    assert "".join(c.body for c in chunks) == THAI
    assert all(c.text.startswith("ซูชิ\n") for c in chunks)


def test_a_title_underlined_with_a_rule_is_a_heading_and_the_rule_no_text() -> None:
    text = (
        "CLOSED DAYS 2027  (pinned in the office)\n==========================\n\n"
        "Every Monday: closed.\n\nHolidays\n--------\n- 13-15 Apr (Songkran) ...... closed\n\n- a list item\n-----\n\n"
        "Two lines, then a rule\nunder them\n----------\n\nThe end.\n"
    )
    chunks = chunk_text(text, title="closures", budget=1000)
    assert [c.headings for c in chunks] == [
        ("closures", "CLOSED DAYS 2027  (pinned in the office)"),
        ("closures", "Holidays"),
    ]
    assert chunks[0].body == "Every Monday: closed."
    assert "=" not in chunks[0].text and "--------" not in chunks[1].text
    assert chunks[1].body.endswith("under them\n\nThe end.")  # a rule under a paragraph only ends it
    md = chunk_markdown("Price list\n==========\n\nSushi ฿24,900\n\n***\n\nRamen\n-----\n\n฿9,900\n")
    assert [(c.headings, c.body) for c in md] == [(("Price list",), "Sushi ฿24,900"), (("Price list", "Ramen"), "฿9,900")]


def test_safe_cut_never_splits_a_vowel_from_its_consonant() -> None:
    text = "เรียนทำอาหาร"  # เรียน|ทำ|อา|หาร: no safe cut inside the first word
    for limit in range(6, len(text)):
        cut = safe_cut(text, limit)
        assert text[cut] not in "ะัาำิีึืุู่้๊๋์" and text[cut - 1] not in "เแโใไ"


def test_markdown_keeps_the_heading_path_and_overlaps_sentences() -> None:
    md = "# Sushi\n\nIntro.\n\n## Price\n" + " ".join(f"Sentence number {i} is here." for i in range(30)) + "\n\n## ราคา\nคอร์สละ 24,900 บาท\n"
    chunks = chunk_markdown(md, budget=200, overlap=60)
    assert chunks[0].text == "Sushi\nIntro."
    price = [c for c in chunks if c.headings == ("Sushi", "Price")]
    assert len(price) > 2 and all(len(c.body) <= 200 for c in price)
    last_sentence = price[0].body.rsplit(". ", 1)[-1]
    first_sentence = price[1].body.split(". ", 1)[0] + "."
    # overlap: the next chunk starts with the last whole sentences (≤ 60 characters) of this one
    assert first_sentence in price[0].body and price[0].body.endswith(price[1].body[: price[1].body.index(last_sentence) + len(last_sentence)])
    assert chunks[-1].text == "Sushi › ราคา\nคอร์สละ 24,900 บาท"


def _kb(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text("# Ramen\n\nRamen costs 18,900 THB.\n", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("ที่จอดรถ\n\nมีที่จอดรถฟรีสำหรับนักเรียน", encoding="utf-8")


def _chunk_ids(session) -> set[int]:
    return set(session.exec(select(KnowledgeChunk.id)).all())


def test_ingest_is_idempotent_and_follows_changes_and_removals(db: None, tmp_path: Path) -> None:
    _kb(tmp_path)
    embedder = OfflineEmbedder()
    with session_scope() as session:
        first = ingest_paths(session, [tmp_path], embedder)
        ids = _chunk_ids(session)
    assert sorted(first.added) == [f"{tmp_path}/a.md", f"{tmp_path}/sub/b.txt"]
    with session_scope() as session:
        again = ingest_paths(session, [tmp_path], embedder)
        assert _chunk_ids(session) == ids  # nothing rewritten
    assert len(again.unchanged) == 2 and not again.added and not again.updated and again.chunks_written == 0

    (tmp_path / "a.md").write_text("# Ramen\n\nRamen now costs 19,900 THB.\n", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").unlink()
    with session_scope() as session:
        changed = ingest_paths(session, [tmp_path], embedder)
        texts = session.exec(select(KnowledgeChunk.text)).all()
        sources = session.exec(select(KnowledgeDocument.source)).all()
    assert changed.updated == [f"{tmp_path}/a.md"] and changed.removed == [f"{tmp_path}/sub/b.txt"]
    assert sources == [f"{tmp_path}/a.md"] and texts == ["Ramen\nRamen now costs 19,900 THB."]


def test_bad_files_are_reported_and_the_rest_is_ingested(db: None, tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nWagashi 9,900 THB", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    with session_scope() as session:
        report = ingest_paths(session, [tmp_path, tmp_path / "missing.md"], OfflineEmbedder())
    assert report.added == [f"{tmp_path}/good.md"]
    assert "UTF-8" in report.failed[f"{tmp_path}/latin1.txt"]
    assert "PDF" in report.failed[f"{tmp_path}/scan.pdf"]
    assert "no such file" in report.failed[f"{tmp_path}/missing.md"]


def _pdf(text_lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica), written by hand: pypdf only reads."""
    stream = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in text_lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_pdf_text_is_ingested_and_searchable(db: None, tmp_path: Path) -> None:
    (tmp_path / "knife-care.pdf").write_bytes(_pdf(["Knife care guide", "Sharpen the yanagiba on a whetstone every week."]))
    with session_scope() as session:
        report = ingest_paths(session, [tmp_path / "knife-care.pdf"], OfflineEmbedder())
        hits = search(session, "how often should I sharpen my knife", k=1, embedder=OfflineEmbedder())
    assert report.added == [f"{tmp_path}/knife-care.pdf"]
    assert hits and "whetstone" in hits[0].text and hits[0].title == "knife care"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vschool.cli", "kb", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_kb_cli_ingests_and_searches_with_json(db: None) -> None:
    done = _cli("ingest", "knowledge/school")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["added"]) >= 15
    found = _cli("search", "คอร์สซูชิราคาเท่าไหร่คะ", "--k", "3", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 3 and set(hits[0]) == {"source", "chunk", "score", "text"}
    assert hits[0]["source"].startswith("knowledge/school/") and "24,900" in " ".join(h["text"] for h in hits)
    assert all(isinstance(h["chunk"], int) and 0 <= h["score"] <= 1 for h in hits)
    failed = _cli("ingest", "no/such/file.md")
    assert failed.returncode == 1 and "no such file" in failed.stderr


def test_watcher_reindexes_a_changed_file(db: None, tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "hours.md").write_text("# Hours\n\nThe office opens at 09:00.\n", encoding="utf-8")
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(folder,), kwargs={"stop": stop, "debounce_ms": 100})
    thread.start()
    try:
        def texts() -> list[str]:
            with session_scope() as session:
                return list(session.exec(select(KnowledgeChunk.text)).all())

        wait_until(lambda: texts() == ["Hours\nThe office opens at 09:00."], timeout_s=30)
        (folder / "hours.md").write_text("# Hours\n\nThe office opens at 10:00 now.\n", encoding="utf-8")
        wait_until(lambda: texts() == ["Hours\nThe office opens at 10:00 now."], timeout_s=30)
        (folder / "hours.md").unlink()
        wait_until(lambda: texts() == [], timeout_s=30)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    with session_scope() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(KnowledgeDocument)).scalar_one() == 0
