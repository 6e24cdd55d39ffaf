"""Every line of the knowledge base, and the one that states the asked attribute of the asked
thing.

The index holds each line (a paragraph line, a list item, a table row, or a sentence of a long
paragraph) with its document's title and heading path, built once per knowledge-base version.
Its *entity vocabulary* — the words of the documents' titles and headings, table row labels and
list labels ("Sushi (5 days): …") and the catalog's names and codes — is what tells the words
that name a course or a product from the rest of a question; nothing is written per school.

A line's score for an ask (see `knowledge.asks`):
- `cover`: how much of what the question names (its words outside the cue phrases, weighted:
  entity words count, other words a little) the line states, or its heading or title (a fee
  line under "Sushi course › Fee" is about the sushi course);
- `fit`: whether the line states each asked attribute (a price, a time, a date … — or its
  heading names the attribute, "Parking");
- `foreign`: names of *other* things in the line (a package line that also names the ramen
  course is not the answer to the sushi course's price);
- the retrieval's score of the line's chunk, a little.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher, get_close_matches
from functools import lru_cache

from pythainlp.corpus import thai_words as thai_dictionary
from pythainlp.transliterate import romanize

from knowledge.asks import BY_NAME, GENERIC, POSTCODE, Ask, gives_contact, read_question, states
from knowledge.chunk import HEADING_SEPARATOR, thai_words
from knowledge.embed import ENGLISH_STOP, THAI_STOP, stem
from knowledge.glossary import (
    english_months,
    equivalents,
    full_years,
    months_named,
    other_era,
    pattern,
    phrases_in,
)
from knowledge.search import Hit
from models.ai_rules import detect_language

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s*)")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_SENTENCES = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z\"'(])")
_LABEL = re.compile(r"^([^:：]{2,60})[:：]\s")
_RUN = re.compile(r"[\u0E00-\u0E7F]+|[a-z][a-z'-]*[a-z]|[a-z]|\d+(?:[.,:]\d+)*")
_THAI_WORD = re.compile(r"[\u0E00-\u0E7F]{3,}.*[\u0E00-\u0E7F]{3,}")  # two Thai words: a Thai reader's line
_CODE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")
LONG_LINE = 260  # an English paragraph line longer than this is cut into sentences
ENTITY_WEIGHT, OTHER_WEIGHT, GENERIC_WEIGHT, NUMBER_WEIGHT = 1.0, 0.35, 0.1, 0.6
TITLE_MATCH = 0.8  # a word in the heading or title, not in the line itself
FOREIGN_EACH, FOREIGN_CAP = 0.08, 0.3
HEADING_BONUS = 0.15
CUE_BONUS = 0.15  # the line uses the customer's own cue ("airport"), in either language
FIGURE_BONUS = 0.1  # a deposit or refund line stating its figure (30 %, ฿2,000, 10 days)
_FIGURE = re.compile(r"\d+\s?%|\d{1,3}(?:,\d{3})+|\d+\s*(?:baht|บาท|thb|(?:working |business )?days?|วัน|weeks?|สัปดาห์)|฿\s?\d", re.I)
POSITION_STEP = 0.005  # earlier lines of a section first, other things equal
OTHER_LANGUAGE = 0.12  # a line in the other language answers only when none in the customer's does


_PARTICLES = re.compile("ครับ|ค่ะ|คะ|ไหม|มั้ย|ไหน|บ้าง|หน่อย|เท่าไหร่|เท่าไร|ยังไง|อย่างไร|อะไร|นะคะ|นะครับ|จ้า")
MORE_STOP = frozenset(
    [
        "many",
        "much",
        "what's",
        "it's",
        "i'm",
        "i've",
        "can't",
        "don't",
        "won't",
        "isn't",
        "doesn't",
        "there's",
        "somewhere",
        "something",
        "anything",
        "he",
        "she",
        "him",
        "his",
        "her",
        "they",
        "them",
        "their",
    ]
)
TINY_PIECE = 2  # Thai pieces this short may be parts of one word

_ACCENTED = (chr(c) for c in range(0xC0, 0x250))
ACCENTS = str.maketrans(
    {c: base for c in _ACCENTED if (base := unicodedata.normalize("NFKD", c)[0]) != c and base.isascii() and base.isalpha()}
)  # Latin letters without their accents, one letter for one ("Éclair" → "Eclair"); Thai marks untouched


def fold(text: str) -> str:
    """Lower case without Latin accents: a customer types "eclair" for the school's "Éclair"."""
    return text.lower().translate(ACCENTS)


