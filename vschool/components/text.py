"""Labels that follow the signed-in user's language."""

import reflex as rx

from models.enums import LeadStage
from vschool.i18n import LABELS
from vschool.state.auth import AuthState


def tr(key: str) -> rx.Var:
    english, thai = LABELS[key]
    return rx.cond(AuthState.language == "th", thai, english)


def lead_stage_label(stage: rx.Var) -> rx.Var:
    """A customer's lead stage (the English value stored) in the user's language; an unknown value as it is."""
    return rx.match(stage, *[(s.value, tr(f"stage_{s.value}")) for s in LeadStage], stage)
