"""The words a cooking school's front desk hears, Thai and English, that mean the same thing.

A customer asks in Thai about a page the school wrote only in English ("เป็ดย่าง" for the roast
duck class, "รอบเดือนมีนา" for the "8–19 Mar" round), or in English about a Thai page. The line
index (`knowledge.lines`) counts a question's word as stated by a line that states one of its
equivalents here. It is a trade vocabulary, not a dictionary: kinds of food and cooking, people,
days and months, money and places — nothing of one school.

Thai entries are matched in a line as text (Thai has no spaces), so an entry must not be a
piece of unrelated longer words ("ปิด" is inside "เปิด", "สูตร" inside "หลักสูตร"): such words are
left out. English entries are matched as whole words, plurals included.
"""

import re
from functools import lru_cache

from knowledge.embed import stem

GROUPS: tuple[tuple[str, ...], ...] = (
    # people
    ("child", "children", "kid", "kids", "เด็ก"),
    ("adult", "ผู้ใหญ่"),
    ("family", "families", "ครอบครัว"),
    ("parent", "ผู้ปกครอง", "พ่อแม่"),
    ("teacher", "instructor", "chef", "ครู", "เชฟ", "อาจารย์", "ผู้สอน"),
    ("student", "learner", "participant", "นักเรียน", "ผู้เรียน"),
    ("husband", "wife", "spouse", "partner", "สามี", "ภรรยา", "แฟน"),
    ("friend", "เพื่อน"),
    ("sibling", "brother", "sister", "พี่น้อง"),
    ("companion", "observer", "spectator", "ผู้ติดตาม", "ผู้สังเกตการณ์", "นั่งดู"),
    ("beginner", "มือใหม่", "ผู้เริ่มต้น", "ไม่มีพื้นฐาน"),
    ("professional", "pro", "มืออาชีพ"),
    ("basic", "basics", "พื้นฐาน"),
    ("advanced", "ขั้นสูง"),
    # food and cooking
    ("duck", "เป็ด"),
    ("pork", "หมู"),
    ("chicken", "ไก่"),
    ("beef", "เนื้อวัว"),
    ("fish", "ปลา"),
    ("shrimp", "prawn", "กุ้ง"),
    ("crab", "ปู"),
    ("egg", "ไข่"),
    ("rice", "ข้าว"),
    ("noodle", "บะหมี่", "ก๋วยเตี๋ยว"),
    ("dumpling", "wonton", "เกี๊ยว"),
    ("bun", "ซาลาเปา", "หมั่นโถว"),
    ("dough", "flour", "แป้ง"),
    ("wheat", "แป้งสาลี"),
    ("sugar", "น้ำตาล"),
    ("dessert", "sweet", "ขนม", "ของหวาน"),
    ("ice cream", "gelato", "ไอศกรีม", "ไอติม"),
    ("bread", "ขนมปัง"),
    ("cake", "เค้ก"),
    ("pastry", "pastries", "ขนมอบ"),
    ("soup", "broth", "stock", "ซุป", "น้ำซุป"),
    ("sauce", "ซอส", "น้ำจิ้ม"),
    ("vegetable", "ผัก"),
    ("fruit", "ผลไม้"),
    ("coconut", "มะพร้าว"),
    ("curry", "แกง"),
    ("bbq", "barbecue", "barbeque", "บาร์บีคิว"),
    ("spicy", "เผ็ด"),
    ("roast", "roasted", "grill", "grilled", "ย่าง"),
    ("bake", "baked", "baking", "oven", "เตาอบ"),
    ("fry", "fried", "ทอด"),
    ("steam", "steamed", "steamer", "นึ่ง", "เข่ง"),
    ("knife", "knives", "มีด"),
    ("recipe", "สูตรอาหาร", "สมุดสูตร"),
    ("ingredient", "วัตถุดิบ"),
    ("lunch", "อาหารกลางวัน", "มื้อกลางวัน"),
    ("drink", "เครื่องดื่ม"),
    ("vegetarian", "vegan", "veggie", "meatless", "มังสวิรัติ", "วีแกน", "กินเจ", "อาหารเจ"),
    ("gluten", "กลูเตน"),
    ("allergy", "allergic", "แพ้"),
    ("halal", "muslim", "ฮาลาล", "มุสลิม"),
    ("lard", "น้ำมันหมู"),
    ("alcohol", "แอลกอฮอล์"),
    ("wine", "ไวน์"),
    # the course
    ("package", "bundle", "แพ็กเกจ", "แพ็คเกจ"),
    ("voucher", "gift card", "บัตรของขวัญ", "วอยเชอร์", "เวาเชอร์"),
    ("certificate", "cert", "ใบประกาศ", "ประกาศนียบัตร", "ใบรับรอง", "ใบเซอร์", "เซอร์"),
    ("private", "ส่วนตัว"),
    ("group", "กลุ่ม"),
    ("company", "corporate", "team building", "บริษัท", "องค์กร", "ทีมบิลดิ้ง"),
    ("take home", "กลับบ้าน"),
    ("wear", "dress", "clothes", "clothing", "attire", "แต่งตัว", "แต่งกาย", "เสื้อผ้า"),
    ("shoe", "footwear", "feet", "รองเท้า"),
    ("trousers", "pants", "กางเกง"),
    ("apron", "ผ้ากันเปื้อน"),
    ("photo", "picture", "ถ่ายรูป", "รูปภาพ"),
    ("video", "วิดีโอ"),
    ("language", "ภาษา"),
    ("english", "อังกฤษ"),
    ("thai", "ภาษาไทย"),
    ("chinese", "จีน"),
    ("japanese", "ญี่ปุ่น"),
    ("korean", "เกาหลี"),
    ("interpreter", "translator", "ล่าม"),
    ("shop", "store", "ร้านค้า"),
    ("buy", "purchase", "ซื้อ"),
    # money
    ("deposit", "มัดจำ"),
    ("balance", "ส่วนที่เหลือ", "ยอดคงเหลือ", "ที่เหลือ"),
    ("refund", "refunded", "refundable", "คืนเงิน", "เงินคืน"),
    ("discount", "ส่วนลด"),
    ("card", "บัตร"),
    ("bank", "ธนาคาร"),
    ("account", "บัญชี"),
    ("per person", "ต่อคน", "ต่อท่าน", "คนละ", "ท่านละ"),
    ("tier", "ชั้น"),
    ("transfer", "โอน"),
    ("cash", "เงินสด"),
    ("promptpay", "พร้อมเพย์"),
    ("credit card", "บัตรเครดิต"),
    ("amex", "american express"),
    ("invoice", "ใบกำกับภาษี"),
    ("receipt", "ใบเสร็จ"),
    ("vat", "ภาษีมูลค่าเพิ่ม"),
    ("installment", "instalment", "ผ่อน"),
    ("cancel", "cancellation", "ยกเลิก"),
    ("postpone", "reschedule", "เลื่อน"),
    ("substitute", "replacement", "เรียนแทน", "โอนสิทธิ์"),
    # places
    ("parking", "park", "car", "drive", "driving", "จอดรถ", "ที่จอด", "ขับรถ"),  # "can I drive?" asks where to park
    ("boat", "ferry", "เรือ"),
    ("pier", "ท่าเรือ"),
    ("station", "สถานี"),
    ("airport", "สนามบิน"),
    ("hotel", "โรงแรม"),
    ("address", "ที่อยู่"),
    ("office", "สำนักงาน", "ออฟฟิศ"),
    ("map", "แผนที่"),
    ("toilet", "restroom", "bathroom", "ห้องน้ำ"),
    # time
    ("morning", "ตอนเช้า", "ช่วงเช้า"),
    ("afternoon", "ตอนบ่าย", "ช่วงบ่าย"),
    ("evening", "night", "ตอนเย็น", "ช่วงเย็น", "ตอนค่ำ", "ภาคค่ำ"),
    ("weekend", "สุดสัปดาห์", "เสาร์อาทิตย์"),
    ("weekday", "วันธรรมดา"),
    ("holiday", "วันหยุด"),
    ("songkran", "สงกรานต์"),
    ("new year", "ปีใหม่"),
    ("chinese new year", "ตรุษจีน"),
    ("loy krathong", "ลอยกระทง"),
    ("day", "วัน"),
    ("week", "สัปดาห์"),
    ("month", "เดือน"),
    ("hour", "ชั่วโมง"),
    ("monday", "mon", "จันทร์"),
    ("tuesday", "tue", "tues", "อังคาร"),
    ("wednesday", "wed", "พุธ"),
    ("thursday", "thu", "thur", "thurs", "พฤหัส"),
    ("friday", "fri", "ศุกร์"),
    ("saturday", "sat", "เสาร์"),
    ("sunday", "sun", "วันอาทิตย์"),
    ("chinese new year", "lunar new year", "ตรุษจีน"),
    ("songkran", "สงกรานต์"),
    ("new year", "ปีใหม่"),
    ("christmas", "คริสต์มาส"),
)

