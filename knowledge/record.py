"""Facts of record: what the school keeps as data answers before any document does.

A *fact source* is a plain function `(record, ask, terms, language) → [RecordFact]`; the
pipeline asks each one in `FACT_SOURCES`, in order. Today: the catalog (a course's or product's
price, and the length its name states: "Professional Sushi (5 days)") and the school facts table
(address, opening hours, payment methods, deposit rule … — `models.school_facts`), and the
course rounds table (`knowledge.round_facts`): the next round and the seats left of the product
asked about, for `next_round` and `seats` — the table wins over any document's dates.

Which product a question is about is decided from the catalog's own names, Thai names and SKUs,
never from a list written per school: a question matches a product by the share of the name's
distinctive words it uses (and the share of its own words the name explains), with a small lift
when it names the product's kind ("course", "แพ็กเกจ", "knife"). Only a clear winner answers; two
products matching alike ("sushi" → the course and the sushi + ramen package) leave the question
to the documents or to a person.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from knowledge.asks import BY_NAME, DURATION, GENERIC, Ask
from knowledge.round_facts import (
    ROUND_ATTRIBUTES,
    Rounds,
    asked_month,
    in_month,
    load_rounds,
    round_sentence,
)
from knowledge.words import tokens
from models.commerce import Product
from models.school_facts import FACT_KEYS, school_facts

KIND_WORDS = {
    "course": (
        "course",
        "class",
        "workshop",
        "programme",
        "program",
        "คอร์ส",
        "คลาส",
        "หลักสูตร",
        "เวิร์กช็อป",
    ),
    "package": ("package", "bundle", "แพ็กเกจ", "แพ็คเกจ"),
    "equipment": ("knife", "knives", "tool", "mat", "มีด", "อุปกรณ์", "เสื่อ"),
}
CLEAR_MARGIN = 0.1
MIN_MATCH = 0.3


@dataclass(frozen=True)
class Item:
    sku: str
    kind: str
    name: str
    name_th: str
    price: Decimal

    def name_in(self, language: str) -> str:
        return self.name_th if language == "th" and self.name_th else self.name


@dataclass
class Record:
    items: list[Item] = field(default_factory=list)
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (English, Thai)
    rounds: Rounds = field(default_factory=lambda: Rounds({}, {}))  # upcoming rounds with seats

    @property
    def names(self) -> str:
        """Every name and Thai name, lower-cased: how the catalog writes its words."""
        return " ".join(f"{i.name} {i.name_th}" for i in self.items).lower()


@dataclass(frozen=True)
class RecordFact:
    attribute: str
    text: str  # in the customer's language
    source: str  # "catalog:SKU" | "school_fact:KEY" | "round:ID"
    about: str = ""  # the product's name, when it is about one


_ITEMS = (
    select(Product.sku, Product.kind, Product.name, Product.name_th, Product.price)
    .where(Product.is_active)
    .order_by(col(Product.sku))
)


def load_record(session: Session, now: datetime | None = None, rounds: bool = True) -> Record:
    """The catalog, the school facts and (unless `rounds` is False) the upcoming rounds."""
    items = [
        Item(sku, kind, name, name_th or "", price)
        for sku, kind, name, name_th, price in session.exec(_ITEMS)
    ]
    facts = {k: (f.value_en, f.value_th) for k, f in school_facts(session).items()}
    return Record(items, facts, load_rounds(session, now) if rounds else Rounds({}, {}))


def _distinct(text: str, corpus: str = "") -> list[str]:
    return [
        t
        for t in dict.fromkeys(tokens(re.sub(r"[()+/]", " ", text), corpus))
        if t not in GENERIC and not DURATION_UNIT.fullmatch(t)
    ]


DURATION_UNIT = re.compile(r"days?|weeks?|hours?|months?|วัน|สัปดาห์|ชั่วโมง|เดือน|มม|mm")


def match_item(rest: str, record: Record) -> tuple[Item | None, list[Item]]:
    """(the product the question is about, or None; the products that matched alike)."""
    lowered = rest.lower()
    corpus = record.names
    asked = _distinct(rest, corpus)
    if not asked or not record.items:
        return None, []
    scored: list[tuple[float, Item]] = []
    for item in record.items:
        if item.sku.lower() in lowered:
            scored.append((2.0, item))
            continue
        best = 0.0
        for name in (item.name, item.name_th):
            words = _distinct(name, corpus)
            if not words:
                continue
            hit = [w for w in words if w in lowered]
            best = max(best, len(hit) / len(words))
        if best and any(k in lowered for k in KIND_WORDS.get(item.kind, ())):
            best += 0.1
        scored.append((best, item))
    scored.sort(key=lambda s: s[0], reverse=True)
    top, item = scored[0]
    if top < MIN_MATCH:
        return None, []
    alike = [i for s, i in scored[1:] if s > top - CLEAR_MARGIN and i.price != item.price]
    return (None, [item, *alike]) if alike else (item, [])


def catalog_facts(record: Record, ask: Ask, language: str) -> list[RecordFact]:
    """A product's price, and the length its name states."""
    item, _ = match_item(ask.rest, record)
    if item is None:
        return []
    name = item.name_in(language)
    out = []
    if "price" in ask.attributes:
        amount = (
            f"{item.price:,.0f}" if item.price == item.price.to_integral() else f"{item.price:,.2f}"
        )
        text = f"{name} ราคา {amount} บาท" if language == "th" else f"{name}: {amount} THB"
        out.append(RecordFact("price", text, f"catalog:{item.sku}", name))
    if "duration" in ask.attributes and (m := DURATION.search(name)):
        text = (
            f"{name} ใช้เวลาเรียน {m.group(0)}" if language == "th" else f"{name} lasts {m.group(0)}."
        )
        out.append(RecordFact("duration", text, f"catalog:{item.sku}", name))
    return out


