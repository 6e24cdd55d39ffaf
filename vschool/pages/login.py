"""Sign in."""

import reflex as rx

from vschool.components.text import tr
from vschool.state.auth import LoginState


@rx.page(route="/login", title="Sign in · V School CRM", on_load=LoginState.skip_if_signed_in)
def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(rx.icon("chef-hat", size=28), rx.heading("V School CRM", size="6"), align="center"),
                    rx.text(tr("email"), size="2"),
                    rx.input(name="email", type="email", placeholder="you@vschool.co.th", id="login-email", required=True, width="100%", auto_focus=True),
                    rx.text(tr("password"), size="2"),
                    rx.input(name="password", type="password", id="login-password", required=True, width="100%"),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red", id="login-error", width="100%"),
                    ),
                    rx.button(
                        tr("sign_in"),
                        type="submit",
                        id="login-submit",
                        width="100%",
                        size="3",
                        disabled=~rx.State.is_hydrated,  # until the tab is connected
                        loading=~rx.State.is_hydrated,
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="360px",
            size="4",
        ),
        height="100vh",
        background=rx.color("gray", 2),
    )
