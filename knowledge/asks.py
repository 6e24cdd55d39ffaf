"""What a customer asks: the attributes (price, duration, class times, next round, address …)
and the words left over that name *what* it is about (a course, a product, the school).

Attributes are recognised from a small Thai and English vocabulary of question cues, matched
longest first so one phrase counts once ("เริ่มวันไหน" is a next-round question, not a which-days
one). Weak cues ("how much", "เท่าไหร่", "when", "start") count only when no strong cue is
found: in "how much deposit" the deposit is asked, not a course's price. Each attribute also
says what an answering line looks like (`evidence`: a price, a time, a date, a phone number … or
words), which `knowledge.ranking` uses to pick the line that states it. The vocabulary is a
cooking school's everyday one and knows no school's courses: those come from each school's own
documents and catalog.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from knowledge.chunk import thai_words
from models.ai_rules import dates_in, prices_in

_THAI = re.compile(r"[\u0E00-\u0E7F]")

_NUM_WORD = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ)"
DURATION = re.compile(
    _NUM_WORD
    + r"[\s-]?(?:(?:working |business )?days?|weeks?|hours?|months?|evenings?|mornings?|วัน|สัปดาห์|ชั่วโมง|ชม\.|เดือน)",
    re.I,
)
TIME = re.compile(r"(?<![\d,])\d{1,2}[:.]\d{2}(?![\d,])")
WEEKDAY = re.compile(
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|every day|daily|"
    r"จันทร์|อังคาร|พุธ|พฤหัส|ศุกร์|เสาร์|อาทิตย์|ทุกวัน|สุดสัปดาห์",
    re.I,
)
COUNT = re.compile(
    r"(?<![\d,.])(?:[2-9]|[1-9]\d+)\s*(?:students?|people|persons?|cooks?|bakers?|places|seats?|guests?|children|participants|ท่าน|คน|ที่นั่ง|ที่)|"
    r"(?:at most|up to|maximum|max\.?|ไม่เกิน|สูงสุด)\s*\d+|(?:six|eight|ten|twelve|four)\s+(?:students|cooks|bakers|people|children)",
    re.I,
)
POSTCODE = re.compile(r"(?<![\d-])\d{5}(?![\d-])")  # not part of an account number
ADDRESS_WORDS = re.compile(
    r"\bsoi\b|\broad\b|\bfloor\b|\bbuilding\b|\bdistrict\b|ซอย|ถนน|ชั้น \d|อาคาร|ตำบล|แขวง|เขต|อำเภอ|จังหวัด",
    re.I,
)


def _address(text: str) -> bool:
    """A postcode, or at least two address words (soi, floor, แขวง …)."""
    return bool(POSTCODE.search(text)) or len(set(ADDRESS_WORDS.findall(text.lower()))) >= 2


CONTACT = re.compile(r"\d{2,3}-\d{3}-\d{3,4}|@\w{3,}|\S+@\S+\.\w+", re.I)
# Which way of contact a cue asks for, and what a line giving it looks like.
CONTACT_KINDS = (
    (("เบอร์", "โทร", "phone", "call you"), re.compile(r"(?<!\d)0\d{1,2}[- ]?\d{3}[- ]?\d{3,4}(?!\d)")),
    (("อีเมล", "email", "e-mail"), re.compile(r"\S+@\S+\.\w+")),
    (("ไลน์", "line id"), re.compile(r"(?<!\S)@\w{3,}|line\s*(?:id)?\s*[:：]", re.I)),
)


def gives_contact(cue: str, text: str) -> bool | None:
    """Does the line give the way of contact this cue asks for (None: the cue names no way)?"""
    for cues, pattern in CONTACT_KINDS:
        if cue in cues:
            return bool(pattern.search(text))
    return None
AGE = re.compile(
    r"\d+\s*(?:years?|ปี|ขวบ)|ages?\s*\d+|อายุ\s*\d+|(?<![\d:.–-])\d{1,2}\s*[–-]\s*\d{1,2}(?![\d:.–-])"
    r"(?!\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ม\.|ก\.|มี|เม|พ\.|มิ|ส\.|ต\.|ธ\.|[ก-๙]+าคม|[ก-๙]+ายน|กุมภา))",
    re.I,
)  # an age range, not a date range ("26–28 Jan")
PERCENT = re.compile(r"\d+\s?%")


def _price(text: str) -> bool:
    return bool(prices_in(text)) or bool(re.search(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])", text))


def _regex(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: bool(pattern.search(text))


@dataclass(frozen=True)
class Attribute:
    name: str
    strong: tuple[str, ...]  # cues that always mean this is asked
    weak: tuple[str, ...] = ()  # cues that count only when nothing strong was found
    evidence: Callable[[str], bool] | None = None  # does a line state it?
    words: tuple[str, ...] = ()  # or: words a stating line uses
    money: bool = False  # its answer is an amount (a "how much" is about it, not a price)
    per_entity: bool = True  # differs per course (price) or is the school's (address)
    matter: bool = False  # a matter of the school's own (parking, refunds): a time or price on its line is its
    label: tuple[str, str] = ("", "")  # (English, Thai) for staff


# One attribute a line: name | strong cues | weak cues | words a stating line uses | flags
# (money: its answer is an amount; school: the school's, not a course's; kind: a kind of class,
# not a matter a time or price can belong to) | English | Thai label.
# Attributes with a shape (price, time, date …) are recognised by EVIDENCE instead of words.
VOCABULARY = [
    "price | ราคา;เสียเงิน;ค่าเรียน;ค่าลงทะเบียน;กี่บาท;ค่าใช้จ่าย;ค่าค่าย;ค่าคอร์ส;price;prices;cost;costs;fee;fees;tuition;how much is;how much does;how much for;how much are;how much per;how much would | เท่าไหร่;เท่าไร;how much |  |  | the price | ราคา",
    "duration | กี่วัน;กี่สัปดาห์;กี่ชั่วโมง;กี่เดือน;นานแค่ไหน;นานไหม;ใช้เวลา;ระยะเวลา;how many days;how many weeks;how many hours;how many months;how long;length;duration |  |  |  | how long it lasts | ระยะเวลา",
    "time | กี่โมง;เวลาเรียน;เวลาทำการ;เวลาเปิด;เวลาเท่าไหร่;เวลาไหน;ช่วงเวลา;what time;opening hours;office hours;hours;เปิดกี่โมง;class time;start time;end time;finish time | time |  |  | the times | เวลา",
    "days | วันไหนบ้าง;วันอะไร;เรียนวันไหน;ทุกวันไหม;เสาร์อาทิตย์;วันเสาร์;วันอาทิตย์;วันจันทร์;วันพุธ;วันศุกร์;which days;what days;day of the week;days of the week;weekends;weekend;on wednesdays;on mondays;on sundays;on saturdays;on fridays;every day | วันไหน |  |  | which days | วันเรียน",
    "next_round | รอบถัดไป;รอบหน้า;รุ่นหน้า;รุ่นถัดไป;รุ่นต่อไป;รอบต่อไป;เริ่มวันไหน;เริ่มเมื่อไหร่;เริ่มเมื่อไร;เปิดวันไหน;เปิดรอบ;วันที่เท่าไหร่;เปิดเมื่อไหร่;วันเปิดรุ่น;next;intake;start date;dates;when can i do;when is the next | เมื่อไหร่;เมื่อไร;when;start;starts;begin;begins |  |  | the next start date | รอบเรียนถัดไป",
    "seats | เหลือกี่ที่นั่ง;เหลือกี่ที่;เหลือที่ไหม;ยังมีที่นั่ง;ที่นั่งว่าง;ยังมีที่ว่าง;ยังว่างอยู่;ยังว่าง;เต็มหรือยัง;เต็มยัง;เต็มแล้วหรือยัง;seats left;any seats;spaces left;places left;still available;is it full;fully booked;กี่คน;กี่ท่าน;จำนวนนักเรียน;จำนวนผู้เรียน;ที่นั่ง;รับกี่;how many people;how many students;class size;seats;how many places;students per;per class;max students;maximum students;max people;maximum people;group size | full;เต็ม |  |  | how many seats | จำนวนที่นั่ง",
    "address | ที่อยู่;อยู่ที่ไหน;อยู่ตรงไหน;ตั้งอยู่;address;where is;where are you;location;located |  |  | school | the address | ที่อยู่",
    "directions | ไปยังไง;เดินทาง;ไปทางไหน;รถไฟฟ้า;บีทีเอส;ลงสถานี;สนามบิน;นั่งรถ;get to;get there;how do i get;directions;bts;mrt;train;airport;how far;taxi |  | train station;bus station;สถานี;bts;mrt;walk;เดิน;taxi;grab;songthaew;รถแดง;drive;ขับรถ;minute;นาที;exit;ทางออก;airport;สนามบิน | school | how to get there | การเดินทาง",
    "parking | ที่จอดรถ;จอดรถ;parking;park my car;park |  | park;จอด | school | parking | ที่จอดรถ",
    "contact | เบอร์;โทร;ไลน์;อีเมล;email;e-mail;phone;call you;contact;ติดต่อ;line id |  |  | school | how to contact the school | ช่องทางติดต่อ",
    "deposit | มัดจำ;วางมัดจำ;จ่ายมัดจำ;โอนมัดจำ;deposit;reserve a;secure |  | มัดจำ;deposit | money school | the deposit | มัดจำ",
    "balance | ส่วนที่เหลือ;ที่เหลือ;the rest;balance;remaining |  | balance;the rest;ส่วนที่เหลือ;ที่เหลือ | money school | when the balance is due | กำหนดชำระส่วนที่เหลือ",
    "instalment | ผ่อน;แบ่งจ่าย;instalment;instalments;installment;installments |  | ผ่อน;แบ่งจ่าย;instalment;installment |  | instalments | การผ่อนชำระ",
    "payment | จ่าย;ชำระ;โอน;พร้อมเพย์;บัตรเครดิต;เงินสด;pay;payment;promptpay;credit card;card;transfer;bank;cash |  | promptpay;พร้อมเพย์;transfer;โอน;card;บัตรเครดิต;บัตรเดบิต;รูดบัตร;cash;เงินสด;bank;ธนาคาร;qr | school | how to pay | ช่องทางชำระเงิน",
    "refund | คืนเงิน;เงินคืน;ยกเลิก;refund;cancel;money back |  | refund;คืนเงิน;เงินคืน;cancel;ยกเลิก | money school | refunds | การคืนเงิน",
    "reschedule | เลื่อน;เปลี่ยนวัน;เปลี่ยนรอบ;ย้ายรอบ;change my;change the date;move to;switch;reschedule;another date;later class |  | เลื่อน;move;another date;switch;change;ย้าย | school | changing the date | การเลื่อนวันเรียน",
    "vegetarian | มังสวิรัติ;กินเจ;ทานเจ;วีแกน;ไม่ทานเนื้อ;vegetarian;vegan |  | มังสวิรัติ;วีแกน;vegetarian;vegan;เจ |  | vegetarian food | อาหารมังสวิรัติ",
    "halal | ฮาลาล;มุสลิม;หมู;halal;muslim;pork |  | ฮาลาล;halal;pork;หมู |  | halal food | อาหารฮาลาล",
    "allergy | แพ้;กลูเตน;allergy;allergic;allergies;gluten;coeliac;celiac;peanut;peanuts;nut;nuts |  | แพ้;allerg;gluten;กลูเตน;coeliac;nut;ถั่ว |  | allergies | การแพ้อาหาร",
    "certificate | ใบประกาศ;ใบรับรอง;ประกาศนียบัตร;วุฒิ;certificate;recognised;recognized;accredited |  | certificate;ใบรับรอง;ใบประกาศ;ประกาศนียบัตร;diploma;recognis;รับรอง |  | the certificate | ใบรับรอง",
    "language | ภาษา;อังกฤษ;ล่าม;พูดไทย;in english;english;interpreter;language;speak thai;taught in |  | english;อังกฤษ;ภาษา;interpret;ล่าม | school | the language of the class | ภาษาที่ใช้สอน",
    "age | อายุ;ขวบ;กี่ปี;กี่ขวบ;how old;minimum age;age;ages;years old;year old;year-old;years-old;yr old | my son;my daughter;ลูกชาย;ลูกสาว |  |  | the age limits | อายุผู้เรียน",
    "curriculum | เรียนอะไร;สอนอะไร;เมนูอะไร;ทำอะไร;ทำเมนู;แบบไหนบ้าง;what will i;what do we;what dishes;which dishes;what sweets;dishes;menu;curriculum;cover;learn;do we make;will we make;do we learn;will we learn;you make;you learn;you'll make;you will make;you'll learn;you will learn;ได้ทำ;ได้เรียน;สิ่งที่เรียน;สิ่งที่ได้เรียน;เมนูที่;เนื้อหา |  | you make;you learn;you'll make;you will make;you'll learn;you will learn;we make;we learn |  | what is taught | เนื้อหาที่เรียน",
    "wear | แต่งตัว;แต่งกาย;ใส่อะไร;รองเท้า;wear;shoes;dress |  | wear;shoes;รองเท้า;ใส่;clothes;เสื้อผ้า | school | what to wear | การแต่งกาย",
    "bring | ต้องเตรียม;เตรียมอะไร;เตรียมตัว;ต้องเอาอะไรไป;ต้องนำอะไร;what to bring;need to bring;should i bring;do i bring;bring anything;bring my own |  | bring;เตรียม;provide;supplied;นำมา;เอามา;เอาไป | school | what to bring | สิ่งที่ต้องเตรียม",
    "take_home | กลับบ้าน;ห่อกลับ;take home;take the food;bring home;leftovers |  | home;กลับบ้าน;box;กล่อง | school | taking food home | การนำอาหารกลับบ้าน",
    "private | ส่วนตัว;private;บริษัท;company;corporate;team building;องค์กร;พนักงาน |  | private;ส่วนตัว;company;บริษัท;corporate;team | school kind | private or company classes | คลาสส่วนตัวหรือองค์กร",
    "discount | ส่วนลด;ลดราคา;ราคาพิเศษ;แพ็กเกจ;discount;promotion;bundle;package;deal |  | discount;ส่วนลด;ลด;bundle;package;แพ็กเกจ;%;off;save;ประหยัด | money | discounts and packages | ส่วนลดและแพ็กเกจ",
    "holiday | วันหยุด;สงกรานต์;ปีใหม่;ปิดไหม;holiday;holidays;closed;songkran;new year;open during |  | closed;ปิด;holiday;วันหยุด | school | holidays | วันหยุด",
    "internship | ฝึกงาน;internship;intern;placement |  | internship;ฝึกงาน;placement |  | the internship | การฝึกงาน",
    "teacher | ใครสอน;ผู้สอน;who teaches;teacher;instructor | who is;who's;ใคร | chef;เชฟ;taught by;สอนโดย |  | who teaches | ผู้สอน",
    "media | ถ่ายรูป;ถ่ายวิดีโอ;วิดีโอ;ไลฟ์;photo;photos;video;film;record |  | photo;video;ถ่าย;วิดีโอ;live | school | photos and video | การถ่ายรูปและวิดีโอ",
    "visit | เยี่ยมชม;ดูสถานที่;ไปดู;visit;tour;look around;taste |  | visit;เยี่ยมชม;guests;tour | school | visiting | การเยี่ยมชม",
    "delivery | จัดส่ง;ส่งของ;ค่าส่ง;ต่างจังหวัด;delivery;deliver;ship;shipping |  | ship;deliver;จัดส่ง;ส่ง |  | delivery | การจัดส่ง",
    "beginner | มือใหม่;ไม่มีพื้นฐาน;ไม่เคย;beginner;beginners;never;no experience;experience |  | beginner;มือใหม่;experience;พื้นฐาน;background;no previous |  | whether beginners can join | เหมาะกับมือใหม่ไหม",
    "lunch | ข้าวเที่ยง;อาหารกลางวัน;lunch |  | lunch;กลางวัน;meal;มื้อ |  | lunch | อาหารกลางวัน",
    "invoice | ใบกำกับภาษี;tax invoice;receipt;ใบเสร็จ |  | invoice;ใบกำกับ;receipt;ใบเสร็จ | school | invoices | ใบกำกับภาษี",
    "exam | สอบ;exam;test |  | exam;สอบ |  | the exam | การสอบ",
]
EVIDENCE: dict[str, Callable[[str], bool]] = {
    "price": _price,
    "duration": _regex(DURATION),
    "time": _regex(TIME),
    "days": _regex(WEEKDAY),
    "next_round": lambda text: bool(dates_in(text)),
    "seats": _regex(COUNT),
    "address": _address,
    "contact": _regex(CONTACT),
    "age": _regex(AGE),
}


def _parse(row: str) -> Attribute:
    name, strong, weak, words, flags, english, thai = (part.strip() for part in row.split(" | "))
    split = lambda cues: tuple(c for c in cues.split(";") if c)  # noqa: E731
    return Attribute(
        name,
        split(strong),
        split(weak),
        EVIDENCE.get(name),
        split(words),
        "money" in flags,
        "school" not in flags,
        "school" in flags and name not in EVIDENCE and "kind" not in flags,
        (english, thai),
    )


ATTRIBUTES: tuple[Attribute, ...] = tuple(_parse(row) for row in VOCABULARY)
BY_NAME = {a.name: a for a in ATTRIBUTES}

# Words that name no particular thing: kinds of offering, the school, verbs of asking.
GENERIC = frozenset(
    [
        "course",
        "courses",
        "class",
        "classes",
        "workshop",
        "workshops",
        "programme",
        "program",
        "programs",
        "lesson",
        "lessons",
        "school",
        "academy",
        "study",
        "learn",
        "learning",
        "join",
        "take",
        "want",
        "need",
        "like",
        "know",
        "tell",
        "make",
        "cook",  # a cooking school's every question cooks: it names no course
        "round",  # a course's round or intake is any course's: the record knows them
        "intake",
        "batch",
        "รอบ",
        "รุ่น",
        "use",
        "get",
        "go",
        "come",
        "still",
        "really",
        "please",
        "thanks",
        "thank",
        # the frame of a question, not its topic ("is that a problem?", "what's the number?")
        "number",
        "problem",
        "possible",
        "okay",
        "ok",
        "allowed",
        "able",
        "include",
        "included",
        "includ",
        "someone",
        "anyone",
        "somebody",
        "anybody",
        "enrol",
        "enroll",
        "register",
        "end",
        "ที่นี่",
        "พร้อมกัน",
        "คอร์ส",
        "คลาส",
        "หลักสูตร",
        "เวิร์กช็อป",
        "เรียน",
        "โรงเรียน",
        "ร้าน",  # "เบอร์ร้าน", "ร้านเปิดกี่โมง": customers call the school its shop
        "สถาบัน",
        "อยาก",
        "ต้องการ",
        "สนใจ",
        "สมัคร",
        "ทำ",
        "เอา",
        "ใช้",
        "ได้ไหม",
        "ไหม",
        "หรือเปล่า",
        "ครับ",
        "ค่ะ",
        "คะ",
        "นะ",
        "จ้า",
        "บ้าง",
        "หน่อย",
        "ด้วย",
        "ขอ",
        "ถาม",
        "ค่าย",
        "ช่วง",
        "ทั้ง",
        "ต้อง",
        "แบบ",
        "ยัง",
        "ยังไง",
        "อย่างไร",
        "อะไร",
        "ไหน",
        "ใคร",
        # how a question is put, naming no topic ("what happens if", "max", "กี่เปอร์เซ็นต์")
        "happen",
        "happens",
        "only",
        "เดียว",  # "วันเดียว", "คนเดียว": one, alone
        "fully",
        "option",
        "options",
        "policy",
        "fine",
        "pls",
        "plz",
        "ahead",
        "amount",
        "max",
        "maximum",
        "min",
        "minimum",
        "first",
        "percent",
        "percentage",
        "next year",
        "this year",
        "available",
        "suitable",
        "extra",
        "additional",
        "other",
        "another",
        "same",
        "different",
        "whole",
        "entire",
        "early",
        "late",
        "later",
        "earlier",
        "last",
        "big",
        "small",
        "good",
        "best",
        "better",
        "easy",
        "hard",
        "difficult",
        "necessary",
        "required",
        "must",
        "give",
        "provide",
        "offer",
        "accept",
        "allow",
        "help",
        "send",
        "stay",
        "wait",
        "arrive",
        "leave",
        "attend",
        "work",
        "run",
        "hold",
        "also",
        "again",
        "already",
        "just",
        "actually",
        "maybe",
        "finish",
        "finishes",
        "nearest",
        "near",
        "closest",
        "value",
        "values",
        "annual",
        "yearly",
        "usually",
        "normally",
        "exactly",
        "currently",
        "doesnt",
        "dont",
        "isnt",
        "cant",
        "กี่",
        "month",
        "เดือน",  # "รอบเดือนตุลา": the month named is the topic
        "เปอร์เซ็นต์",
        "ขั้นต่ำ",
        "สูงสุด",
        "เข้าเรียน",
        "รับได้",
        "ปีหน้า",
        "ปีนี้",
        "แรก",
        "คนละ",
        "ท่านละ",
        "นานๆ",
        "ไม่ค่อย",
        # joining and framing words: "กี่โมงถึงกี่โมง", "นอกจากวันเสาร์", "since when", "X vs Y"
        "ถึง",
        "นอกจาก",
        "ตอนนี้",
        "เสร็จ",
        "besides",
        "beside",
        "since",
        "versus",
        "vs",
        "together",
    ]
)
NUMBER_WORDS = frozenset(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])
GENERIC = GENERIC | NUMBER_WORDS  # "one-day" names no thing; the digits of a course's name do


@dataclass(frozen=True)
class Ask:
    attributes: tuple[str, ...]  # in the order asked
    rest: str  # the question without its cue phrases: what names the thing asked about
    money: bool  # a "how much" about an amount that is not a price (deposit, refund)
    named: bool = False  # the question names a particular course or product
    cues: tuple[tuple[str, str], ...] = ()  # (attribute, the cue phrase as the customer wrote it)


def _cue_pattern(cue: str) -> re.Pattern[str]:
    if re.search(r"[\u0E00-\u0E7F]", cue):
        return re.compile(re.escape(cue))
    return re.compile(r"(?<![a-z])" + re.escape(cue) + r"(?![a-z])")


_CUES = sorted(
    (
        (len(c), c, a.name, strong, _cue_pattern(c))
        for a in ATTRIBUTES
        for strong, cues in ((True, a.strong), (False, a.weak))
        for c in cues
    ),
    key=lambda item: -item[0],
)


# Chat spellings of the cue words ("how mch", "wat time"): read as meant.
TYPOS = {"mch": "much", "muh": "much", "hw": "how", "wat": "what", "wht": "what", "whats": "what's", "tme": "time", "prise": "price", "pirce": "price", "shoud": "should", "adress": "address", "stn": "station", "hrs": "hours", "mins": "minutes", "thx": "thanks"}  # fmt: skip
_TYPO = re.compile(r"(?<![a-z'])(" + "|".join(TYPOS) + r")(?![a-z'])")
THAI_TYPOS = {"คอส": "คอร์ส", "เบอโทร": "เบอร์โทร", "ส่วนทีเหลือ": "ส่วนที่เหลือ", "รอบเดือน": "รอบ เดือน"}  # รอบเดือน: "round in month …", not the cutter's one word
MONTH = re.compile(
    r"(?<![a-z])(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?(?![a-z])|"
    r"มกรา|กุมภา|มีนา|เมษา|พฤษภา|มิถุนา|กรกฎา|สิงหา|กันยา|ตุลา|พฤศจิกา|ธันวา"
)


def read_question(question: str) -> Ask:
    """The attributes asked (strong cues first; weak ones only when nothing strong matched)
    and the rest of the question. A question naming a month and nothing else asks when ("is
    there a round in July?")."""
    text = _TYPO.sub(lambda m: TYPOS[m.group(1)], question.lower())
    for typo, meant in THAI_TYPOS.items():
        text = text.replace(typo, meant)
    taken = [False] * len(text)
    found: list[tuple[int, str, bool]] = []
    inside = _inside_a_word(text)
    for _, _, name, strong, pattern in _CUES:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]) or inside(m.start(), m.end()):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), name, strong))
    strong_names = {n for _, n, s in found if s}
    money = any(BY_NAME[n].money for n in strong_names)
    segments = _segments(text)
    names: list[str] = []
    for start, name, strong in sorted(found):
        beside = [n for at, n, s in found if s and segments[at] == segments[start]]
        alone = not money and (
            not beside or (name == "price" and all(BY_NAME[n].evidence is None for n in beside))
        )  # "ซูชิเท่าไหร่ เริ่มเมื่อไหร่" and "a private class, how much?" ask a price; "อายุขั้นต่ำเท่าไหร่" does not
        if (strong or not strong_names or alone) and name not in names:
            names.append(name)
    if MONTH.search(text) and not names:
        names.append("next_round")
    elif MONTH.search(text) and "days" in names and "next_round" not in names:  # "which day in March": a date
        names[names.index("days")] = "next_round"
    rest = "".join(" " if taken[i] else ch for i, ch in enumerate(text))
    cues = tuple(
        (name, text[start : start + length])
        for start, name, _ in sorted(found)
        for length in [_span(text, start)]
    )
    return Ask(tuple(names), rest, money, cues=cues)


