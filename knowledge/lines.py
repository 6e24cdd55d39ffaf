"""Every line of the knowledge base, read once per knowledge-base version.

The index holds each line (a paragraph line, a list item, a table row, or a sentence of a long
paragraph) with its document's title and heading path. Its *entity vocabulary* — the words of
the documents' titles and headings, table row labels and list labels ("Sushi (5 days): …") and
the catalog's names and codes — is what tells the words that name a course or a product from
the rest of a question; nothing is written per school. `knowledge.ranking` scores the lines for
one ask; `knowledge.question_terms` reads what the question names.
"""

import re
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache

from knowledge.asks import BY_NAME, GENERIC, read_question, states
from knowledge.chunk import HEADING_SEPARATOR, thai_words
from knowledge.embed import ENGLISH_STOP, stem
from knowledge.glossary import equivalents, other_era, pattern
from knowledge.words import (
    SHORT_SOUND,
    fold,
    length_term,
    lengths,
    romanised,
    sound_of,
    sounds_like,
    tokens,
)
from models.ai_rules import detect_language

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s*)")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_SENTENCES = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z\"'(])")
_LABEL = re.compile(r"^([^:：]{2,60})[:：]\s")
_THAI_WORD = re.compile(r"[\u0E00-\u0E7F]{3,}.*[\u0E00-\u0E7F]{3,}")  # two Thai words: a Thai reader's line
_CODE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")
EXTRA = re.compile(  # an extra beside a course's price, or the customer asking about one
    r"\b(?:extra|add-on|guests?|retake|re-sit|surcharge|partner)\b|\+\s?฿?\d[\d,]*\s*(?:baht|บาท|thb)|ผู้ติดตาม|แฟน"
)
TOPIC_WORDS = 16  # a line's first characters that say what it is about ("จอดรถฟรีหลัง 18:00 น.")
LONG_LINE = 260  # an English paragraph line longer than this is cut into sentences


def clean(unit: str) -> str:
    """A line without its Markdown: "| Sushi | 3 days | 12,900 |" → "Sushi · 3 days · 12,900"."""
    unit = _MARKUP.sub("", unit)
    if "|" in unit:
        unit = " · ".join(
            cell.strip() for cell in unit.strip().strip("|").split("|") if cell.strip()
        )
    return re.sub(r"\*\*|__|`", "", unit).strip()


@dataclass
class Line:
    source: str
    chunk: int
    title: str  # the document's title
    heading: str  # the heading path ("Title › Section")
    text: str
    language: str
    lowered: str = ""
    context: str = ""  # heading and title, lower-cased
    label: str = ""  # a table row's or list item's first cell / label
    position: int = 0  # its place under its heading (0: the section's first line)
    languages: frozenset[str] = frozenset()  # whom it can answer: a mixed line serves both
    item: bool = False  # a list item ("- Har gow", "2. Siu mai")
    matters: frozenset[str] = frozenset()  # the school matters its label or first words name ("Parking: …")
    extra: bool = False  # it prices an extra: a guest's lunch, a retake, "+฿100"
    said: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)  # `says`, filled on use

    def says(self, attribute: str) -> bool:
        """Does the line state the attribute (`asks.states`)? Read once: every question asks again."""
        held = self.said.get(attribute)
        if held is None:
            held = self.said[attribute] = states(attribute, self.text)
        return held

    def __post_init__(self) -> None:
        self.lowered = fold(self.text)
        self.context = fold(f"{self.heading}\n{self.title}")
        self.languages = frozenset({self.language} | ({"th"} if _THAI_WORD.search(self.text) else set()))
        named = heading_names(self.label) | heading_names(self.text[:TOPIC_WORDS])
        self.matters = frozenset(t for t in named if BY_NAME[t].matter)
        self.extra = EXTRA.search(self.lowered) is not None


