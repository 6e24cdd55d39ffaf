"""Cut a document into retrievable chunks, for Thai and English alike.

Thai is written without spaces between words; a space there ends a phrase or sentence. So text is
split, in order of preference, at headings, paragraphs (blank lines), lines, sentences (English
`. ! ?`, a Thai space) and only then at words — found with PyThaiNLP's offline dictionary tokenizer
(newmm: its word list ships inside the package, nothing is downloaded). A chunk is never cut inside
a word when a word boundary exists within the budget.

Each chunk keeps its heading path ("Sushi course › Price") as its first line: a section's
heading often holds the words a customer asks with ("price", "ราคา") while the body only holds
the figure.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

CHUNK_CHARS = 500  # size budget of a chunk's body in characters (Thai ≈ 100–150 words)
OVERLAP_CHARS = 80  # the tail of the previous chunk repeated at the start of the next one
CHUNKER_VERSION = "3"  # part of the document hash: a new chunker re-chunks every document
HEADING_SEPARATOR = " › "

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([=\-*_~])\1{2,}\s*$")  # "=====" under a title, or "-----" between parts
_NOT_A_TITLE = re.compile(r"^\s*(?:[-*+•]\s|\d+[.)]\s|\|)")  # a list item or a table row over a rule
_SENTENCE_END = re.compile(r"((?<=[.!?。])[ \t]+|(?<=[\u0E00-\u0E7F])[ \t]+(?=[\u0E00-\u0E7F])|\s*\n\s*)")
_THAI = re.compile(r"[\u0E00-\u0E7F]")
# Thai characters that can never start a word (vowels written after/above/below the consonant,
# tone marks) and those that can never end one (vowels written before the consonant).
_NO_BREAK_BEFORE = set("ะัาำิีึืฺุู็่้๊๋์ํๅ")
_NO_BREAK_AFTER = set("เแโใไ")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    headings: tuple[str, ...]
    body: str

    @property
    def text(self) -> str:
        """What is stored, embedded and shown: the heading path, then the body."""
        if not self.headings:
            return self.body
        return f"{HEADING_SEPARATOR.join(self.headings)}\n{self.body}"


def markdown_title(text: str) -> str | None:
    """The first level-1 heading (or the first heading of any level)."""
    first: str | None = None
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            if len(match.group(1)) == 1:
                return match.group(2).strip()
            first = first or match.group(2).strip()
    return first


def chunk_markdown(text: str, budget: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Chunk]:
    """Chunks of a Markdown document, each within one section (heading path)."""
    sections: list[tuple[tuple[str, ...], list[str]]] = []
    stack: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            paragraphs.append("\n".join(lines).strip())
            lines.clear()

    def end_section() -> None:
        end_paragraph()
        if any(paragraphs):
            sections.append((tuple(title for _, title in stack), [p for p in paragraphs if p]))
        paragraphs.clear()

    in_code = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            in_code = not in_code
            lines.append(line)
            continue
        match = None if in_code else _HEADING.match(line)
        rule = None if in_code else _RULE.match(line)
        if rule and len(lines) == 1 and rule.group(1) in "=-" and not _NOT_A_TITLE.match(lines[0]):  # "Price list" over "====="
            title = lines.pop()
            end_section()
            level = 1 if rule.group(1) == "=" else 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _strip_markup(title.strip())))
        elif rule:  # a thematic break, or a rule under a paragraph: no text
            end_paragraph()
        elif match:
            end_section()
            level = len(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _strip_markup(match.group(2))))
        elif not line.strip() and not in_code:
            end_paragraph()
        else:
            lines.append(line)
    end_section()
    return _pack(sections, budget, overlap)


def chunk_text(text: str, title: str | None = None, budget: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Chunk]:
    """Chunks of plain text (or a PDF's extracted text): paragraphs are blank-line separated; a
    one-line paragraph underlined with a rule ("CLOSED DAYS" over "=====") heads what follows."""
    sections = []
    for heading, body in _underlined(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\f", body) if p.strip()]
        sections.append((tuple(h for h in (title, heading) if h), paragraphs))
    return _pack(sections, budget, overlap)


def _underlined(text: str) -> list[tuple[str | None, str]]:
    """Plain text cut at its underlined titles; rule lines are not text."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        if not _RULE.match(line):
            sections[-1][1].append(line)
            continue
        above = sections[-1][1]
        one_line = above and above[-1].strip() and (len(above) == 1 or not above[-2].strip())
        if one_line and not _NOT_A_TITLE.match(above[-1]):
            sections.append((above.pop().strip(), []))
        else:
            above.append("")  # a rule under a paragraph ends it
    return [(heading, "\n".join(lines)) for heading, lines in sections]


def _pack(sections: list[tuple[tuple[str, ...], list[str]]], budget: int, overlap: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for headings, paragraphs in sections:
        units: list[str] = []  # sentences, each with the separator that followed it
        for paragraph in paragraphs:
            units.extend(_units(paragraph, budget))
            if units:
                units[-1] = units[-1].rstrip() + "\n\n"
        current: list[str] = []
        for unit in units:
            if current and len("".join(current).strip()) + len(unit.strip()) > budget:
                chunks.append(Chunk(len(chunks), headings, "".join(current).strip()))
                current = _tail(current, min(overlap, budget - len(unit.strip())))
            current.append(unit)
        if current:
            chunks.append(Chunk(len(chunks), headings, "".join(current).strip()))
    return chunks


def _units(paragraph: str, budget: int) -> list[str]:
    """Sentences of a paragraph with their separators; longer ones cut further at words."""
    parts = _SENTENCE_END.split(paragraph)
    units: list[str] = []
    for i in range(0, len(parts), 2):
        sentence = parts[i]
        separator = parts[i + 1] if i + 1 < len(parts) else ""
        separator = "\n" if "\n" in separator else (" " if separator else "")
        if not sentence.strip():
            continue
        if len(sentence) <= budget:
            units.append(sentence.strip() + separator)
        else:
            pieces = _cut_words(sentence.strip(), budget)
            units.extend(pieces[:-1])  # words keep their own spaces: none is added in Thai
            units.append(pieces[-1] + separator)
    return units


def _cut_words(sentence: str, budget: int) -> list[str]:
    """Pieces of at most `budget` characters, cut between words (Thai words via newmm)."""
    pieces: list[str] = []
    current = ""
    for word in words_with_spaces(sentence):
        if len(current) + len(word.rstrip()) > budget and current.strip():
            pieces.append(current)
            current = ""
        while len(word) > budget:  # a "word" longer than the budget (e.g. a URL): cut safely
            cut = safe_cut(word, budget)
            pieces.append(word[:cut])
            word = word[cut:]
        current += word
    if current.strip():
        pieces.append(current)
    return pieces


def words_with_spaces(text: str) -> list[str]:
    """Words of mixed Thai/English text, spaces kept, so `"".join(...) == text`."""
    if not _THAI.search(text):
        return re.findall(r"\S+\s*|\s+", text)
    return thai_words(text)


def thai_words(text: str) -> list[str]:
    """PyThaiNLP's newmm word tokenizer (dictionary in the package; no download at run time)."""
    return list(_newmm(text))


@lru_cache(maxsize=4096)
def _newmm(text: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(text, engine="newmm", keep_whitespace=True))


def safe_cut(text: str, limit: int) -> int:
    """The largest cut position ≤ limit that does not split a Thai character cluster."""
    for pos in range(min(limit, len(text) - 1), 0, -1):
        if text[pos] not in _NO_BREAK_BEFORE and text[pos - 1] not in _NO_BREAK_AFTER:
            return pos
    return limit


def _tail(units: list[str], overlap: int) -> list[str]:
    """The last whole sentences of a chunk that fit in the overlap (none if the last is longer)."""
    kept: list[str] = []
    size = 0
    for unit in reversed(units):
        if size + len(unit) > overlap:
            break
        kept.insert(0, unit)
        size += len(unit)
    return kept


def _strip_markup(title: str) -> str:
    return re.sub(r"[*_`]+", "", title).strip()