_BOUNDARY = re.compile(r"[,?;!]|\s(?:and|&)\s|(?<=[\u0E00-\u0E7F])\s+(?=[\u0E00-\u0E7F])")


def _segments(text: str) -> list[int]:
    """For each character, the number of the clause it is in (clauses end at , ? ; ! "and", or
    a space between Thai words: Thai writes a space where English ends a clause)."""
    out = [0] * len(text)
    for at, m in enumerate(_BOUNDARY.finditer(text), start=1):
        out[m.start() :] = [at] * (len(text) - m.start())
    return out


def _inside_a_word(text: str) -> Callable[[int, int], bool]:
    """Is text[start:end] wholly inside one longer Thai word ("ไลน์" in "ออนไลน์", "สอบ" in
    "สอบถาม")? Then it is not the cue."""
    spans: list[tuple[int, int]] = []
    at = 0
    for word in thai_words(text) if _THAI.search(text) else ():
        spans.append((at, at + len(word)))
        at += len(word)
    return lambda start, end: any(
        s <= start and end <= e and e - s > end - start and _THAI.match(text[start]) for s, e in spans
    )


def _span(text: str, start: int) -> int:
    for length, cue, *_ in _CUES:
        if text.startswith(cue, start):
            return length
    return 0


def states(attribute: str, text: str) -> bool:
    """Does this text state the attribute (a price, a time, a date, or its words)?"""
    a = BY_NAME[attribute]
    lowered = _untitled(text)
    if a.evidence is not None:
        return a.evidence(text)
    if a.words:
        return any(_word(w).search(lowered) for w in a.words)
    return False


@lru_cache(maxsize=65536)
def _untitled(text: str) -> str:
    """Lower-cased, without the names after a title: "Chef Park" is a person, not a place to park."""
    return _TITLED.sub(" ", text).lower()


_TITLED = re.compile(r"\b(?:Chef|Khun|Mr|Mrs|Ms|Miss|Dr|Kru|Teacher)\.?\s+[A-Z][A-Za-z'-]*")  # a title, then a name
_WORDS: dict[str, re.Pattern[str]] = {}


def _word(word: str) -> re.Pattern[str]:
    """Thai words match anywhere; English ones at a word's start ("off" is not in "coffee")."""
    held = _WORDS.get(word)
    if held is None:
        thai = re.search(r"[\u0E00-\u0E7F%]", word)
        held = _WORDS[word] = re.compile(
            re.escape(word) if thai else r"(?<![a-z])" + re.escape(word)
        )
    return held


def asks(question: str) -> list[str]:
    """The attribute names a question asks (for staff and tests)."""
    return list(read_question(question).attributes)


def percent(text: str) -> bool:
    return bool(PERCENT.search(text))