def tokens(text: str, corpus: str = "") -> list[str]:
    """Content words: Thai dictionary words (pieces of a word the dictionary does not know —
    "รา|เม|ง" — glued back when `corpus` writes them together), stemmed English words, numbers."""
    from knowledge.embed import thai_content_words

    out: list[str] = []
    for run in _RUN.findall(_PARTICLES.sub(" ", fold(text))):
        if run[0].isdigit():
            out.append(run)
        elif "\u0e00" <= run[0] <= "\u0e7f":
            out += _glued([w for w in thai_content_words(run) if w.strip()], corpus)
        else:
            for part in run.split("-"):
                word = stem(part.strip("'"))
                if (
                    part not in ENGLISH_STOP
                    and part not in MORE_STOP
                    and word not in ENGLISH_STOP
                    and len(part) > 1
                ):
                    out.append(word)
    return out


def _glued(pieces: list[str], corpus: str) -> list[str]:
    """A run of tiny pieces is one word the dictionary does not know ("รา|เม|ง") when the
    knowledge base writes them together ("ราเมง"); a short word the knowledge base never uses
    is a stray piece, not a word."""
    out: list[str] = []
    run: list[str] = []
    for piece in [*pieces, ""]:
        if piece and len(piece) <= TINY_PIECE:
            run.append(piece)
            continue
        joined = "".join(run)
        out += [joined] if len(run) > 1 and joined in corpus else run
        run = []
        if piece:
            out.append(piece)
    return [
        w
        for w in out
        if len(w) > 1 and w not in THAI_STOP and (not corpus or len(w) > 3 or w in corpus)
    ]


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

    def __post_init__(self) -> None:
        self.lowered = fold(self.text)
        self.context = fold(f"{self.heading}\n{self.title}")
        self.languages = frozenset({self.language} | ({"th"} if _THAI_WORD.search(self.text) else set()))


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
    latin_names: dict[str, str] = field(default_factory=dict)  # `_sound` of a Latin name (word or two) → it
    thai_names: dict[str, str] = field(default_factory=dict)  # `_sound` of a romanised Thai name word → it
    aliases: dict[str, "Alias"] = field(default_factory=dict)  # a question's word → its equivalents (filled on use)
    heard: dict[str, "Alias"] = field(default_factory=dict)  # this question's own additions (`also`)
    heading_tokens: dict[str, list[str]] = field(default_factory=dict)  # heading path → its words (filled on use)
    lengths: frozenset[tuple[float, str]] = frozenset()  # every length the documents name ("5-day")
    contexts: tuple[str, ...] = ()  # each line's heading and title, once each

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
                words += sounds_like(_romanised(term), self.latin_names, 2)
            elif term.isascii() and term.isalpha():
                words += sounds_like(_sound(term), self.thai_names, 2)
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

    def states(self, term: str, text: str) -> bool:
        """Does this lower-cased text state the question's word, or one meaning the same? A
        length ("5 วัน") is stated in any of its forms ("5-day", "five days", "5 วัน")."""
        if term in text:
            return True
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
    if not body or len(header) < 3:
        return block
    down = sum(_is_attribute(r[0]) for r in body if r)
    across = sum(_is_attribute(c) for c in header[1:])
    if header[0] and not (down > len(body) / 2 and across < (len(header) - 1) / 2):
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
    for run in {r for name in names if name for r in re.findall(r"[\u0E00-\u0E7F]{3,}", name)}:
        pieces = thai_words(run)
        for size in (1, 2, 3, 4):
            for i in range(len(pieces) - size + 1):
                word = "".join(pieces[i : i + size])
                if len(word) >= 3 and word not in GENERIC and len(heard := _romanised(word)) >= SHORT_SOUND - 1:
                    out.setdefault(heard, word)
    return out