def school_fact_facts(record: Record, ask: Ask, language: str) -> list[RecordFact]:
    """The school's own facts for school-wide attributes (not when a product is named: its
    hours are its class times, not the office's)."""
    item, alike = match_item(ask.rest, record)
    out = []
    for attribute in ask.attributes:
        if attribute not in FACT_KEYS or attribute not in record.facts:
            continue
        if (item is not None or alike or ask.named) and (
            BY_NAME[attribute].per_entity or attribute == "time"
        ):
            continue
        english, thai = record.facts[attribute]
        text = thai if language == "th" else english
        if text:
            out.append(RecordFact(attribute, text, f"school_fact:{attribute}"))
    return out


def round_facts(record: Record, ask: Ask, language: str) -> list[RecordFact]:
    """The next round and its seats left, from the rounds table, for the product asked about
    (a package: each of its courses). Nothing when the school keeps no upcoming round for it."""
    asked = [a for a in ROUND_ATTRIBUTES if a in ask.attributes]
    if not asked:
        return []
    item = _round_item(ask.rest, record)
    if item is None:
        return []
    month = asked_month(ask.rest)
    found = [(sku, rounds) for sku, rounds in record.rounds.of(item.sku) if in_month(rounds, month)]
    found = [(sku, in_month(rounds, month)) for sku, rounds in found]
    if not found:
        return []
    names = {i.sku: i.name_in(language) for i in record.items}
    text = "\n".join(
        round_sentence(names.get(sku, item.name_in(language)), rounds, language) for sku, rounds in found
    )
    source = "round:" + ",".join(str(rounds[0].id) for _, rounds in found)
    return [RecordFact(a, text, source, item.name_in(language)) for a in asked]


def _round_item(rest: str, record: Record) -> Item | None:
    """The product a rounds question is about: the catalog's clear winner, else among the
    courses that have rounds (a course and the package holding it are not rivals here; the
    length in a name — "(2 days)" — is not a word the customer must say)."""
    item, _ = match_item(rest, record)
    if item is not None:
        return item
    courses = [
        Item(i.sku, i.kind, re.sub(r"\d+", " ", i.name), re.sub(r"\d+", " ", i.name_th), i.price)
        for i in record.items
        if record.rounds.by_sku.get(i.sku)
    ]
    found, _ = match_item(rest, Record(courses))
    return next((i for i in record.items if found and i.sku == found.sku), None)


FactSource = Callable[[Record, Ask, str], list[RecordFact]]
# Asked in order; the first fact for an attribute answers it.
FACT_SOURCES: list[FactSource] = [catalog_facts, school_fact_facts, round_facts]


def facts_of_record(record: Record, ask: Ask, language: str) -> dict[str, RecordFact]:
    """The first fact of record for each asked attribute that has one."""
    found: dict[str, RecordFact] = {}
    for source in FACT_SOURCES:
        for fact in source(record, ask, language):
            found.setdefault(fact.attribute, fact)
    return found


def prompt_lines(record: Record, language: str) -> list[str]:
    """The record for a model's prompt: the catalog and the school facts."""
    lines = [
        f"- {i.sku} | {i.name}{f' / {i.name_th}' if i.name_th else ''} | {i.kind} | ฿{i.price:,.2f}"
        for i in record.items
    ]
    lines += [
        f"- school fact {k}: {th if language == 'th' and th else en}"
        for k, (en, th) in sorted(record.facts.items())
        if en or th
    ]
    lines += round_lines(record, language)
    return lines or ["(none kept: answer from the sources only)"]


def round_lines(record: Record, language: str) -> list[str]:
    """Each course's upcoming rounds as the record states them (for the prompt and grounding)."""
    names = {i.sku: i.name_in(language) for i in record.items}
    return [
        f"- rounds {sku}: {round_sentence(names.get(sku, sku), rounds, language)}"
        for sku, rounds in sorted(record.rounds.by_sku.items())
    ]
