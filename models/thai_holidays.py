"""Thai public holidays the school closes on, seeded for 2026–2027 (migration 0015); admins
edit the list on the business-hours page. A holiday on a weekend is followed by its substitute
day (วันหยุดชดเชย). The Buddhist days follow the lunar calendar: the 2027 dates are the
expected ones and should be checked against the cabinet's announcement."""

from datetime import date

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from models.hours import Holiday

THAI_HOLIDAYS: tuple[tuple[str, str, str], ...] = (
    # (ISO date, English, Thai)
    ("2026-01-01", "New Year's Day", "วันขึ้นปีใหม่"),
    ("2026-03-03", "Makha Bucha Day", "วันมาฆบูชา"),
    ("2026-04-06", "Chakri Memorial Day", "วันจักรี"),
    ("2026-04-13", "Songkran", "วันสงกรานต์"),
    ("2026-04-14", "Songkran", "วันสงกรานต์"),
    ("2026-04-15", "Songkran", "วันสงกรานต์"),
    ("2026-05-01", "Labour Day", "วันแรงงานแห่งชาติ"),
    ("2026-05-04", "Coronation Day", "วันฉัตรมงคล"),
    ("2026-05-31", "Visakha Bucha Day", "วันวิสาขบูชา"),
    ("2026-06-01", "Visakha Bucha Day (substitute)", "ชดเชยวันวิสาขบูชา"),
    ("2026-06-03", "Queen Suthida's Birthday", "วันเฉลิมพระชนมพรรษาสมเด็จพระราชินี"),
    ("2026-07-28", "King Vajiralongkorn's Birthday", "วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว"),
    ("2026-07-29", "Asanha Bucha Day", "วันอาสาฬหบูชา"),
    ("2026-07-30", "Buddhist Lent Day", "วันเข้าพรรษา"),
    ("2026-08-12", "Queen Mother's Birthday (Mother's Day)", "วันแม่แห่งชาติ"),
    ("2026-10-13", "King Bhumibol Memorial Day", "วันนวมินทรมหาราช"),
    ("2026-10-23", "Chulalongkorn Day", "วันปิยมหาราช"),
    ("2026-12-05", "King Bhumibol's Birthday (Father's Day)", "วันพ่อแห่งชาติ"),
    ("2026-12-07", "Father's Day (substitute)", "ชดเชยวันพ่อแห่งชาติ"),
    ("2026-12-10", "Constitution Day", "วันรัฐธรรมนูญ"),
    ("2026-12-31", "New Year's Eve", "วันสิ้นปี"),
    ("2027-01-01", "New Year's Day", "วันขึ้นปีใหม่"),
    ("2027-02-20", "Makha Bucha Day", "วันมาฆบูชา"),
    ("2027-02-22", "Makha Bucha Day (substitute)", "ชดเชยวันมาฆบูชา"),
    ("2027-04-06", "Chakri Memorial Day", "วันจักรี"),
    ("2027-04-13", "Songkran", "วันสงกรานต์"),
    ("2027-04-14", "Songkran", "วันสงกรานต์"),
    ("2027-04-15", "Songkran", "วันสงกรานต์"),
    ("2027-05-01", "Labour Day", "วันแรงงานแห่งชาติ"),
    ("2027-05-03", "Labour Day (substitute)", "ชดเชยวันแรงงานแห่งชาติ"),
    ("2027-05-04", "Coronation Day", "วันฉัตรมงคล"),
    ("2027-05-20", "Visakha Bucha Day", "วันวิสาขบูชา"),
    ("2027-06-03", "Queen Suthida's Birthday", "วันเฉลิมพระชนมพรรษาสมเด็จพระราชินี"),
    ("2027-07-18", "Asanha Bucha Day", "วันอาสาฬหบูชา"),
    ("2027-07-19", "Buddhist Lent Day", "วันเข้าพรรษา"),
    ("2027-07-20", "Asanha Bucha Day (substitute)", "ชดเชยวันอาสาฬหบูชา"),
    ("2027-07-28", "King Vajiralongkorn's Birthday", "วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว"),
    ("2027-08-12", "Queen Mother's Birthday (Mother's Day)", "วันแม่แห่งชาติ"),
    ("2027-10-13", "King Bhumibol Memorial Day", "วันนวมินทรมหาราช"),
    ("2027-10-23", "Chulalongkorn Day", "วันปิยมหาราช"),
    ("2027-10-25", "Chulalongkorn Day (substitute)", "ชดเชยวันปิยมหาราช"),
    ("2027-12-05", "King Bhumibol's Birthday (Father's Day)", "วันพ่อแห่งชาติ"),
    ("2027-12-06", "Father's Day (substitute)", "ชดเชยวันพ่อแห่งชาติ"),
    ("2027-12-10", "Constitution Day", "วันรัฐธรรมนูญ"),
    ("2027-12-31", "New Year's Eve", "วันสิ้นปี"),
)

# The school's usual week (Tuesday to Sunday, 09:00–18:00 with lunch 12:00–13:00; Monday closed).
DEFAULT_WEEK: tuple[tuple[int, str, str], ...] = tuple(
    (weekday, opens, closes) for weekday in range(1, 7) for opens, closes in (("09:00", "12:00"), ("13:00", "18:00"))
)
DEFAULT_SLA_MINUTES = {"first_response": 15, "next_response": 30}


def holiday_rows() -> list[dict[str, object]]:
    return [{"day": date.fromisoformat(day), "name_en": en, "name_th": th} for day, en, th in THAI_HOLIDAYS]


def seed_holidays(session: Session) -> None:
    """Add the seeded holidays that are missing (an admin's edits stay)."""
    session.execute(insert(Holiday).values(holiday_rows()).on_conflict_do_nothing(index_elements=["day"]))
