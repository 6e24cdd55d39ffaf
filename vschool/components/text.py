"""Labels that follow the signed-in user's language."""

import reflex as rx

from models.enums import LeadStage, OrderStatus, PaymentKind
from models.meta_reports import ReminderKind, ReminderStatus, ReportStatus
from models.order_rules import METHODS
from vschool.i18n import LABELS
from vschool.state.auth import AuthState


def tr(key: str) -> rx.Var:
    english, thai = LABELS[key]
    return rx.cond(AuthState.language == "th", thai, english)


def _label_of(prefix: str, values: list[str], value: rx.Var) -> rx.Var:
    """A stored vocabulary value (in English) in the user's language; an unknown value as it is."""
    return rx.match(value, *[(v, tr(f"{prefix}_{v}")) for v in values], value)


def vocabulary_select(prefix: str, values: list[str], trigger_id: str | rx.Var, **props: object) -> rx.Component:
    """A select of stored values (sent as they are), each shown in the user's language."""
    return rx.select.root(
        rx.select.trigger(id=trigger_id),
        rx.select.content(*[rx.select.item(tr(f"{prefix}_{v}"), value=v) for v in values]),
        **props,
    )


def lead_stage_label(stage: rx.Var) -> rx.Var:
    return _label_of("stage", [s.value for s in LeadStage], stage)


def order_status_label(status: rx.Var) -> rx.Var:
    return _label_of("order_status", [s.value for s in OrderStatus], status)


def payment_kind_label(kind: rx.Var) -> rx.Var:
    return _label_of("payment_kind", [k.value for k in PaymentKind], kind)


def payment_method_label(method: rx.Var) -> rx.Var:
    return _label_of("payment_method", list(METHODS), method)


def reminder_kind_label(kind: rx.Var) -> rx.Var:
    return _label_of("reminder_kind", [k.value for k in ReminderKind], kind)


def reminder_status_label(status: rx.Var) -> rx.Var:
    return _label_of("reminder_status", [s.value for s in ReminderStatus], status)


def report_status_label(status: rx.Var) -> rx.Var:
    return _label_of("report_status", [s.value for s in ReportStatus], status)