def _latin_names(entity: set[str], names: list[str]) -> dict[str, str]:
    """How the Latin words of the school's names sound (`_sound`), one word or two ("dim sum"):
    what a customer writing them in Thai is heard as."""
    out = {_sound(t): t for t in entity if len(t) >= 4 and t.isascii() and t.isalpha()}
    for name in names:
        words = [w for w in re.findall(r"[a-z]+", fold(name or "")) if w not in ENGLISH_STOP]
        for a, b in zip(words, words[1:], strict=False):
            if len(heard := _sound(a + b)) >= 5 and heard not in out:
                out[heard] = f"{a} {b}"
    return out


def question_words(rest: str, index: Index) -> list[str]:
    """A question's words as the index reads them: Thai months and Thai spellings of the
    school's Latin names written as the school writes them."""
    return tokens(full_years(english_months(_latin_spelled(_school_phrases(rest, index), index))), index.corpus)


def _school_phrases(rest: str, index: Index) -> str:
    """A phrase of the glossary the school does not write ("ice cream") in the words it does
    ("gelato"), so the question names what the school names."""
    for phrase in phrases_in(rest):
        if phrase not in index.corpus:
            written = [w for w in equivalents(phrase) if index.uses(w)]
            if written:
                rest = rest.replace(phrase, f" {written[0]} ")
    return rest


def weights(rest: str, index: Index) -> dict[str, float]:
    """The words of a question (its cue phrases removed) that name what it is about, weighted."""
    out: dict[str, float] = {}
    for t in question_words(rest, index):
        if t in GENERIC or stem(t) in GENERIC:
            w = GENERIC_WEIGHT
        elif t[0].isdigit():
            w = NUMBER_WEIGHT
        elif (
            t in index.entity_words
            or (len(t) >= 3 and "\u0e00" <= t[0] <= "\u0e7f" and any(t in e for e in index.entity_words))
            or not index.alias(t).tokens.isdisjoint(index.entity_words)
        ):
            w = ENTITY_WEIGHT
        else:
            w = OTHER_WEIGHT
        out[t] = max(out.get(t, 0.0), w)
    _thai_spelled(list(out), index)
    return _with_lengths(rest, out, index)


_COURSE_BEFORE = re.compile(r"(?:คอร์ส|คลาส|หลักสูตร|course|class|workshop|program|programme)\s*$")
_COURSE_AFTER = re.compile(r"\s*(?:course|class|one|workshop|program|intensive|คอร์ส|คลาส)")
_UNIT_WORDS = frozenset({"day", "week", "hour", "month", "วัน", "สัปดาห์", "ชั่วโมง", "ชม", "เดือน", "half", "ครึ่ง"})


def _with_lengths(rest: str, out: dict[str, float], index: Index) -> dict[str, float]:
    """A length the question names ("คอร์ส 5 วัน", "the 3-day one") is one term, stated by a line
    whose course has that length (`Index.states`), not a number and a "day" found anywhere."""
    lowered = rest.lower()
    for m in _LENGTH.finditer(lowered):
        phrase = m.group(0)
        before, after = lowered[max(0, m.start() - 12) : m.start()], lowered[m.end() : m.end() + 12]
        if not (_COURSE_BEFORE.search(before) or _COURSE_AFTER.match(after) or "-" in phrase):
            continue  # "cancel 20 days before": a span of time, not a course's name
        for t in tokens(phrase, index.corpus):
            if t in out and (t[0].isdigit() or t in _UNIT_WORDS or stem(t) in _UNIT_WORDS):
                del out[t]
        out[phrase] = ENTITY_WEIGHT
    return out


