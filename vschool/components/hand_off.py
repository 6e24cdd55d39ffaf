"""The inbox's hand-off pieces: the "Assign to…" picker (shortcut a), the activity lines in the
thread, the response-time clock on each list row, the sort and away switches, and the 30-second
heartbeat of the open tab."""

import reflex as rx

from vschool.components.text import tr
from vschool.state.hand_off import NOBODY, HandOffState

# Once per tab: a beat every 30 s while the inbox is open (the round-robin's "seen in the last
# 2 minutes"), and "a" opens the assign picker (Radix opens a select on Enter).
HAND_OFF_JS = """
if (!window.__vschoolHandOff) { window.__vschoolHandOff = true;
  setInterval(() => document.getElementById('presence-beat')?.click(), 30000);
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (e.key === 'a' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const picker = document.getElementById('assign-picker'); if (!picker) return;
      e.preventDefault(); picker.focus();
      picker.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    }
  });
}
"""


def presence() -> rx.Component:
    """The hidden heartbeat button and the script that presses it."""
    return rx.fragment(
        rx.el.button(on_click=HandOffState.beat, id="presence-beat", style={"display": "none"}, aria_hidden="true"),
        rx.script(HAND_OFF_JS),
    )


def assign_picker(conversation_id: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=tr("hand_off"), id="assign-picker"),
        rx.select.content(
            rx.select.item(tr("hand_off_nobody"), value=NOBODY),
            rx.foreach(HandOffState.assignees, lambda a: rx.select.item(a["label"], value=a["value"])),
        ),
        value="",
        on_change=lambda choice: HandOffState.assign_to(conversation_id, choice),
        size="1",
    )


def activity_line(item: rx.Var) -> rx.Component:
    return rx.text(
        item["text"], " · ", item["when"],
        size="1", color=rx.color("gray", 10), align="center", width="100%", class_name="activity-line", id=item["id"],
    )


def due_badge(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["due"] != "",
        rx.badge(row["due"], color_scheme=rx.cond(row["overdue"] != "", "red", "gray"), size="1", flex_shrink="0", class_name="sla-due"),
    )


def list_controls(state: type) -> rx.Component:
    """Sort by time left, and the away switch."""
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(id="sort-order"),
            rx.select.content(rx.select.item(tr("sort_recent"), value="recent"), rx.select.item(tr("sort_due"), value="due")),
            value=state.sort,
            on_change=state.set_sort,
            size="1",
        ),
        rx.spacer(),
        rx.text(tr("away"), size="1"),
        rx.switch(checked=HandOffState.away, on_change=lambda _: HandOffState.toggle_away(), size="1", id="away-switch"),
        width="100%",
        align="center",
    )


def hand_off_messages() -> rx.Component:
    return rx.fragment(
        rx.cond(HandOffState.error != "", rx.text(HandOffState.error, size="1", color=rx.color("red", 11), id="hand-off-error")),
        rx.cond(HandOffState.notice != "", rx.text(HandOffState.notice, size="1", color=rx.color("green", 11), id="hand-off-notice")),
    )
