"""How the command line takes input (SPEC.md): bad input is exit code 2 and one line on stderr
saying what was wrong, never a usage block or a traceback.

- `Parser` is argparse's parser whose errors (an unknown option, a missing or invalid argument,
  a value outside `choices`) raise `BadInput` instead of printing usage and exiting.
- The argument types below check values before a command runs: numbers in ASCII digits within
  a range the command (and the database) can hold, real dates, text that is not empty.
- A command raises `BadInput` for what only it can check; a business rule's refusal
  (`models.refusals.Refused`, e.g. a staff e-mail already in use) is bad input too.
- `answer_bad_input(main)` turns all of these into the one line and exit 2. Anything else (the
  database away, a bug) is not the user's input: it keeps its own message and exit code.
"""

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import NoReturn

from pydantic import ValidationError

from models.refusals import Refused
from models.settings import get_settings

BAD_INPUT = 2
DATABASE_INTEGER_MAX = 2_147_483_647  # PostgreSQL `integer`, the type of our ids


class BadInput(Exception):
    """The command line was given something it cannot use; the message says what."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as `BadInput` (its sub-command parsers are of this class too)."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number in ASCII digits from `low` to `high`."""

    def parse(text: str) -> int:
        if not re.fullmatch(r"[+-]?[0-9]{1,30}", text.strip()):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (digits 0-9)")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: from {low:,} to {high:,}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    """An argument type: a decimal number in ASCII digits, more than `low` and at most `high`."""

    def parse(text: str) -> float:
        if not re.fullmatch(r"[+-]?(?:[0-9]{1,12}(?:\.[0-9]*)?|\.[0-9]+)", text.strip()):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number (digits 0-9, e.g. 20 or 2.5)")
        value = float(text)
        if not low < value <= high:
            raise argparse.ArgumentTypeError(f"{value:g} is out of range: more than {low:g}, at most {high:g}")
        return value

    return parse


def day(text: str) -> str:
    """An argument type: a calendar day written YYYY-MM-DD."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a day written YYYY-MM-DD (e.g. 2026-09-01)")
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day of the calendar") from None
    return text.strip()


def text(value: str) -> str:
    """An argument type: text that is not empty and is valid UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("the text is not valid UTF-8") from None
    if not value.strip():
        raise argparse.ArgumentTypeError("the text is empty")
    return value


def check_configuration() -> None:
    """Settings from the environment that cannot be read (VSCHOOL_PORT=abc) are bad input too."""
    try:
        get_settings()
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise BadInput(f"the configuration cannot be read: {wrong}") from None


def one_line(message: str) -> str:
    line = " ".join(message.split()) or "bad input"
    return line if line.startswith("vschool") else f"vschool: {line}"


def answer_bad_input(main: Callable[[Sequence[str] | None], int]) -> Callable[[Sequence[str] | None], int]:
    """Wrap the command line's `main`: bad input becomes one line on stderr and exit 2."""

    def run(argv: Sequence[str] | None = None) -> int:
        try:
            return main(argv)
        except (BadInput, Refused) as exc:
            print(one_line(str(exc)), file=sys.stderr)
            return BAD_INPUT

    return run