def _thai_spelled(words: list[str], index: Index) -> None:
    """Two English words that together sound like one of the school's Thai names ("dim sum" and
    ติ่มซำ): a Thai line naming it states both."""
    for a, b in zip(words, words[1:], strict=False):
        if a.isascii() and b.isascii() and a.isalpha() and b.isalpha():
            found = sounds_like(_sound(a + b), index.thai_names, 1)
            if found:
                index.also(a, found)
                index.also(b, found)


def _sound(word: str) -> str:
    """A Latin word reduced to how a Thai ear writes it (ph/p, th/t, g/k, r/l, z/s, no doubles),
    so "pizza" and the romanised "พิซซ่า" (phitsa) come out alike."""
    word = word.lower()
    for written, heard in _SOUNDS:
        word = word.replace(written, heard)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", word))


_SOUNDS = (("ph", "p"), ("th", "t"), ("d", "t"), ("kh", "k"), ("sh", "s"), ("ch", "k"), ("c", "k"), ("g", "k"),
           ("j", "k"), ("q", "k"), ("z", "s"), ("x", "ks"), ("v", "w"), ("f", "p"), ("y", "i"), ("r", "l"))  # fmt: skip
SOUNDS_LIKE = 0.8  # how close a romanised Thai word must come to a course's Latin name
SHORT_SOUND, SHORT_SOUNDS_LIKE = 5, 0.85  # a shorter one must come closer ("pata" → pasta)


WORDS_SOUND_LIKE = 0.9  # Thai words of their own ("เดียว|เรียน") heard as a name: nearly the same sound


def sounds_like(heard: str, names: dict[str, str], n: int, cutoff: float = 0.0) -> list[str]:
    """The school's names (a word or two) a word sounds like: a romanised Thai word and the
    Latin names, or an English word and the Thai names. Short sounds must come closer."""
    if len(heard) < SHORT_SOUND - 1:
        return []
    found = get_close_matches(heard, names, n=n + 2, cutoff=max(cutoff, SOUNDS_LIKE))
    return [
        names[m]
        for m in found
        if SequenceMatcher(None, heard, m).ratio()
        >= max(cutoff, SOUNDS_LIKE if min(len(m), len(heard)) >= SHORT_SOUND else SHORT_SOUNDS_LIKE)
    ][:n]


@lru_cache(maxsize=4096)
def _romanised(thai: str) -> str:
    """How a Thai word sounds in Latin letters: a loanword by pythainlp's dictionary of them
    (ชีสเค้ก → cheesecake), any other word by the royal romanisation it falls back to."""
    return _sound(romanize(thai, engine="lookup"))


_DICTIONARY = thai_dictionary()  # words a Thai spelling of a foreign name is cut into are not all in it


def _latin_spelled(rest: str, index: Index) -> str:
    """A course the documents name in Latin letters, written in Thai by the customer
    ("บิรยานี" for Biryani, "เจลาโต้" for Gelato): the Thai spelling becomes the Latin name (and,
    when the school writes that spelling too, its Thai lines state the name). The word cutter
    may split it ("บิร|ยา|นี"), so runs of its pieces are heard whole, longest first."""
    if not index.latin_names:
        return rest
    for run in re.findall(r"[\u0E00-\u0E7F]+", rest):
        pieces = [p for p in thai_words(run) if p.strip()]
        taken = [p in THAI_STOP or p in GENERIC for p in pieces]  # "ขอ", "เรียน" are no one's name
        for size in (4, 3, 2, 1):
            for i in range(len(pieces) - size + 1):
                window = "".join(pieces[i : i + size])
                if any(taken[i : i + size]) or len(window) < 3:
                    continue
                words = size > 1 and all(p in _DICTIONARY for p in pieces[i : i + size])  # "เดียว|เรียน"
                match = sounds_like(_romanised(window), index.latin_names, 1, WORDS_SOUND_LIKE if words else 0.0)
                kept = ""
                if not (match or words) and i and len(pieces[i]) >= 3 and pieces[i - 1] + pieces[i][0] in _DICTIONARY:
                    kept, window = window[0], window[1:]  # "คลา|สมา|กา|รง": the ส is คลาส's, มาการง the name
                    match = sounds_like(_romanised(window), index.latin_names, 1)
                if match:
                    taken[i : i + size] = [True] * size
                    rest = rest.replace(kept + window, f"{kept} {match[0]} ", 1)
                    if window in index.corpus:  # the school writes it in Thai too: those lines state it
                        for t in tokens(match[0]):
                            index.also(t, [window])
    return rest


