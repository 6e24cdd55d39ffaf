"""What the AI may say and when it may say it on its own: guardrails over an answer (prices
and dates only from the sources or the catalog, the customer's language, confidence) and the
autonomy levels of seed 003 (L1 suggest, L2 draft for approval, L3 auto-send). Plain functions:
the reply actor, the dry-run CLI, the evaluation and the inbox all ask these."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from models.activity import record_activity
from models.base import utcnow
from models.commerce import Product
from models.enums import ActivityKind
from models.inbox import Conversation
from models.ops import AppSetting
from models.refusals import Refused, Sentence

# --- confidence --------------------------------------------------------------------------------

ANSWER_THRESHOLD = 0.5  # below: hand off to a person (the reason is shown in the inbox)
# An answer read from the documents offline has a calibrated confidence (knowledge/calibration.py):
# the share of such answers that were right on schools nobody had tuned on. It is drafted only
# when that is at least six in ten (and, below AUTO_SEND_THRESHOLD, never sent alone).
DOCUMENT_THRESHOLD = 0.6
# L3 sends on its own only at or above this; between the two, a draft. Set from the reliability
# table of `vschool eval ai` (docs/adr/012): answers of record score 0.95, and offline answers at
# 0.9 or more were right 94% of the time on the demo school, against about 80% between 0.6 and 0.9.
AUTO_SEND_THRESHOLD = 0.9

# --- language ----------------------------------------------------------------------------------

_THAI = re.compile(r"[\u0E00-\u0E7F]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, default: str = "en") -> str:
    """"th" when Thai script carries the text, else "en". Course names in Latin letters inside
    a Thai sentence ("คอร์ส Sushi ราคาเท่าไหร่") stay Thai: Thai needs a third of the letters."""
    thai, latin = len(_THAI.findall(text or "")), len(_LATIN.findall(text or ""))
    if thai + latin == 0:
        return default
    return "th" if thai / (thai + latin) >= 0.3 else "en"


# --- prices ------------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
_PRICE_PATTERNS = [
    re.compile(r"(?:฿|THB)\s?" + _NUMBER, re.IGNORECASE),  # ฿1,500 · THB 1500
    re.compile(_NUMBER + r"\s?(?:฿|บาท|baht|bht|thb)", re.IGNORECASE),  # 1,500 บาท · 1500 baht
    re.compile(_NUMBER + r"\.-"),  # 15,900.- (Thai price notation)
]


def _amount(whole: str, cents: str | None) -> Decimal | None:
    try:
        return Decimal(whole.replace(",", "") + "." + (cents or "0")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def prices_in(text: str) -> set[Decimal]:
    """Every THB amount the text states, whatever the notation (฿, บาท, baht, THB, .-)."""
    found: set[Decimal] = set()
    for pattern in _PRICE_PATTERNS:
        for match in pattern.finditer(text or ""):
            value = _amount(match.group(1), match.group(2))
            if value is not None:
                found.add(value)
    return found


def _numbers_in(text: str) -> set[Decimal]:
    """Every number in a source, with or without a currency: a source table that says
    "Sushi | 12,900" grounds an answer that says "12,900 บาท"."""
    return {v for m in re.finditer(_NUMBER, text or "") if (v := _amount(m.group(1), m.group(2))) is not None}


# --- dates -------------------------------------------------------------------------------------

_EN_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")]
    )
    for name in names
}
_TH_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("มกราคม", "ม.ค."), ("กุมภาพันธ์", "ก.พ."), ("มีนาคม", "มี.ค."), ("เมษายน", "เม.ย."), ("พฤษภาคม", "พ.ค."),
         ("มิถุนายน", "มิ.ย."), ("กรกฎาคม", "ก.ค."), ("สิงหาคม", "ส.ค."), ("กันยายน", "ก.ย."), ("ตุลาคม", "ต.ค."),
         ("พฤศจิกายน", "พ.ย."), ("ธันวาคม", "ธ.ค.")]
    )
    for name in names
}
_MONTH = "|".join(sorted((re.escape(m) for m in [*_EN_MONTHS, *_TH_MONTHS]), key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(_DAY + r"(?:\s*(?:-|–|to|ถึง|และ|,|&|and)\s*" + _DAY + r")?\s*(?:of\s+)?(" + _MONTH + r")(?![a-z])", re.IGNORECASE)
_MONTH_DAY = re.compile(r"(?<![a-z])(" + _MONTH + r")\.?\s+" + _DAY + r"(?:\s*(?:-|–|to|and|&)\s*" + _DAY + r")?(?![\d:])", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{2,4})(?![\d/])")


def _month(name: str) -> int:
    return _EN_MONTHS.get(name.lower().rstrip(".")) or _TH_MONTHS.get(name) or _TH_MONTHS.get(name.lower(), 0)


def dates_in(text: str) -> set[tuple[int, int]]:
    """Every calendar date the text states, as (month, day); the year is left out (Thai texts
    count Buddhist years, 2569 = 2026). Ranges ("5–7 December") give both ends."""
    found: set[tuple[int, int]] = set()
    text = text or ""
    for m in _DAY_MONTH.finditer(text):
        month = _month(m.group(3))
        found.update((month, int(d)) for d in (m.group(1), m.group(2)) if d and 1 <= int(d) <= 31)
    for m in _MONTH_DAY.finditer(text):
        month = _month(m.group(1))
        found.update((month, int(d)) for d in (m.group(2), m.group(3)) if d and 1 <= int(d) <= 31)
    for m in _ISO.finditer(text):
        if 1 <= int(m.group(2)) <= 12:
            found.add((int(m.group(2)), int(m.group(3))))
    for m in _SLASHED.finditer(text):  # Thailand writes day/month/year
        if 1 <= int(m.group(2)) <= 12:
            found.add((int(m.group(2)), int(m.group(1))))
    return {(month, day) for month, day in found if month}


# --- grounding ---------------------------------------------------------------------------------


def catalog_prices(session: Session) -> set[Decimal]:
    """The prices of everything the school sells right now (the catalog is the truth)."""
    return {Decimal(p).quantize(Decimal("0.01")) for p in session.exec(select(Product.price).where(Product.is_active))}


def ungrounded(answer: str, sources: list[str], catalog: set[Decimal] | frozenset = frozenset()) -> list[str]:
    """The prices and dates in `answer` that neither a source nor the catalog states, written
    for the inbox ("฿9,999", "5 Dec"). Empty when the answer invents nothing."""
    joined = "\n".join(sources)
    known_amounts = _numbers_in(joined) | set(catalog)
    known_dates = dates_in(joined)
    problems = [f"฿{amount:,.0f}" if amount == amount.to_integral() else f"฿{amount:,}" for amount in sorted(prices_in(answer) - known_amounts)]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    problems += [f"{day} {months[month - 1]}" for month, day in sorted(dates_in(answer) - known_dates)]
    return problems


@dataclass(frozen=True)
class Verdict:
    """Whether an answer may go to the customer, and if not, the reason shown to staff (a
    `Sentence`: shown in their language)."""

    ok: bool
    reason: str = ""


# The school's own page quoted in its other language ("Our Thai page says: “…”"): the words
# around the quotation are the customer's language, the quotation is the school's.
_QUOTED = re.compile(r"“[^”]*”")


def check_answer(answer: str, customer_language: str, confidence: float, sources: list[str], catalog: set[Decimal] | frozenset = frozenset()) -> Verdict:
    """Every guardrail an answer passes before anyone sees it as the AI's reply."""
    if not answer.strip():
        return Verdict(False, Sentence("ai_no_answer"))
    invented = ungrounded(answer, sources, catalog)
    if invented:
        return Verdict(False, Sentence("ai_invented", facts=", ".join(invented)))
    if detect_language(_QUOTED.sub(" ", answer), customer_language) != customer_language:
        return Verdict(False, Sentence("ai_not_in_thai" if customer_language == "th" else "ai_not_in_english"))
    if confidence < ANSWER_THRESHOLD:
        return Verdict(False, Sentence("ai_not_sure", confidence=f"{confidence:.2f}", threshold=f"{ANSWER_THRESHOLD:.2f}"))
    return Verdict(True)


