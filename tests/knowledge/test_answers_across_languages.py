"""Offline answers from a small school's documents as it writes them: a course page only in
English asked about in Thai, a Thai-only page asked about in English, a month named in the
question, a list under a heading, and an address that is not a bank account. The school here
is invented for these tests; the evaluation's schools are not used."""

from pathlib import Path

import pytest

from knowledge.asks import read_question
from knowledge.glossary import english_months, equivalents, full_years, other_era
from knowledge.lines import build_index, cached_index
from tests.knowledge.invented import ask, ingest_pages

pytestmark = pytest.mark.usefixtures("db")

PAGES = {
    "courses/biryani.md": (
        "# Biryani Masterclass (1 day) — code BR-1D\n\n"
        "Our favourite Saturday class: one pot, three layers, a lot of saffron.\n\n"
        "**Price:** ฿2,800 per person\n\n**Time:** 10:00 – 15:00\n\n"
        "## What you take home\n\n- A spice kit\n- The recipe booklet\n- A box of biryani\n"
    ),
    "courses/tandoori.md": (
        "# คอร์สไก่ทันดูรี 3 วัน\n\nเรียนทำไก่ทันดูรีและขนมปังนานจากเตาดิน\n\n"
        "ค่าเรียน 9,900 บาท ต่อคน รวมวัตถุดิบและอาหารกลางวัน\nเรียนเวลา 09:00-16:00 น. ทุกวัน\n"
    ),
    "courses/duck.md": "# Roast Duck Day\n\n**Price:** ฿3,300 per person\n\n**Time:** 13:00 – 17:00\n",
    "courses/cheesecake.md": "# New York Cheesecake Class\n\n**Price:** ฿1,900 per person\n",
    "schedule.md": (
        "# Rounds in 2027\n\n| Course | Round 1 | Round 2 |\n|---|---|---|\n"
        "| Curry Basics 2 days | 12–13 Jan 2027 | 6–7 Jul 2027 |\n"
        "| Street Food Weekend | 20–21 Mar 2027 | 16–17 Oct 2027 |\n"
    ),
    "contact.md": (
        "# Contact and payment\n\n"
        "Bank transfer: Bangkok Bank, Silom branch, account no. 123-4-56789-0\n\n"
        "ที่อยู่: 45/6 ซอยสีลม 9 ถนนสีลม แขวงสีลม เขตบางรัก กรุงเทพฯ 10500\n"
    ),
}


@pytest.fixture
def school(tmp_path: Path) -> None:
    ingest_pages(tmp_path, PAGES)


def test_the_glossary_and_months_are_read_in_both_languages() -> None:
    assert "เป็ด" in equivalents("duck") and "duck" in equivalents("เป็ด")
    assert "jul" in english_months("มีรอบเดือนกรกฎาคมไหม").split() or "july" in english_months("มีรอบเดือนกรกฎาคมไหม")
    assert read_question("Is there a round in July?").attributes == ("next_round",)
    assert read_question("may I bring my dog?").attributes != ("next_round",)  # "may" is not May
    assert "2570" in full_years("รอบแรกปี 70") and other_era("2570") == ("2027",)


def test_a_thai_question_is_answered_from_the_page_written_only_in_english(school: None) -> None:
    reply = ask("คลาสบิรยานีราคาเท่าไหร่คะ")  # the Latin name, written in Thai as it sounds
    assert reply.action == "reply", reply.reason
    assert "2,800" in reply.text and "ข้อมูลจากหน้าภาษาอังกฤษ" in reply.text
    reply = ask("ชีสเค้กราคาเท่าไหร่คะ")  # a loanword romanised from its dictionary spelling, not by letters
    assert reply.action == "reply", reply.reason
    assert "1,900" in reply.text
    reply = ask("คลาสเป็ดย่างราคาเท่าไหร่คะ")  # the same thing in Thai words: duck, roast
    assert reply.action == "reply", reply.reason
    assert "3,300" in reply.text and "2,800" not in reply.text


def test_an_english_question_is_answered_from_the_page_written_only_in_thai(school: None) -> None:
    reply = ask("How much is the tandoori chicken course?")
    assert reply.action == "reply", reply.reason
    assert "9,900" in reply.text and "From our page in Thai" in reply.text


def test_a_month_in_the_question_finds_that_round(school: None) -> None:
    reply = ask("Is there a Curry Basics round in July?")
    assert reply.action == "reply", reply.reason
    assert "6–7 Jul" in reply.text
    reply = ask("street food weekend รอบเดือนตุลาวันไหนคะ")
    assert reply.action == "reply", reply.reason
    assert "16–17 Oct" in reply.text


def test_a_list_under_its_heading_is_quoted_from_its_first_item(school: None) -> None:
    reply = ask("what do I take home from the biryani class?")
    assert reply.action == "reply", reply.reason
    assert all(item in reply.text for item in ("spice kit", "recipe booklet", "box of biryani"))


def test_the_address_is_not_the_bank_account(school: None) -> None:
    reply = ask("what's your address?")
    assert reply.action == "reply", reply.reason
    assert "45/6" in reply.text and "123-4-56789-0" not in reply.text


def test_what_one_question_hears_is_not_kept_for_the_next() -> None:
    rows = [("dim-sum.md", 0, "# ติ่มซำ\n\nราคา 500 บาท", "ติ่มซำ")]
    version = ("test", "what one question hears")
    first = cached_index(version, lambda: build_index(rows, [], []))
    first.also("dim", ["ติ่มซำ"])  # "dim sum" heard as the Thai name, in one question
    assert first.states("dim", "ติ่มซำ ราคา 500 บาท")
    later = cached_index(version, lambda: build_index(rows, [], []))  # the same cached index
    assert not later.states("dim", "ติ่มซำ ราคา 500 บาท")  # a later "dim" alone is not the Thai name
