"""How the knowledge base and a question are cut into words: content words (Thai without
spaces, English stemmed), the lengths a text names ("5-day", "สามวัน"), and how a word sounds
(a Thai spelling of a Latin course name, and back)."""

import re
import unicodedata
from difflib import SequenceMatcher, get_close_matches
from functools import lru_cache

from pythainlp.transliterate import romanize

from knowledge.embed import ENGLISH_STOP, THAI_STOP, stem, thai_content_words

_RUN = re.compile(r"[\u0E00-\u0E7F]+|[a-z][a-z'-]*[a-z]|[a-z]|\d+(?:[.,:]\d+)*")
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
def sound_of(word: str) -> str:
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
def romanised(thai: str) -> str:
    """How a Thai word sounds in Latin letters: a loanword by pythainlp's dictionary of them
    (ชีสเค้ก → cheesecake), any other word by the royal romanisation it falls back to."""
    return sound_of(romanize(thai, engine="lookup"))
_UNITS = {"day": "d", "วัน": "d", "week": "w", "สัปดาห์": "w", "hour": "h", "ชั่วโมง": "h", "ชม": "h", "month": "m", "เดือน": "m"}
_COUNTS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5,
    "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9, "สิบ": 10, "a": 1,
}  # fmt: skip
LENGTH = re.compile(
    r"(?<![a-z\d])(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ)"
    r"[\s-]?(day|week|hour|month|วัน|สัปดาห์|ชั่วโมง|ชม|เดือน)|(วัน|สัปดาห์|เดือน)เดียว|(half|ครึ่ง)[\s-]?(day|วัน)",
    re.I,
)
@lru_cache(maxsize=4096)
def length_term(term: str) -> frozenset[tuple[float, str]]:
    """The length a question's term is ("5 วัน", "3-day"), or none for any other word."""
    return lengths(term) if LENGTH.fullmatch(term) else frozenset()
@lru_cache(maxsize=65536)
def lengths(text: str) -> frozenset[tuple[float, str]]:
    """The lengths a text names, as (count, unit): "3-day", "สามวัน", "one day", "วันเดียว",
    "half-day"."""
    out = set()
    for m in LENGTH.finditer(text.lower()):
        if m.group(3):
            out.add((1.0, _UNITS[m.group(3)]))
        elif m.group(4):
            out.add((0.5, "d"))
        else:
            count = m.group(1)
            out.add((float(count) if count.isdigit() else float(_COUNTS[count]), _UNITS[m.group(2)]))
    return frozenset(out)