# --- autonomy ----------------------------------------------------------------------------------

LEVELS = {1: "suggest", 2: "draft for approval", 3: "auto-send"}
GLOBAL_LEVEL_KEY = "ai.autonomy_level"
DEFAULT_LEVEL = 2  # drafts for approval until an admin trusts the AI with more


def global_level(session: Session) -> int:
    setting = session.get(AppSetting, GLOBAL_LEVEL_KEY)
    value = setting.value if setting else None
    return value if value in LEVELS else DEFAULT_LEVEL


def _valid(level: int) -> int:
    if level not in LEVELS:
        raise ValueError(f"Autonomy level must be 1, 2 or 3, not {level!r}.")
    return level


def set_global_level(session: Session, level: int, staff_id: int | None) -> int:
    """Returns the previous level (for the audit trail)."""
    setting = session.get(AppSetting, GLOBAL_LEVEL_KEY, with_for_update=True)
    before = global_level(session)
    if setting is None:
        setting = AppSetting(key=GLOBAL_LEVEL_KEY)
    setting.value, setting.updated_at, setting.updated_by_id = _valid(level), utcnow(), staff_id
    session.add(setting)
    return before


def set_conversation_level(
    session: Session, conversation_id: int, level: int | None, by_id: int | None = None, by_label: str = ""
) -> int | None:
    """A level for one conversation, or None to follow the global level. Returns the previous.
    A change leaves an activity line by `by_id` (or `by_label`)."""
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise Refused("error_conversation_gone")
    before = conversation.autonomy_level
    conversation.autonomy_level = None if level is None else _valid(level)
    if conversation.autonomy_level != before:
        shown_level = f"L{conversation.autonomy_level}" if conversation.autonomy_level else "global"
        record_activity(session, conversation_id, ActivityKind.AI_LEVEL, by_id, {"to": shown_level, "from": before}, actor_label=by_label)
    conversation.updated_at = utcnow()
    session.add(conversation)
    return before


