"""What a question names, and how much each word counts: the school's own names (in Thai or
Latin letters as the school writes them), lengths ("the 3-day one"), numbers, and the rest."""

import re

from pythainlp.corpus import thai_words as thai_dictionary

from knowledge.asks import GENERIC
from knowledge.chunk import thai_words
from knowledge.embed import THAI_STOP, stem
from knowledge.glossary import english_months, equivalents, full_years, phrases_in
from knowledge.lines import Index
from knowledge.words import LENGTH, romanised, sound_of, sounds_like, tokens

ENTITY_WEIGHT, OTHER_WEIGHT, GENERIC_WEIGHT, NUMBER_WEIGHT = 1.0, 0.35, 0.1, 0.6
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


_COURSE_BEFORE = re.compile(  # "คอร์ส 5 วัน", "คลาสไทยวันเดียว" (a Thai word between), "the one day thai"
    r"(?:(?:คอร์ส|คลาส|หลักสูตร)[\u0E00-\u0E7F]{0,8}|course|class|workshop|program|programme|(?<![a-z])the)\s*$"
)
_COURSE_AFTER = re.compile(r"\s*(?:course|class|one|workshop|program|intensive|คอร์ส|คลาส)")
_UNIT_WORDS = frozenset({"day", "week", "hour", "month", "วัน", "สัปดาห์", "ชั่วโมง", "ชม", "เดือน", "half", "ครึ่ง"})


def _with_lengths(rest: str, out: dict[str, float], index: Index) -> dict[str, float]:
    """A length the question names ("คอร์ส 5 วัน", "the 3-day one") is one term, stated by a line
    whose course has that length (`Index.states`), not a number and a "day" found anywhere."""
    lowered = rest.lower()
    for m in LENGTH.finditer(lowered):
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
            found = sounds_like(sound_of(a + b), index.thai_names, 1)
            if found:
                index.also(a, found)
                index.also(b, found)
WORDS_SOUND_LIKE = 0.9  # Thai words of their own ("เดียว|เรียน") heard as a name: nearly the same sound
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
                match = index.sounds_latin(romanised(window), 1, WORDS_SOUND_LIKE if words else 0.0)
                kept = ""
                if not (match or words) and i and len(pieces[i]) >= 3 and pieces[i - 1] + pieces[i][0] in _DICTIONARY:
                    kept, window = window[0], window[1:]  # "คลา|สมา|กา|รง": the ส is คลาส's, มาการง the name
                    match = index.sounds_latin(romanised(window), 1)
                if match:
                    taken[i : i + size] = [True] * size
                    rest = rest.replace(kept + window, f"{kept} {match[0]} ", 1)
                    if window in index.corpus:  # the school writes it in Thai too: those lines state it
                        for t in tokens(match[0]):
                            index.also(t, [window])
    return rest