@dataclass
class Index:
    lines: list[Line]
    entity_words: set[str]  # words of titles, headings, labels and catalog names
    name_words: set[str] = field(
        default_factory=set
    )  # words of titles, labels and catalog names only
    corpus: str = ""  # every line, lower-cased
    codes: dict[str, str] = field(default_factory=dict)  # code → the title it belongs to
    title_words: dict[str, set[str]] = field(default_factory=dict)  # source → its title's words
    line_tokens: dict[int, list[str]] = field(
        default_factory=dict
    )  # id(line) → its words (filled on use)
    english: frozenset[str] = frozenset()  # every English word of the corpus, as `tokens` stems it
    latin_names: dict[str, str] = field(default_factory=dict)  # `sound_of` of a Latin name (word or two) → it
    thai_names: dict[str, str] = field(default_factory=dict)  # `sound_of` of a romanised Thai name word → it
    aliases: dict[str, "Alias"] = field(default_factory=dict)  # a question's word → its equivalents (filled on use)
    heard: dict[str, "Alias"] = field(default_factory=dict)  # this question's own additions (`also`)
    heading_tokens: dict[str, list[str]] = field(default_factory=dict)  # heading path → its words (filled on use)
    lengths: frozenset[tuple[float, str]] = frozenset()  # every length the documents name ("5-day")
    contexts: tuple[str, ...] = ()  # each line's heading and title, once each
    context_stated: dict[tuple[str, str], bool] = field(default_factory=dict)  # `context_states`, filled on use
    latin_heard: dict[tuple[str, int, float], tuple[str, ...]] = field(default_factory=dict)  # `sounds_latin`, filled on use

    def knows(self, word: str) -> bool:
        """Does the knowledge base use this word, or one meaning the same (`alias`)? Thai
        anywhere in the text (no spaces between words); English as a whole word ("cat" is not
        in "certificate")."""
        return self.uses(word) or any(self.uses(w) for w in self.alias(word).words)

    def uses(self, word: str) -> bool:
        """Does the knowledge base itself write this word?"""
        if length := length_term(word):  # a length: any course of it
            return not length.isdisjoint(self.lengths)
        if not word or "\u0e00" <= word[0] <= "\u0e7f" or word[0].isdigit() or " " in word:
            return word in self.corpus
        return _loose(word) in self.english

    def alias(self, term: str) -> "Alias":
        """What else states a question's word: its trade equivalents (`knowledge.glossary`) and,
        for a Thai word, a course name in Latin letters that sounds like it (ติ่มซำ → dim sum)."""
        held = self.heard.get(term) or self.aliases.get(term)
        if held is None:
            words = [*equivalents(term), *other_era(term)]
            if term and "\u0e00" <= term[0] <= "\u0e7f":
                words += sounds_like(romanised(term), self.latin_names, 2)
            elif term.isascii() and term.isalpha():
                words += sounds_like(sound_of(term), self.thai_names, 2)
            found = tuple(w for w in words if self.uses(w) or " " in w and w in self.corpus)
            held = self.aliases[term] = Alias(
                found, pattern(found) if found else None, frozenset(t for w in found for t in tokens(w))
            )
        return held

    def also(self, term: str, words: list[str]) -> None:
        """More words stating this question's word (a Thai name two English words sound like),
        for this question only: what a later question can match never depends on earlier ones."""
        held = self.alias(term)
        found = tuple(dict.fromkeys([*held.words, *words]))
        self.heard[term] = Alias(found, pattern(found), frozenset(t for w in found for t in tokens(w)))

    def about(self, named: list[str], context: str) -> bool:
        """Is the page or section with this heading and title about every thing named?"""
        return all(self.states(t, context) for t in named)

    def about_anywhere(self, named: list[str]) -> bool:
        """Is any page or section about every thing named?"""
        return any(self.about(named, context) for context in self.contexts)

    def for_question(self) -> "Index":
        """A view for one question: the caches are shared, the question's own additions are not."""
        return replace(self, heard={})

    def sounds_latin(self, heard: str, n: int, cutoff: float = 0.0) -> list[str]:
        """`sounds_like` over the school's Latin names, kept: customers' Thai words recur from
        question to question, and each comparison runs over every name."""
        key = (heard, n, cutoff)
        held = self.latin_heard.get(key)
        if held is None:
            held = self.latin_heard[key] = tuple(sounds_like(heard, self.latin_names, n, cutoff))
        return list(held)

    def context_states(self, term: str, context: str) -> bool:
        """`states` for a line's heading and title, which many lines share: read once for all
        of them (not kept for a word this question added equivalents to, `also`)."""
        if term in self.heard:
            return self.states(term, context)
        held = self.context_stated.get((term, context))
        if held is None:
            held = self.context_stated[(term, context)] = self.states(term, context)
        return held

    def states(self, term: str, text: str) -> bool:
        """Does this lower-cased text state the question's word, or one meaning the same? A
        length ("5 วัน") is stated in any of its forms ("5-day", "five days", "5 วัน")."""
        if re.search(rf"(?<![\d,.]){term}(?![\d,]|\.\d)", text) if term.isdigit() else term in text:
            return True  # a number whole: "4" is not in "14 days"
        if length := length_term(term):
            return not length.isdisjoint(lengths(text))
        found = self.alias(term).pattern
        return found is not None and found.search(text) is not None


