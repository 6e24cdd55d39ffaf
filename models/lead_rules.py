"""A customer's lead stage: the one function every change of stage goes through, by staff's
hand (any stage, `lost` with a reason) or by the money (`deposit`, `enrolled`; forwards only).
Whatever must follow a change of stage (a report to Meta when staff qualify a lead) hangs here."""

from sqlmodel import Session

from models.base import utcnow
from models.conversion_rules import report_qualified
from models.customers import Customer
from models.enums import LeadStage
from models.refusals import Refused

FORWARD = [LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.DEPOSIT, LeadStage.ENROLLED]


class StageRefused(Refused):
    """Why a stage cannot be set."""


def set_lead_stage(session: Session, customer: Customer, stage: str, *, reason: str = "", by_staff: bool = True,
                   staff_id: int | None = None) -> bool:
    """Set `customer`'s stage. By staff: any stage; `lost` needs a reason (kept on the customer,
    cleared when they leave `lost`). Not by staff (the money moved): only forwards, or out of
    `lost`. Returns whether the stage changed. `staff_id` says who, for what follows the change."""
    if stage not in {s.value for s in LeadStage}:
        raise StageRefused("error_stage", stages=", ".join(s.value for s in LeadStage))
    if stage == LeadStage.LOST and not reason.strip():
        raise StageRefused("error_lost_reason")
    current = customer.lead_stage
    if not by_staff and current != LeadStage.LOST and (current not in FORWARD or FORWARD.index(LeadStage(current)) >= FORWARD.index(LeadStage(stage))):
        return False
    customer.lost_reason = reason.strip()[:300] if stage == LeadStage.LOST else None
    if current == stage:
        session.add(customer)
        return False
    customer.lead_stage, customer.updated_at = stage, utcnow()
    session.add(customer)
    if by_staff and stage == LeadStage.QUALIFIED:
        report_qualified(session, customer.id, customer.updated_at)  # QualifiedLead to Meta, once (ADR 016)
    return True
