"""Date filters that read right in Thai: the browser's own date picker (Chromium writes it
mm/dd/yyyy whatever the page's language) with its label above it, and the chosen days beside
the filters in the reader's words, Buddhist-era years in Thai (vschool/formatting.day_range)."""

import reflex as rx

from vschool.components.text import tr


def labelled_date(label_key: str, field_id: str, **input_props: object) -> rx.Component:
    """A date picker with its label ("ตั้งแต่" / "From") above it."""
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=field_id, font_size="12px", color=rx.color("gray", 11)),
        rx.input(type="date", id=field_id, **input_props),
        spacing="1",
    )


def chosen_days(shown: rx.Var, note_id: str) -> rx.Component:
    """The chosen range as the reader says it ("8 พ.ย. – 7 ธ.ค. 2569"); nothing when none."""
    return rx.cond(
        shown != "",
        rx.badge(rx.icon("calendar-days", size=14), shown, variant="soft", size="2", color_scheme="gray", id=note_id),
    )