@dataclass(frozen=True)
class Alias:
    words: tuple[str, ...]  # equivalents the knowledge base uses
    pattern: "re.Pattern[str] | None"  # finds any of them in a line
    tokens: frozenset[str]  # their words, as `tokens` cuts them


def _loose(word: str) -> str:
    """A word's stem without a final e, so "drive", "driving" and "drives" are one word."""
    word = stem(word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


_QUESTION = re.compile(r"^(?:Q|ถาม|คำถาม)\s*[:.：]\s*(.+)$")  # "Q: Gluten-free?", "ถาม: …"
_ANSWER = re.compile(r"^\s*(?:\*\*)?(?:A|ตอบ|คำตอบ)\s*[:.：]\s*(?:\*\*)?\s*")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+•]\s|\d+[.)]\s|>|\||[A-Za-z\u0E00-\u0E7F ]{1,30}[:：]\s)")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _is_attribute(cell: str) -> bool:
    return bool(read_question(cell).attributes)


def _table(block: list[str], headers: dict[str, list[str]], source: str) -> list[str]:
    """A table's lines. Courses as rows (the usual way) stay rows. Courses as columns — a blank
    first header cell, or attribute names down the first column ("Price", "Length") and not
    across the top — become one line per course and attribute: "Pizza Pro (4 days) — Price:
    THB 18,900 per person", so a line states one course's value."""
    rows = [_cells(r) for r in block if not _TABLE_RULE.match(r)]
    if len(block) > 1 and _TABLE_RULE.match(block[1]):
        headers[source] = rows[0]
        header, body = rows[0], rows[1:]
    elif source in headers and len(headers[source]) == len(rows[0]):
        header, body = headers[source], rows  # the rest of a table the chunk before began
    else:
        return block
    if not body or len(header) < 2:
        return block
    down = sum(_is_attribute(r[0]) for r in body if r)
    across = sum(_is_attribute(c) for c in header[1:])
    if len(header) == 2 or header[0] and not (down > len(body) / 2 and across < (len(header) - 1) / 2):
        return [  # the usual way: each row says what its cells are ("Fee: 3,500")
            "| " + " | ".join([row[0], *(f"{h}: {c}" if h and c else c for h, c in zip(header[1:], row[1:], strict=False))]) + " |"
            for row in body
            if row and any(row)
        ]
    return [
        f"{name} — {row[0]}: {row[j]}" if row[0] else f"{name}: {row[j]}"
        for j, name in enumerate(header[1:], start=1)
        if name
        for row in body
        if j < len(row) and row[j]
    ]


