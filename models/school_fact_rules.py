"""Writing the school facts (Admin → AI replies): checked, audited."""

from sqlmodel import Session

from logs.audit import record
from models.base import utcnow
from models.refusals import Refused
from models.school_facts import FACT_KEYS, SchoolFact
from models.staff import StaffUser

MAX_CHARS = 600


def set_school_fact(
    session: Session, key: str, value_en: str, value_th: str, actor: StaffUser | None
) -> SchoolFact:
    """Write one fact (both languages; empty text removes it from answers), audited."""
    if key not in FACT_KEYS:
        raise Refused("error_fact_key", keys=", ".join(FACT_KEYS))
    value_en, value_th = value_en.strip(), value_th.strip()
    if len(value_en) > MAX_CHARS or len(value_th) > MAX_CHARS:
        raise Refused("error_fact_too_long", limit=MAX_CHARS)
    fact = session.get(SchoolFact, key, with_for_update=True) or SchoolFact(key=key)
    before = {"en": fact.value_en, "th": fact.value_th}
    fact.value_en, fact.value_th, fact.updated_at = value_en, value_th, utcnow()
    fact.updated_by_id = actor.id if actor else None
    session.add(fact)
    record(
        session,
        actor,
        "school_fact.set",
        "school_fact",
        key,
        before=before,
        after={"en": value_en, "th": value_th},
    )
    return fact