@dataclass(frozen=True)
class Scored:
    line: Line
    total: float
    cover: float
    fit: float
    foreign: float


@lru_cache(maxsize=8192)
def heading_names(heading: str) -> frozenset[str]:
    """The attributes a heading names ("Parking", "ค่าเรียน"): read once per heading."""
    return frozenset(read_question(heading).attributes)


def attribute_fit(
    attributes: tuple[str, ...], line: Line, cues: tuple[tuple[str, str], ...] = ()
) -> float:
    """1 when the line states every asked attribute (0.6 for one only its heading names), a
    little more when its heading names it too; less when a worded attribute's line does not use
    the customer's own cue ("airport" asked, a line about the BTS found)."""
    if not attributes:
        return 0.0
    named = heading_names(line.heading.split(HEADING_SEPARATOR)[-1]) if line.heading else frozenset()
    fits = []
    for a in attributes:
        # a list under "What you make", or the paragraph right under it, states what is made
        listed = (line.item or line.position < 2) and BY_NAME[a].evidence is None
        said = BY_NAME[a].evidence is None and any(  # "Songkran: 12–16 April" states the closure asked by its name
            cue in line.lowered for name, cue in cues if name == a and cue in BY_NAME[a].strong and len(cue) >= 5
        )
        fit = 1.0 if states(a, line.text) or said or (listed and a in named) else 0.6 if a in named else 0.0
        kinds = [gives_contact(cue, line.text) for name, cue in cues if name == a == "contact"]
        if fit and False in kinds and True not in kinds:  # the phone asked, a LINE id given
            fit = 0.0
        if fit == 1.0 and (a in named or a in heading_names(line.label)):  # "Price: …", "Ages: …"
            fit += HEADING_BONUS
        if fit and (BY_NAME[a].money and _FIGURE.search(line.text) or a == "address" and POSTCODE.search(line.text)):
            fit += FIGURE_BONUS  # "30 %" for the deposit; a postcode: the address itself, not a street named
        own = [cue for name, cue in cues if name == a]
        if fit and own and any(cue in line.lowered for cue in own):
            fit += CUE_BONUS
        fits.append(fit)
    return sum(fits) / len(fits)


def cover(terms: dict[str, float], line: Line, index: Index, lenient: bool = True) -> float:
    """The share of what the question names that the line (or its heading) states. A question
    naming nothing in particular ("Is the food halal?") is about the school: its other words
    only lift the lines that use them."""
    total = sum(terms.values())
    if not total:
        return 1.0
    found = {
        t: w
        * (
            1.0
            if index.states(t, line.lowered)
            or (t.isdigit() and _in_a_range(int(t), line.lowered))
            or (t.isascii() and t.isalpha() and t in line_tokens(line, index))  # "party" in "parties"
            else TITLE_MATCH
            if index.states(t, line.context)
            else 0.0
        )
        for t, w in terms.items()
    }
    named = {t: w for t, w in terms.items() if w >= ENTITY_WEIGHT}
    other = sum(found.values()) / total
    if not named:
        meant = [t for t, w in terms.items() if w > GENERIC_WEIGHT]  # "ต้อง", "please" say nothing
        if lenient and not meant:
            return 1.0
        return 0.6 + 0.4 * sum(found[t] for t in meant) / sum(terms[t] for t in meant) if lenient else other
    return sum(found[t] for t in named) / sum(named.values()) * (0.85 + 0.15 * other)