def _paragraphs(body: str, headers: dict[str, list[str]], source: str) -> list[str]:
    """The body's lines, with a paragraph hard-wrapped over several lines joined back into one
    ("… is not a shorter version of it and / does not count …" is one sentence), and a table
    whose columns are the courses turned into one line per course (`_table`)."""
    out: list[str] = []
    block: list[str] = []
    for raw in [*body.splitlines(), ""]:
        if raw.lstrip().startswith("|"):
            block.append(raw)
            continue
        if block:
            out += [*_table(block, headers, source), ""]
            block = []
        joins = (
            out
            and raw.strip()
            and out[-1].strip()
            and not _BLOCK_START.match(raw)
            and not out[-1].lstrip().startswith(("#", "|"))
        )
        if joins:
            out[-1] = f"{out[-1].rstrip()} {raw.strip()}"
        else:
            out.append(raw)
    return out


_MID_SENTENCE = re.compile(r"[A-Za-z0-9,]$")  # a Latin line that stops before its sentence ends


def _stitched(chunks: list[tuple[str, int, str, str | None]]) -> list[tuple[str, int, str, str | None]]:
    """The chunks in order, with a chunk the chunker cut inside a hard-wrapped sentence ("The
    balance is due 21" | "days before …") joined to the next one of its section, less the
    overlap the next one repeats: a sentence is read whole, never half in each chunk."""
    out: list[tuple[str, int, str, str | None]] = []
    for source, ordinal, text, title in sorted(chunks, key=lambda c: (c[0], c[1])):
        if out and out[-1][0] == source:
            before = out[-1][2]
            heading, _, body = text.partition("\n")
            if body and before.partition("\n")[0] == heading and _MID_SENTENCE.search(before.rstrip()):
                repeated = next((k for k in range(min(len(before), len(body)), 0, -1) if before.endswith(body[:k])), 0)
                out[-1] = (source, out[-1][1], f"{before}\n{body[repeated:].lstrip()}".rstrip(), out[-1][3])
                continue
        out.append((source, ordinal, text, title))
    return out


def build_index(
    chunks: list[tuple[str, int, str, str | None]], names: list[str] = (), codes_of_record: list[str] = ()
) -> Index:
    """The index of (source, ordinal, chunk text, document title) rows, plus catalog names (and
    the record's codes, which the customer may write: words the school uses, not names)."""
    lines: list[Line] = []
    corpus = fold("\n".join([*(c[2] for c in chunks), *names, *codes_of_record]))
    seen: set[tuple[str, str]] = set()
    names = list(names)
    strict = list(
        names
    )  # titles, labels, catalog names: what names a thing (not "Fee and schedule")
    codes: dict[str, str] = {}
    title_words: dict[str, set[str]] = {}
    headers: dict[str, list[str]] = {}  # each document's last table header
    for source, ordinal, text, title in _stitched(chunks):
        heading, _, body = text.partition("\n")
        if not body:
            heading, body = "", heading
        title = title or heading.split(HEADING_SEPARATOR)[0]
        names += [title, *heading.split(HEADING_SEPARATOR)]
        strict.append(title)
        title_words.setdefault(source, set(tokens(title, corpus)))
        for code in _CODE.findall(title):
            codes[code.lower()] = title
        asked = ""  # an FAQ's question line: the heading of the answer under it
        for raw in _paragraphs(body, headers, source):
            if _TABLE_RULE.match(raw):
                continue
            if not raw.strip():
                asked = ""
            if (q := _QUESTION.match(clean(raw))) is not None:
                asked = q.group(1)
                continue
            raw = _ANSWER.sub("", raw)
            here = f"{heading}{HEADING_SEPARATOR}{asked}" if asked else heading
            for unit in (
                _SENTENCES.split(raw)
                if len(raw) > LONG_LINE and not re.search(r"[\u0E00-\u0E7F]", raw)
                else [raw]
            ):
                line = clean(unit)
                if (
                    len(line) < 3
                    or (source, line) in seen
                    or any(
                        line in other for s, other in seen if s == source and len(other) > len(line)
                    )
                ):
                    continue
                seen.add((source, line))
                label = ""
                if "|" in unit:
                    label = line.split(" · ")[0]
                    names += [  # a course named in a table's cell ("Class: Tiramisu & Dolci")
                        cell.split(": ")[-1] for cell in line.split(" · ")[1:] if not re.search(r"\d", cell)
                    ]
                elif (m := _LABEL.match(line)) is not None:
                    label = m.group(1)
                names.append(label)
                strict.append(label)
                position = sum(
                    1
                    for other in lines[-12:]
                    if other.source == source and other.heading == here
                )
                lines.append(
                    Line(
                        source,
                        ordinal,
                        title,
                        here,
                        line,
                        detect_language(line),
                        label=label,
                        position=position,
                        item=bool(_ITEM.match(unit)),
                    )
                )
    # one-word cues are not names ("price"); the words of longer cues ("take the food") may be
    cue_words = {t for a in BY_NAME.values() for cue in (*a.strong, *a.weak) if " " not in cue for t in tokens(cue, corpus)}
    entity = (
        {t for name in names if name for t in tokens(name, corpus)}
        - cue_words
        - {stem(g) for g in GENERIC}
        - GENERIC
    )
    name_words = {t for name in strict if name for t in tokens(name, corpus)} & entity
    english = frozenset(
        _loose(part) for raw in re.findall(r"[a-z][a-z'-]*[a-z]", corpus) for part in raw.split("-")
    )
    return Index(
        lines,
        {t for t in entity if not t.isdigit()},
        name_words,
        corpus,
        codes,
        title_words,
        english=english,
        latin_names=_latin_names(entity, names),
        thai_names=_thai_names(names),
        lengths=lengths(corpus),
        contexts=tuple(dict.fromkeys(line.context for line in lines)),
    )


