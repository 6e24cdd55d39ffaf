"""The line that states the asked attribute of the asked thing: each line of the index scored
for one ask (see `knowledge.asks`).

- `cover`: how much of what the question names (its words outside the cue phrases, weighted:
  entity words count, other words a little) the line states, or its heading or title (a fee
  line under "Sushi course › Fee" is about the sushi course);
- `fit`: whether the line states each asked attribute (a price, a time, a date … — or its
  heading names the attribute, "Parking");
- `foreign`: names of *other* things in the line (a package line that also names the ramen
  course is not the answer to the sushi course's price);
- clashes: another length, month or school matter than the one asked;
- the retrieval's score of the line's chunk, a little.
"""

import re
from dataclasses import dataclass

from knowledge.asks import BY_NAME, POSTCODE, Ask, gives_contact
from knowledge.chunk import HEADING_SEPARATOR
from knowledge.glossary import months_named
from knowledge.lines import EXTRA, Index, Line, heading_names, heading_tokens, line_tokens
from knowledge.question_terms import ENTITY_WEIGHT, GENERIC_WEIGHT
from knowledge.search import Hit
from knowledge.words import fold, lengths

TITLE_MATCH = 0.8  # a word in the heading or title, not in the line itself
FOREIGN_EACH, FOREIGN_CAP = 0.08, 0.3
HEADING_BONUS = 0.15
CUE_BONUS = 0.15  # the line uses the customer's own cue ("airport"), in either language
FIGURE_BONUS = 0.1  # a deposit or refund line stating its figure (30 %, ฿2,000, 10 days)
_FIGURE = re.compile(r"\d+\s?%|\d{1,3}(?:,\d{3})+|\d+\s*(?:baht|บาท|thb|(?:working |business )?days?|วัน|weeks?|สัปดาห์)|฿\s?\d", re.I)
POSITION_STEP = 0.005  # earlier lines of a section first, other things equal
OTHER_LANGUAGE = 0.12  # a line in the other language answers only when none in the customer's does
@dataclass(frozen=True)
class Scored:
    line: Line
    total: float
    cover: float
    fit: float
    foreign: float
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
        fit = 1.0 if line.says(a) or said or (listed and a in named) else 0.6 if a in named else 0.0
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
            if index.context_states(t, line.context)
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


_RANGE = re.compile(r"(?<![\d,.:–-])(\d{1,3})\s?(?:[–-]|to|ถึง)\s?(\d{1,3})(?![\d,.:–-])")  # not a phone


def _in_a_range(number: int, text: str) -> bool:
    """"Cancel 7 days before" meets the line "5–14 days before"."""
    return any(int(a) <= number <= int(b) for a, b in _RANGE.findall(text))


KIND_BONUS = 0.04  # the heading names the kind asked ("the noodle workshop": the Workshop, not the Master course)
ABOUT_BONUS = 0.12  # the line's page or section is about what the question names, not a passing mention
SECTION_BONUS = 0.04  # its own section's heading names it too (a page of two courses, a section each)
DURATION_CLASH = 0.4  # the question says "1 day", the line is about the 3-day course
EXTRA_CLASH = 0.15  # a course's price asked, the line prices an extra: a guest's meal, a retake, a box
MONTH_CLASH = 0.3  # the question names a month, the line (or its heading) names only other months
TOPIC_CLASH = 0.15  # a time asked, the line (its label or first words) is about parking

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
    own_price = "price" in attributes and not EXTRA.search(ask.rest)  # the course's, not an extra's
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
            + (EXTRA_CLASH if own_price and line.extra else 0.0)
            + (MONTH_CLASH if months and _other_months(months, line) else 0.0)
            + (TOPIC_CLASH if shaped and line.matters and line.matters.isdisjoint(attributes) else 0.0)
        )
        p = prior.get((line.source, line.chunk), 0.0)
        total = 0.5 * c + 0.4 * f + 0.15 * p - x if attributes else 0.75 * c + 0.25 * p - x
        total += ABOUT_BONUS if about else 0.0
        total += SECTION_BONUS if about and in_section(named_here, line, index) else 0.0
        total += KIND_BONUS if any(t in line.context for t in kinds) else 0.0
        out.append(Scored(line, round(total, 4), c, f, x))
    out.sort(key=lambda s: s.total, reverse=True)
    return out


def _other_months(months: frozenset[str], line: Line) -> bool:
    """Does the line (or its heading) name months, none of them those asked?"""
    own = months_named(line.text) | months_named(line.heading)
    return bool(own) and own.isdisjoint(months)