def effective_level(session: Session, conversation: Conversation) -> int:
    """The conversation's own level if an admin set one, else the global level."""
    return conversation.autonomy_level if conversation.autonomy_level in LEVELS else global_level(session)


def decide(level: int, verdict: Verdict, confidence: float, window_state: str, figures_of_record: bool = True) -> tuple[str, str]:
    """What the pipeline does with an answer: (outcome, reason). Outcomes are AiOutcome values:
    `handoff` when a guardrail failed, `suggestion` at L1, `draft` at L2 (and at L3 when the
    answer is not sure enough to send, states a price or date read from a document rather than
    the school's record — `figures_of_record` False —, or the 24-hour window is not open: the AI
    never sends outside it), `reply` when L3 sends it."""
    if not verdict.ok:
        return "handoff", verdict.reason
    if level <= 1:
        return "suggestion", ""
    if level == 2:
        return "draft", ""
    if window_state != "open":
        return "draft", Sentence("ai_outside_window")
    if confidence < AUTO_SEND_THRESHOLD:
        return "draft", Sentence("ai_below_auto_send", confidence=f"{confidence:.2f}", threshold=f"{AUTO_SEND_THRESHOLD:.2f}")
    if not figures_of_record:
        return "draft", Sentence("ai_figures_from_document")
    return "reply", ""


def states_figures(text: str) -> bool:
    """Does the text state a price or a calendar date?"""
    return bool(prices_in(text) or dates_in(text))
