"""The offline responder: answers without any model, from the best-matching chunk, when the
knowledge base clearly holds the answer — and hands off otherwise.

It picks the chunk that best matches the question in the customer's language, then the few
lines of it that share the most words with the question (a chunk is ~500 characters; the
customer wants the two lines with the price, not the whole section), strips the Markdown,
and wraps them in a short polite sentence in Thai or English. Every word it sends comes from
the school's own document, so it cannot invent a price or a date.
"""

import re

from knowledge.search import Hit, keyword_score, query_terms
from models.ai_rules import ANSWER_THRESHOLD, detect_language, prices_in
from models.refusals import Sentence

OFFLINE_MODEL = "offline-responder-v1"
MAX_LINES = 3
MAX_CHARS = 600
# Confidence = (retrieval score − share of the question's words the knowledge base never uses)
# ÷ SCALE, within 0..1. A question about a franchise, a dormitory or Wi-Fi finds *some* chunk
# about the school, but its key word appears nowhere in the documents: that is what tells an
# unanswerable question. SCALE puts a raw 0.28 at ANSWER_THRESHOLD (0.5), calibrated on
# knowledge/eval/questions.json (`vschool eval ai`).
SCALE = 0.56
# Question words and contractions: never in an answer's text, so not evidence either way.
QUESTION_WORDS = set(
    ["much", "many", "เท่าไหร่", "เท่าไร", "กี่", "ไหน", "ยังไง", "อย่างไร", "เมื่อไหร่", "เมื่อไร", "ใคร", "อะไร", "เคย", "i've", "i'm", "can't", "don't", "won't", "isn't", "doesn't"]
)

_SENTENCES = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z\"'(])|(?<=[\u0E00-\u0E7F)])\s{1,}(?=[\u0E00-\u0E7F(])")
LONG_LINE = 240  # a line longer than this is cut into sentences (a Thai space ends one)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s*)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")

# A question about money wants the chunk with the figure: among chunks scoring nearly as well
# as the best, one that states a price wins ("How much is the sushi course?" → "Fee", not "What
# you will learn").
PRICE_WORDS = re.compile(r"how much|cost|price|fee|tuition|\bpay\b|ราคา|เท่าไหร่|เท่าไร|ค่าเรียน|กี่บาท|ค่าใช้จ่าย|ค่า", re.IGNORECASE)
NEARLY = 0.1

OPENING = {"th": "ขอบคุณที่สอบถามค่ะ", "en": "Thanks for your question!"}
CLOSING = {"th": "หากมีข้อสงสัยเพิ่มเติม สอบถามได้เลยนะคะ", "en": "Anything else I can help with?"}


def _clean(unit: str) -> str:
    unit = _MARKUP.sub("", unit)
    if "|" in unit:  # a Markdown table row: "| Sushi | 3 days | ฿12,900 |" → "Sushi · 3 days · ฿12,900"
        unit = " · ".join(cell.strip() for cell in unit.strip().strip("|").split("|") if cell.strip())
    return re.sub(r"\*\*|__|`", "", unit).strip()


def _units(chunk_text: str) -> tuple[str, list[str]]:
    """The chunk's heading path (its first line) and its body cut into lines and sentences."""
    heading, _, body = chunk_text.partition("\n")
    if not body:
        heading, body = "", heading
    units = []
    for line in body.splitlines():  # whole lines read best; only long ones are cut into sentences
        units += [_clean(u) for u in (_SENTENCES.split(line) if len(line) > LONG_LINE else [line])]
    return heading, [u for u in units if u and not _TABLE_RULE.match(u) and len(u) > 1]


def best_lines(question: str, chunk_text: str) -> list[str]:
    """The lines of the chunk that answer the question, in the chunk's order."""
    heading, units = _units(chunk_text)
    if not units:
        return []
    terms = query_terms(question)
    scored = [(keyword_score(terms, unit), i) for i, unit in enumerate(units)]
    picked = sorted(i for score, i in sorted(scored, reverse=True)[:MAX_LINES] if score > 0)
    if not picked:  # the heading matched ("… › Price") and the body holds the answer: its start
        picked = list(range(min(2, len(units))))
    lines, size = [], 0
    for i in picked:
        if size + len(units[i]) > MAX_CHARS and lines:
            break
        lines.append(units[i])
        size += len(units[i])
    return lines


def content_terms(question: str) -> dict[str, float]:
    return {term: weight for term, weight in query_terms(question).items() if term not in QUESTION_WORDS}


def unknown_share(question: str, corpus: str) -> float:
    """The weighted share of the question's content words found nowhere in the knowledge base
    (`corpus`: every chunk's text, lower-cased)."""
    terms = content_terms(question)
    total = sum(terms.values())
    return sum(w for term, w in terms.items() if term not in corpus) / total if total else 0.0


def offline_answer(question: str, hits: list[Hit], language: str, name: str = "", unknown: float = 0.0) -> tuple[str, float, list[Hit], str]:
    """(text, confidence, the hits used, reason). Empty text means hand off, and says why."""
    if not hits:
        return "", 0.0, [], Sentence("ai_nothing_known")
    same_language = [h for h in hits if detect_language(h.text, language) == language]
    if not same_language:
        key = "ai_no_thai_document" if language == "th" else "ai_no_english_document"
        return "", hits[0].score, hits[:1], Sentence(key, closest=hits[0].title or hits[0].source)
    best = same_language[0]
    if PRICE_WORDS.search(question) and not prices_in(best.text):
        priced = [h for h in same_language if prices_in(h.text) and h.score >= best.score - NEARLY]
        best = priced[0] if priced else best
    confidence = round(max(0.0, min(1.0, (best.score - unknown) / SCALE)), 4)
    if confidence < ANSWER_THRESHOLD:
        missing = [t for t in content_terms(question) if t not in best.text.lower()][:4]
        shown = {"confidence": f"{confidence:.2f}", "threshold": f"{ANSWER_THRESHOLD:.2f}", "closest": best.title or best.source}
        if missing:
            return "", confidence, [best], Sentence("ai_not_sure_missing", **shown, missing=", ".join(missing))
        return "", confidence, [best], Sentence("ai_not_sure_of_document", **shown)
    lines = best_lines(question, best.text)
    if not lines:
        return "", confidence, [best], Sentence("ai_nothing_to_quote")
    greeting = OPENING[language if language in OPENING else "en"]
    if name and language == "en":
        greeting = f"Thanks for your question, {name}!"
    body = "\n".join(lines)
    return f"{greeting}\n{body}\n{CLOSING.get(language, CLOSING['en'])}", confidence, [best], ""
