"""Labels that follow the signed-in user's language."""

import reflex as rx

from vschool.i18n import LABELS
from vschool.state.auth import AuthState


def tr(key: str) -> rx.Var:
    english, thai = LABELS[key]
    return rx.cond(AuthState.language == "th", thai, english)
