"""The offline responder: answers without any model — from the school's record first, then from
the one line of its documents that states what was asked — and hands off otherwise, saying why
in words staff can act on.

1. What is asked (`knowledge.asks`): the attributes (price, next round, address …) and the
   words naming what it is about.
2. Facts of record (`knowledge.record`): the catalog's price of the named product, the school
   facts table's address or hours.
3. Otherwise the documents (`knowledge.ranking` over `knowledge.lines`): the line that states the attribute of that
   thing, in the customer's language — not the line sharing the most words.
4. A question asking two things is answered in two parts, or handed off with what was found
   and what was not — never half-answered as if whole.

Confidence is "probably right": it falls when the line covers the question's words only
partly, when another line of another document states a different value almost as well, and
when the question uses words the knowledge base never does. `vschool eval ai` reports how often
answers at each confidence were right (the reliability table).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.asks import BY_NAME, COUNT, DURATION, GENERIC, TIME, Ask, read_question
from knowledge.calibration import calibrated
from knowledge.confidence import likely_right
from knowledge.lines import Index, heading_names
from knowledge.question_terms import ENTITY_WEIGHT, OTHER_WEIGHT, question_words, weights
from knowledge.ranking import Scored, is_about, rank
from knowledge.record import Record, RecordFact, facts_of_record
from knowledge.search import Hit, source_dicts
from knowledge.words import ACCENTS, tokens
from models.ai_rules import _numbers_in, dates_in, prices_in
from models.refusals import Sentence

OFFLINE_MODEL = "offline-responder-v2"
MIN_COVER = 0.6  # the line (or its heading) must state this share of what the question names
MISSING_LIMIT = 0.4  # share of the question's words the knowledge base never uses: hand off
UNKNOWN_CUE, UNKNOWN_THAI, UNKNOWN_ENGLISH = 0.6, 0.75, 0.85
LIST_ASKED = re.compile(  # "คอร์สไหนมีใบประกาศบ้าง", "which classes are vegan?": every course that has it
    r"(?:คอร์ส|คลาส|หลักสูตร)(?:ไหน|อะไร)[^?]*บ้าง|(?<![a-z])(?:which|what|any) (?:courses|classes|workshops)(?![a-z])", re.I
)
YEAR = re.compile(r"(?:19|20|25)\d\d")  # a Christian or Buddhist-era year
SCHOOL_MISSING_LIMIT = 0.6  # the same for a school-wide ask (refunds, parking): its words vary more
PASSING_MENTION = 0.6  # the line names the thing, but its page is about something else
RIVAL_GAP = 0.03  # a rival line this close, stating another value: ask which one
RECORD_CONFIDENCE = 0.95
LISTED, SAME_ROWS = ("days", "time", "next_round"), 3  # a timetable's rows for one class, listed
UNNAMED_GAP, UNNAMED_FACTOR = 0.05, 0.9  # a question naming no course: a clear line, a little less sure
SECTION_LINES, LIST_LINES, SECTION_CHARS = 3, 8, 500
NOTHING_ASKED = 0.6  # no attribute recognised: the best-covering line is right less than half the time
CLOSE_BASE = 1.0  # a school-wide answer with another line of another value close behind
QUOTING = {"th": "ข้อมูลจากหน้าภาษาอังกฤษของโรงเรียน:", "en": "From our page in Thai:"}
OPENING = {"th": "ขอบคุณที่สอบถามค่ะ", "en": "Thanks for your question!"}
CLOSING = {"th": "หากมีข้อสงสัยเพิ่มเติม สอบถามได้เลยนะคะ", "en": "Anything else I can help with?"}
# One ask, two cues: "how much deposit do I pay" asks the deposit, not how to pay.
FACETS = {
    "payment": ("deposit", "balance", "refund", "instalment", "price"),
    "days": ("time",),
    "exam": ("certificate",),
    "price": ("deposit", "balance", "refund", "instalment"),  # "the rest of the fee" asks the balance
    "duration": ("deposit", "balance"),  # "how many days before do I pay the rest": the balance line
}


@dataclass
class Part:
    attribute: str  # "" for a question with no recognised attribute
    text: str = ""
    source: dict[str, Any] | None = None
    confidence: float = 0.0
    problem: str = ""  # why this part has no answer (a Sentence)
    record: bool = False  # from the school's data of record, not read from a document
    signals: dict[str, float] = field(default_factory=dict)  # what chose the line (`knowledge.confidence`)


@dataclass
class Outcome:
    text: str
    confidence: float
    sources: list[dict[str, Any]]
    reason: str = ""
    parts: list[Part] = field(default_factory=list)
    attributes: tuple[str, ...] = ()
    unknown: list[str] = field(default_factory=list)  # the question's words the knowledge base never uses
    signals: dict[str, float] = field(default_factory=dict)  # what `knowledge.confidence` weighs

    @property
    def asked(self) -> str:
        """The first attribute asked, as the confidence model knows them ("" for none)."""
        return next(iter(normalise(self.attributes)), "")

    @property
    def documents(self) -> bool:
        """Is any part read from a document (its confidence calibrated), not all of record?"""
        return not all(p.record for p in self.parts)


def normalise(attributes: tuple[str, ...]) -> tuple[str, ...]:
    """Drop cues that are facets of another asked attribute."""
    return tuple(
        a for a in attributes if not any(other in attributes for other in FACETS.get(a, ()))
    )


def _label(attribute: str, language: str) -> str:
    english, thai = BY_NAME[attribute].label if attribute in BY_NAME else ("the answer", "คำตอบ")
    return thai if language == "th" else english


def _named(terms: dict[str, float]) -> str:
    return " ".join(t for t, w in terms.items() if w >= OTHER_WEIGHT) or "?"


def _title_part(title: str, language: str) -> str:
    from models.ai_rules import detect_language

    parts = [p.strip() for p in title.split(" — ")]
    same = [p for p in parts if detect_language(p, language) == language]
    return (same or parts)[0]


def _values(attribute: str, text: str) -> frozenset:
    """What a line says for the attribute: its prices, durations, times, dates, counts."""
    if attribute == "price":
        return frozenset(_amounts(text))
    if attribute == "next_round":
        return frozenset(dates_in(text))
    pattern = {"duration": DURATION, "time": TIME, "seats": COUNT}.get(attribute)
    return frozenset(m.group(0).lower() for m in pattern.finditer(text)) if pattern else frozenset()


def _amounts(text: str) -> set:
    """The amounts of money a line can mean: its prices, and numbers of three or more digits
    that are not years ("2 days · 6,800" states one amount, 6,800)."""
    stated = prices_in(text)
    return stated | {
        v
        for v in _numbers_in(text)
        if v >= 100 and not (1900 <= v <= 2100 or 2500 <= v <= 2700) and v == int(v)
    }


def _different(theirs: frozenset, mine: frozenset) -> bool:
    """Another answer: the line states values and none of them is the best line's (a fees
    table's "4 days · 21,000" agrees with the course page's "4 days")."""
    return bool(theirs) and theirs.isdisjoint(mine)


def _line_text(s: Scored, language: str) -> str:
    line = s.line
    if line.label or s.cover == 0:
        return line.text
    heading_last = line.heading.split(" › ")[-1] if " › " in line.heading else ""
    if "|" in line.text or (line.text.count(" · ") >= 2 and heading_last):
        return f"{heading_last}: {line.text}"
    title = _title_part(line.title, language)
    if title and title.lower() not in line.lowered:
        return f"{title}: {line.text}"
    return line.text


def _source(s: Scored) -> dict[str, Any]:
    line = s.line
    return {
        "source": line.source,
        "chunk": line.chunk,
        "score": round(s.total, 4),
        "title": line.title,
        "text": f"{line.heading}\n{line.text}",
    }


def _section(s: Scored, index: Index, language: str) -> str:
    """The best line and those after it under the same heading (a curriculum, an FAQ answer)."""
    written = language if language in s.line.languages else s.line.language
    same = [
        line
        for line in index.lines
        if line.source == s.line.source
        and line.heading == s.line.heading
        and written in line.languages
    ]
    start = next((i for i, line in enumerate(same) if line is s.line), 0)
    start = 0 if start < SECTION_LINES else start
    picked, size = [], 0
    shown = LIST_LINES if s.line.item else SECTION_LINES  # a list (the menu) whole, short lines each
    for line in same[start : start + shown]:
        if picked and size + len(line.text) > SECTION_CHARS:
            break
        picked.append(line.text)
        size += len(line.text)
    if s.line.text not in picked:
        picked = [s.line.text]
    titled = _line_text(s, language)  # the section's title goes before its first line
    return "\n".join([titled.removesuffix(s.line.text) + picked[0], *picked[1:]])


def _part(
    attribute: str,
    ranked: list[Scored],
    terms: dict[str, float],
    language: str,
    index: Index | None = None,
    cues: tuple[str, ...] = (),
) -> Part:
    """The best line for one attribute (or none), with its confidence and problem."""
    part = Part(attribute)
    if not ranked:
        part.problem = Sentence("ai_nothing_known")
        return part
    best = ranked[0]
    needs = (
        0.6
        if attribute and BY_NAME[attribute].evidence is None and not BY_NAME[attribute].words
        else 1.0
    )
    if (attribute and best.fit < needs) or best.cover < MIN_COVER:
        stated = [s for s in ranked[:40] if s.fit >= needs or not attribute]
        if stated and stated[0].cover >= MIN_COVER:
            best = stated[0]
        elif covered := [s for s in stated if s.cover >= MIN_COVER]:
            best = covered[0]
    if attribute and best.fit < needs:
        part.problem = Sentence(
            "ai_no_line_states",
            what=_label(attribute, "en"),
            what_th=_label(attribute, "th"),
            about=_named(terms),
        )
        return part
    if best.cover < MIN_COVER:
        part.problem = Sentence("ai_not_covered", about=_named(terms), closest=best.line.title)
        return part
    mine = _values(attribute, f"{best.line.text} {best.line.title}")  # its title may state it
    rival = next(
        (
            s
            for s in ranked[1:40]
            if s.line.title != best.line.title
            and s.fit >= best.fit
            and _different(_values(attribute, s.line.text), mine)
            and s.cover >= best.cover - 0.05
        ),
        None,
    )
    gap = best.total - rival.total if rival else 1.0
    runner = next(
        (
            s
            for s in ranked[1:40]
            if s.line.text != best.line.text
            and s.fit >= 1.0
            and (_values(attribute, s.line.text) != mine or not mine)
        ),
        None,
    )
    closeness = best.total - runner.total if runner else 1.0
    if (
        rival is not None
        and gap < RIVAL_GAP
        and attribute
        and BY_NAME[attribute].evidence is not None
        and BY_NAME[attribute].per_entity
    ):
        part.problem = Sentence(
            "ai_which_one",
            about=_named(terms),
            first=_title_part(best.line.title, "en"),
            second=_title_part(rival.line.title, "en"),
        )
        return part
    school_wide = bool(attribute) and not BY_NAME[attribute].per_entity
    margin = min(1.0, 0.6 + 4 * gap, CLOSE_BASE + 3 * closeness if school_wide else 1.0)
    own_cue = not cues or any(cue in best.line.lowered for cue in cues)
    named = [t for t, w in terms.items() if w >= ENTITY_WEIGHT]
    about = (  # not a passing mention on another page (there is one about it)
        is_about(named, best.line, index)
        or (set(named) <= index.entity_words and not index.about_anywhere(named))
        if index is not None
        else all(t in best.line.context for t in named)
    )
    part.confidence = round(
        min(1.0, best.cover)
        * (1.0 if best.fit >= 1 else 0.85)
        * margin
        * (1.0 if attribute else NOTHING_ASKED)
        * (1.0 if own_cue else 0.85)
        * (1.0 if about else PASSING_MENTION),
        4,
    )
    part.signals = {
        "cover": min(1.0, best.cover), "fit": best.fit, "gap": min(1.0, gap), "closeness": min(1.0, closeness),
        "own_cue": float(own_cue), "about": float(about), "quoted": float(language not in best.line.languages),
        "total": best.total, "foreign": best.foreign, "line_len": float(len(best.line.text)),
        "margin": margin, "item": float(bool(best.line.item)), "label": float(bool(best.line.label)),
    }
    part.text, part.source = _line_text(best, language), _source(best)
    rows = _same_rows(best, ranked) if attribute in LISTED else []
    if rows:  # "Tuesday · Fresh Pasta Day" and "Friday · Fresh Pasta Day": both days
        part.text = "\n".join([part.text, *(s.line.text for s in rows)])
        part.source["text"] = f"{best.line.heading}\n{part.text}"
    listed = attribute and BY_NAME[attribute].evidence is None and attribute in heading_names(best.line.heading.split(" › ")[-1])
    if index is not None and (needs < 1.0 or not attribute or listed):  # a list under "What you take home"
        part.text = _section(best, index, language) if index is not None else part.text
        part.source["text"] = f"{best.line.heading}\n{part.text}"  # every line quoted grounds it
    if language not in best.line.languages:  # only the school's other-language page says it
        part.text = f"{QUOTING.get(language, QUOTING['en'])} “{part.text}”"
    return part


def _same_rows(best: Scored, ranked: list[Scored]) -> list[Scored]:
    """Other rows of the best row's table that name the same thing just as well and state the
    asked attribute: a timetable lists a class once per day."""
    if not best.line.label:
        return []
    return [
        s
        for s in ranked[1:40]
        if s.line.source == best.line.source
        and s.line.heading == best.line.heading
        and s.line.label
        and s.fit >= 1
        and s.cover >= best.cover - 0.01
        and s.line.text != best.line.text
    ][:SAME_ROWS]


def _from_record(fact: RecordFact) -> Part:
    return Part(
        fact.attribute,
        fact.text,
        {
            "source": fact.source,
            "chunk": 0,
            "score": 1.0,
            "title": fact.about or fact.source,
            "text": fact.text,
        },
        RECORD_CONFIDENCE,
        record=True,
    )


def answer_parts(
    question: str, hits: list[Hit], language: str, index: Index, record: Record
) -> tuple[list[Part], Ask, float, str]:
    """The parts of the answer (one per asked attribute), the ask, the missing-word share, and
    a reason when the question cannot be answered at all."""
    ask = read_question(question)
    attributes = normalise(ask.attributes)
    rest = ask.rest + "".join(
        f" {_title_part(title, language)}"
        for code, title in index.codes.items()
        if code in question.lower()
    )
    terms = weights(rest, index)
    ask = Ask(
        attributes, rest, ask.money, any(w >= ENTITY_WEIGHT for w in terms.values()), ask.cues
    )
    counted = {t: w for t, w in terms.items() if w >= OTHER_WEIGHT}
    missing = [t for t in counted if not index.knows(t)]
    share = sum(counted[t] for t in missing) / sum(counted.values()) if counted else 0.0
    school_wide = bool(attributes) and not any(BY_NAME[a].per_entity for a in attributes)
    if share >= (SCHOOL_MISSING_LIMIT if school_wide else MISSING_LIMIT):
        return (
            [],
            ask,
            share,
            Sentence("ai_covered_nowhere", about=" ".join(missing)),  # the nearest document is not about it
        )
    record_facts = facts_of_record(record, ask, language) if attributes else {}
    needed = [a for a in attributes if a not in record_facts]
    if (
        attributes
        and not ask.named
        and any(BY_NAME[a].per_entity for a in needed)
        and not record_facts
    ):
        parts, problem = _unnamed_parts(ask, needed, terms, index, hits, language)
        return parts, ask, share, problem
    parts = {a: _from_record(f) for a, f in record_facts.items()}
    if len(needed) > 1:
        joint = rank(ask, tuple(needed), terms, index, hits, language, _naming(ask, needed))
        whole = (
            _part(needed[0], [s for s in joint if s.fit >= 1], terms, language)
            if joint and joint[0].fit >= 1
            else None
        )
        if whole is not None and not whole.problem:
            for a in needed:
                parts[a] = whole if a == needed[0] else Part(a, "", whole.source, whole.confidence)
            needed = []
    for a in needed:
        parts[a] = _part(
            a,
            rank(ask, (a,), terms, index, hits, language, _naming(ask, [a])),
            terms,
            language,
            index,
            tuple(c for n, c in ask.cues if n == a),
        )
    if not attributes:
        parts[""] = _part("", rank(ask, (), terms, index, hits, language), terms, language, index)
    ordered = [parts[a] for a in (attributes or ("",))]
    return ordered, ask, share, ""


def _naming(ask: Ask, attributes: list[str]) -> bool:
    """Do other things a line names count against it? Only when the question names a thing and
    asks what differs per thing: the deposit line may name the classes paid in full instead."""
    return ask.named and any(BY_NAME[a].per_entity for a in attributes)


def _unnamed_parts(
    ask: Ask,
    needed: list[str],
    words: dict[str, float],
    index: Index,
    hits: list[Hit],
    language: str,
) -> tuple[list[Part], str]:
    """A question that names no course ("opening hours?", "how much is a private class?",
    "I'm vegetarian, can I join?"): the school's own line when one stands out, the words of its
    topic cues ("private") naming what it is about; "which one?" when several lines state
    different values about as well (every course's price)."""
    topics = [a for a in needed if BY_NAME[a].evidence is None and BY_NAME[a].words]
    asked = [a for a in needed if a not in topics] or topics
    terms = dict(words)
    terms |= {t: OTHER_WEIGHT for n, c in ask.cues if n in asked for t in tokens(c, index.corpus)}
    terms |= {t: ENTITY_WEIGHT for n, c in ask.cues if n not in asked for t in tokens(c, index.corpus)}
    parts: list[Part] = []
    for a in asked:
        ranked = [s for s in rank(ask, (a,), terms, index, hits, language, False) if s.fit >= 1]
        best = ranked[0] if ranked else None
        mine = _values(a, best.line.text) if best else frozenset()
        close = [
            s
            for s in ranked[1:]
            if s.total >= best.total - UNNAMED_GAP
            and s.cover >= best.cover  # a line covering less of the question ("card fee") is no rival
            and mine
            and _values(a, s.line.text) != mine
        ]
        if best is None or close or best.cover < MIN_COVER:
            return [], Sentence("ai_which_thing", what=_label(a, "en"), what_th=_label(a, "th"))
        part = _part(a, ranked, terms, language, index, tuple(c for n, c in ask.cues if n == a))
        part.confidence = round(part.confidence * UNNAMED_FACTOR, 4)
        parts.append(part)
    return parts, ""


def unknown_factor(ask: Ask, words: list[str], index: Index) -> float:
    """Less sure when the customer uses a specific word the knowledge base never does: a long
    Thai word (แฟรนไชส์, ไวไฟ), a cue phrase (สนามบิน) or a longer English word. `words`: the
    question's words as the index reads them (`question_words`), cut once by the caller."""
    factor = 1.0
    for attribute, cue in ask.cues:
        if (
            BY_NAME[attribute].evidence is None
            and cue in BY_NAME[attribute].strong
            and " " not in cue
            and not index.knows(cue)
            and len(cue) >= 4
        ):
            factor *= UNKNOWN_CUE
    english = 0
    for t in words:
        if YEAR.fullmatch(t) and not index.knows(t):  # "the price in 2028": no document speaks of that year
            factor *= UNKNOWN_THAI
        if index.knows(t) or t[0].isdigit() or t in GENERIC:
            continue
        if "\u0e00" <= t[0] <= "\u0e7f":
            factor *= UNKNOWN_THAI if len(t) >= 4 else 1.0
        elif len(t) >= 3 and english < 2:
            factor *= UNKNOWN_ENGLISH
            english += 1
    return factor


def offline_answer(
    question: str,
    hits: list[Hit],
    language: str,
    index: Index,
    record: Record,
    name: str = "",
) -> Outcome:
    """The answer (empty text: hand off, with the reason) from the record and the documents."""
    question = question.translate(ACCENTS)  # read as the index is: "éclair" and "eclair" are one word
    parts, ask, share, reason = answer_parts(question, hits, language, index, record)
    guessed = {a for a in ask.attributes if all(c in BY_NAME[a].weak for n, c in ask.cues if n == a)}
    parts = [p for p in parts if not (p.problem and p.attribute in guessed)] or parts  # a weak cue's ask, unanswered: not asked
    sources = [p.source for p in parts if p.source]
    sources = [s for i, s in enumerate(sources) if s not in sources[:i]]
    if reason:
        return Outcome("", 0.0, sources or source_dicts(hits[:1]), reason, parts, ask.attributes)
    if LIST_ASKED.search(question) and all(p.source for p in parts):  # one line of one course: half a list
        closest = str(parts[0].source.get("title") or parts[0].source.get("source") or "")
        return Outcome("", 0.0, sources, Sentence("ai_list_asked", closest=closest), parts, ask.attributes)
    failed = [p for p in parts if p.problem]
    if failed:
        found = [p for p in parts if not p.problem]
        if found:
            reason = Sentence(
                "ai_half_answer",
                found=", ".join(_label(p.attribute, "en") for p in found),
                found_th=", ".join(_label(p.attribute, "th") for p in found),
                missing=", ".join(_label(p.attribute, "en") for p in failed),
                missing_th=", ".join(_label(p.attribute, "th") for p in failed),
            )
        else:
            reason = failed[0].problem
        return Outcome(
            "",
            min((p.confidence for p in found), default=0.0),
            sources or source_dicts(hits[:1]),
            reason,
            parts,
            ask.attributes,
        )
    words = question_words(ask.rest, index)
    unknown_share = unknown_factor(ask, words, index)
    score = round(min(p.confidence for p in parts) * (1 - share) * unknown_share, 4)
    unknown = [t for t in words if not index.knows(t) and not t[0].isdigit() and t not in GENERIC]
    body = [p.text for p in parts if p.text]
    body = [t for i, t in enumerate(body) if t not in body[:i]]
    greeting = OPENING.get(language, OPENING["en"])
    if name and language == "en":
        greeting = f"Thanks for your question, {name}!"
    text = "\n".join([greeting, *body, CLOSING.get(language, CLOSING["en"])])
    outcome = Outcome(text, score, sources, "", parts, ask.attributes, unknown)
    read = [p for p in parts if p.signals]  # read from a document (a part shared by two asks is read once)
    outcome.signals = min(read, key=lambda p: p.confidence, default=Part("")).signals | {
        "share": share, "unknown": unknown_share, "parts": float(len(parts)), "score": score,
        "words": float(len(words)), "unknown_words": float(len(unknown)),
        "record_parts": float(sum(p.record for p in parts)), "thai": float(language == "th"),
    }
    if outcome.documents:  # a facts-of-record answer keeps the responder's score
        outcome.confidence = calibrated(likely_right(outcome.signals, outcome.asked))
    return outcome