# Small numbers as words: "the one-day class" is the 1-day class.
NUMBERS: tuple[tuple[str, ...], ...] = tuple(
    (str(n), english)
    for n, english in enumerate(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], start=1)
)  # Thai number words are inside other words ("สาม" in "สามารถ")

# Months: the English name, its abbreviation and the Thai forms. A Thai question's month is
# found before its words are cut ("รอบเดือนมีนาปี 70": the cutter reads "มี|นาปี").
MONTHS: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "มกราคม", "มกรา", "ม.ค."),
    ("february", "feb", "กุมภาพันธ์", "กุมภา", "ก.พ."),
    ("march", "mar", "มีนาคม", "มีนา", "มี.ค."),
    ("april", "apr", "เมษายน", "เมษา", "เม.ย."),
    ("may", "พฤษภาคม", "พฤษภา", "พ.ค."),
    ("june", "jun", "มิถุนายน", "มิถุนา", "มิ.ย."),
    ("july", "jul", "กรกฎาคม", "กรกฎา", "ก.ค."),
    ("august", "aug", "สิงหาคม", "สิงหา", "ส.ค."),
    ("september", "sep", "sept", "กันยายน", "กันยา", "ก.ย."),
    ("october", "oct", "ตุลาคม", "ตุลา", "ต.ค."),
    ("november", "nov", "พฤศจิกายน", "พฤศจิกา", "พ.ย."),
    ("december", "dec", "ธันวาคม", "ธันวา", "ธ.ค."),
)
_THAI = re.compile(r"[\u0E00-\u0E7F]")
_THAI_MONTH = re.compile(
    "|".join(
        sorted((re.escape(f) for m in MONTHS for f in m[1:] if _THAI.search(f)), key=len, reverse=True)
    )
)
_MONTH_OF = {f: m[0] for m in MONTHS for f in m[1:]}  # a month's every form → its English name
_ENGLISH_MONTH = re.compile(
    r"(?<![a-z])("
    + "|".join(sorted((f for m in MONTHS for f in m if not _THAI.search(f) and f != "may"), key=len, reverse=True))
    + r")(?![a-z])"
)
_MAY = re.compile(r"\d\s*may(?![a-z])|(?<![a-z])may\s*\d|(?<![a-z])(?:in|of|for) may(?![a-z])")  # not "may I"