_RANGE = re.compile(r"(?<![\d,.:–-])(\d{1,3})\s?[–-]\s?(\d{1,3})(?![\d,.:–-])")  # not a phone


def _in_a_range(number: int, text: str) -> bool:
    """"Cancel 7 days before" meets the line "5–14 days before"."""
    return any(int(a) <= number <= int(b) for a, b in _RANGE.findall(text))


_UNITS = {"day": "d", "วัน": "d", "week": "w", "สัปดาห์": "w", "hour": "h", "ชั่วโมง": "h", "ชม": "h", "month": "m", "เดือน": "m"}
_COUNTS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5,
    "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9, "สิบ": 10, "a": 1,
}  # fmt: skip
_LENGTH = re.compile(
    r"(?<![a-z\d])(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ)"
    r"[\s-]?(day|week|hour|month|วัน|สัปดาห์|ชั่วโมง|ชม|เดือน)|(วัน|สัปดาห์|เดือน)เดียว|(half|ครึ่ง)[\s-]?(day|วัน)",
    re.I,
)
KIND_BONUS = 0.04  # the heading names the kind asked ("the noodle workshop": the Workshop, not the Master course)
ABOUT_BONUS = 0.12  # the line's page or section is about what the question names, not a passing mention
SECTION_BONUS = 0.04  # its own section's heading names it too (a page of two courses, a section each)
DURATION_CLASH = 0.4  # the question says "1 day", the line is about the 3-day course
MONTH_CLASH = 0.3  # the question names a month, the line (or its heading) names only other months
TOPIC_CLASH, TOPIC_WORDS = 0.15, 16  # a time asked, the line (its label or first words) is about parking


@lru_cache(maxsize=4096)
def length_term(term: str) -> frozenset[tuple[float, str]]:
    """The length a question's term is ("5 วัน", "3-day"), or none for any other word."""
    return lengths(term) if _LENGTH.fullmatch(term) else frozenset()


@lru_cache(maxsize=65536)
def lengths(text: str) -> frozenset[tuple[float, str]]:
    """The lengths a text names, as (count, unit): "3-day", "สามวัน", "one day", "วันเดียว",
    "half-day"."""
    out = set()
    for m in _LENGTH.finditer(text.lower()):
        if m.group(3):
            out.add((1.0, _UNITS[m.group(3)]))
        elif m.group(4):
            out.add((0.5, "d"))
        else:
            count = m.group(1)
            out.add((float(count) if count.isdigit() else float(_COUNTS[count]), _UNITS[m.group(2)]))
    return frozenset(out)


def own_lengths(line: Line) -> frozenset[tuple[float, str]]:
    """The lengths the line's label, heading or title name (else its own text)."""
    return lengths(f"{line.label}\n{line.context}") or lengths(line.text)


def clash(asked: frozenset, line: Line) -> bool:
    """Does the line belong to another length of the thing asked (its text, heading or title
    names lengths, none of them the question's)?"""
    if not asked:
        return False
    own = own_lengths(line)
    within = any(_in_a_range(int(n), line.lowered) for n, _ in asked if n >= 1)  # "5–14 days before"
    return bool(own) and own.isdisjoint(asked) and not within


def meant(terms: dict[str, float], index: Index) -> set[str]:
    """The question's words and the words of their equivalents: none of them is another thing."""
    return set(terms).union(*(index.alias(t).tokens for t in terms))


def is_about(named: list[str], line: Line, index: Index) -> bool:
    """Is the line's page or section about every thing named (its heading or title states it),
    not a passing mention on a page about something else?"""
    return index.about(named, line.context)