def _thai_names(names: list[str]) -> dict[str, str]:
    """How the Thai words of the school's names sound, romanised: a word, or a run of the word
    cutter's pieces ("ทัน|ดู|รี" is ทันดูรี, tandoori)."""
    out: dict[str, str] = {}
    for run in sorted({r for name in names if name for r in re.findall(r"[\u0E00-\u0E7F]{3,}", name)}):
        pieces = thai_words(run)
        for size in (1, 2, 3, 4):
            for i in range(len(pieces) - size + 1):
                word = "".join(pieces[i : i + size])
                if len(word) >= 3 and word not in GENERIC and len(heard := romanised(word)) >= SHORT_SOUND - 1:
                    out.setdefault(heard, word)
    return out


def _latin_names(entity: set[str], names: list[str]) -> dict[str, str]:
    """How the Latin words of the school's names sound (`sound_of`), one word or two ("dim sum"):
    what a customer writing them in Thai is heard as."""
    out = {sound_of(t): t for t in sorted(entity) if len(t) >= 4 and t.isascii() and t.isalpha()}
    for name in names:
        words = [w for w in re.findall(r"[a-z]+", fold(name or "")) if w not in ENGLISH_STOP]
        for a, b in zip(words, words[1:], strict=False):
            if len(heard := sound_of(a + b)) >= 5 and heard not in out:
                out[heard] = f"{a} {b}"
    return out


@lru_cache(maxsize=8192)
def heading_names(heading: str) -> frozenset[str]:
    """The attributes a heading names ("Parking", "ค่าเรียน"): read once per heading."""
    return frozenset(read_question(heading).attributes)


def heading_tokens(line: Line, index: Index) -> list[str]:
    """The words of the line's heading path, cut once per heading."""
    held = index.heading_tokens.get(line.heading)
    if held is None:
        held = index.heading_tokens[line.heading] = tokens(line.heading, index.corpus)
    return held


def line_tokens(line: Line, index: Index) -> list[str]:
    held = index.line_tokens.get(id(line))
    if held is None:
        held = index.line_tokens[id(line)] = tokens(line.text, index.corpus)
    return held


_indexes: dict[tuple, Index] = {}
_lock = threading.Lock()


def cached_index(version: tuple, load: "callable") -> Index:  # type: ignore[valid-type]
    """The index of this knowledge-base version (`load()` builds it once per version)."""
    with _lock:
        held = _indexes.get(version)
    if held is None:
        held = load()
        with _lock:
            _indexes.clear()
            _indexes[version] = held
    return held.for_question()