@lru_cache(maxsize=65536)
def months_named(text: str) -> frozenset[str]:
    """The months a text names, in any of their forms, as English names ("15–17 Jun",
    "รอบเดือนกันยา", "in May"; not the "may" of "may I bring …")."""
    lowered = text.lower()
    found = {_MONTH_OF[m.group(0)] for m in _THAI_MONTH.finditer(lowered)}
    found |= {_MONTH_OF.get(m, m) for m in _ENGLISH_MONTH.findall(lowered)}
    return frozenset(found | ({"may"} if _MAY.search(lowered) else set()))
MIN_THAI = 3  # a shorter Thai entry is inside too many unrelated words to be matched as text


def _key(entry: str) -> str:
    return entry if _THAI.search(entry) or " " in entry else stem(entry)


def _lookup() -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for group in (*GROUPS, *NUMBERS, *MONTHS):
        for entry in group:
            out.setdefault(_key(entry), set()).update(e for e in group if e != entry)
    return {k: tuple(sorted(v)) for k, v in out.items()}


_EQUIVALENTS = _lookup()


def equivalents(term: str) -> tuple[str, ...]:
    """The words meaning what a question's word (a Thai word, or a stemmed English one) means."""
    return _EQUIVALENTS.get(term, ())


def english_months(text: str) -> str:
    """The text with its Thai month names written as English ones ("เดือนตุลา" → "เดือน october "),
    so a month survives the Thai word cutter."""
    return _THAI_MONTH.sub(lambda m: f" {_MONTH_OF[m.group(0)]} ", text)


PHRASES = {
    p: re.compile(r"(?<![a-z])" + re.escape(p) + r"(?![a-z])")
    for p in sorted({e for group in GROUPS for e in group if " " in e}, key=len, reverse=True)
}


def phrases_in(text: str) -> list[str]:
    """The glossary's phrases ("ice cream", "team building") a lower-cased text uses."""
    return [p for p, found in PHRASES.items() if found.search(text)]


_SHORT_YEAR = re.compile(r"(ปี|พ\.ศ\.)\s?(\d{2})(?!\d)")


def full_years(text: str) -> str:
    """A Thai short year written whole: "ปี 70" → "ปี 2570"."""
    return _SHORT_YEAR.sub(lambda m: f"{m.group(1)} 25{m.group(2)}", text)


def other_era(term: str) -> tuple[str, ...]:
    """The same year in the other era: 2570 (Buddhist) is 2027."""
    if len(term) == 4 and term.isdigit():
        year = int(term)
        if 2500 <= year <= 2700:
            return (str(year - 543),)
        if 1950 <= year <= 2150:
            return (str(year + 543),)
    return ()


@lru_cache(maxsize=4096)
def pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of these words in a lower-cased line: Thai ones as text (when
    long enough), English ones as whole words with their plurals; "may" only beside a number
    (a date, not "you may")."""
    parts = []
    for word in words:
        if _THAI.search(word):
            if len(word) >= MIN_THAI:
                parts.append(re.escape(word))
        elif word == "may":
            parts.append(r"(?<=\d)\s?may\b|\bmay(?=\s?\d)")
        else:
            parts.append(r"(?<![a-z])" + re.escape(word) + r"(?:s|es)?(?![a-z])")
    return re.compile("|".join(parts)) if parts else None