def in_section(named: list[str], line: Line, index: Index) -> bool:
    """Does the line's own section heading (below the page's title) state every thing named?"""
    section = line.heading.split(HEADING_SEPARATOR)
    return len(section) > 1 and all(index.states(t, fold(section[-1])) for t in named)


def foreign(line: Line, index: Index, about: bool, asked: set[str]) -> float:
    """How much the line names other things than those asked (`asked`: the question's `meant`
    words): none counts on a page or section about the thing asked, unless its heading names
    other things too (a package of two courses)."""
    own = index.title_words.get(line.source, set())
    if about and not any(t in index.name_words and t not in asked for t in heading_tokens(line, index)):
        return 0.0
    others = {
        t
        for t in line_tokens(line, index)
        if t in index.name_words and t not in asked and t not in own
    }
    return min(FOREIGN_CAP, FOREIGN_EACH * len(others))


def rank(
    ask: Ask,
    attributes: tuple[str, ...],
    terms: dict[str, float],
    index: Index,
    hits: list[Hit],
    language: str,
    named: bool = True,
) -> list[Scored]:
    """Lines, best first, for these attributes: the customer's language first (a school whose
    page on a course is only in Thai still answers an English question from it, quoted). A question that
    names nothing (`named` false) is about the school: a line naming things is no worse."""
    prior = {(h.source, h.chunk): h.score for h in hits}
    asked = lengths(ask.rest)
    months = months_named(ask.rest)
    shaped = bool(attributes) and all(BY_NAME[a].evidence is not None for a in attributes)  # a time, a price …
    named_here = [t for t, w in terms.items() if w >= ENTITY_WEIGHT]
    kinds = [t for t, w in terms.items() if w == GENERIC_WEIGHT and t.isalpha() and len(t) > 3]  # "workshop"
    asked_words = meant(terms, index)  # once per question, not per line
    cues = (*ask.cues, *((n, w) for n, c in ask.cues for w in index.alias(c).words))  # "airport": สนามบิน states it too
    out = []
    for line in index.lines:
        away = 0.0 if language in line.languages else OTHER_LANGUAGE
        c, f = cover(terms, line, index, bool(attributes)), attribute_fit(attributes, line, cues)
        about = bool(named_here) and is_about(named_here, line, index)
        x = (
            (foreign(line, index, about, asked_words) if named else 0.0)
            + POSITION_STEP * min(line.position, 10)
            + away
            + (DURATION_CLASH if clash(asked, line) else 0.0)
            + (MONTH_CLASH if months and _other_months(months, line) else 0.0)
            + (TOPIC_CLASH if shaped and _other_topic(attributes, line) else 0.0)
        )
        p = prior.get((line.source, line.chunk), 0.0)
        total = 0.5 * c + 0.4 * f + 0.15 * p - x if attributes else 0.75 * c + 0.25 * p - x
        total += ABOUT_BONUS if about else 0.0
        total += SECTION_BONUS if about and in_section(named_here, line, index) else 0.0
        total += KIND_BONUS if any(t in line.context for t in kinds) else 0.0
        out.append(Scored(line, round(total, 4), c, f, x))
    out.sort(key=lambda s: s.total, reverse=True)
    return out


def _other_topic(attributes: tuple[str, ...], line: Line) -> bool:
    """Is the line about a matter of the school's other than those asked, by its label or its
    first words ("จอดรถฟรีหลัง 18:00 น.", "Parking: …")? A time or a price in it is that matter's."""
    topics = {
        t
        for t in heading_names(line.label) | heading_names(line.text[:TOPIC_WORDS])
        if not BY_NAME[t].per_entity and BY_NAME[t].evidence is None and t != "private"  # a private class is a class
    }
    return bool(topics) and topics.isdisjoint(attributes)


def _other_months(months: frozenset[str], line: Line) -> bool:
    """Does the line (or its heading) name months, none of them those asked?"""
    own = months_named(line.text) | months_named(line.heading)
    return bool(own) and own.isdisjoint(months)


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
