"""Facts of record: what the school keeps as data answers before any document does.

A *fact source* is a plain function `(record, ask, terms, language) → [RecordFact]`; the
pipeline asks each one in `FACT_SOURCES`, in order. Today: the catalog (a course's or product's
price, and the length its name states: "Professional Sushi (5 days)") and the school facts table
(address, opening hours, payment methods, deposit rule … — `models.school_facts`). Course rounds
(issue 14) plug in the same way: a source that answers `next_round` and `seats` for the product
it is given.

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
from decimal import Decimal

from sqlmodel import Session, col, select

from knowledge.asks import BY_NAME, DURATION, GENERIC, Ask
from knowledge.lines import tokens
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

    @property
    def names(self) -> str:
        """Every name and Thai name, lower-cased: how the catalog writes its words."""
        return " ".join(f"{i.name} {i.name_th}" for i in self.items).lower()


@dataclass(frozen=True)
class RecordFact:
    attribute: str
    text: str  # in the customer's language
    source: str  # "catalog:SKU" | "school_fact:KEY"
    about: str = ""  # the product's name, when it is about one


_ITEMS = (
    select(Product.sku, Product.kind, Product.name, Product.name_th, Product.price)
    .where(Product.is_active)
    .order_by(col(Product.sku))
)


def load_record(session: Session) -> Record:
    """The catalog and the school facts, as the pipeline reads them (one query each)."""
    items = [
        Item(sku, kind, name, name_th or "", price)
        for sku, kind, name, name_th, price in session.exec(_ITEMS)
    ]
    facts = {k: (f.value_en, f.value_th) for k, f in school_facts(session).items()}
    return Record(items, facts)


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


FactSource = Callable[[Record, Ask, str], list[RecordFact]]
# Asked in order; the first fact for an attribute answers it. Course rounds (issue 14) add a
# source answering next_round and seats here.
FACT_SOURCES: list[FactSource] = [catalog_facts, school_fact_facts]


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
    return lines or ["(none kept: answer from the sources only)"]
