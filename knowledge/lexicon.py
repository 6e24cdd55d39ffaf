"""The school's everyday vocabulary, Thai and English, grouped into concepts.

Customers ask in their own words — "กี่บาท", "how much", "ค่าเรียน" — while a document says
"ราคา … บาท" or "fee". The offline embedder adds one feature per concept a text mentions, so a
question and a passage that use different words (or languages, or transliterations like
"บีทีเอส"/"BTS") for the same thing still share something. Thai entries match as substrings
(Thai has no spaces); English entries match stemmed words, or as phrases when they contain a space.
Keep it to words a front desk hears every day; it is not a translation dictionary.
"""

CONCEPTS: dict[str, tuple[str, ...]] = {
    "price": ("ราคา", "ค่าเรียน", "กี่บาท", "เท่าไหร่", "เท่าไร", "ค่าใช้จ่าย", "price", "cost", "fee", "how much", "thb", "บาท"),
    "refund": ("คืนเงิน", "เงินคืน", "ได้เงินคืน", "refund", "money back"),
    "cancel": ("ยกเลิก", "ไม่ได้ไป", "ไปไม่ได้", "cancel", "can't make it", "cannot make it"),
    "move_date": ("เลื่อน", "เปลี่ยนรอบ", "ย้ายรอบ", "switch", "transfer", "reschedule", "another date", "later class"),
    "deposit": ("มัดจำ", "จองที่นั่ง", "จอง", "deposit", "reserve", "booking", "book"),
    "instalment": ("ผ่อน", "แบ่งจ่าย", "installment", "instalment", "monthly"),
    "pay": ("ชำระ", "จ่าย", "โอน", "พร้อมเพย์", "บัตรเครดิต", "pay", "payment", "promptpay", "credit card", "transfer slip"),
    "certificate": ("ใบประกาศ", "ใบรับรอง", "ประกาศนียบัตร", "วุฒิ", "certificate", "diploma", "qualification"),
    "parking": ("ที่จอดรถ", "จอดรถ", "ขับรถ", "parking", "park", "drive", "car"),
    "location": ("ที่อยู่", "อยู่ที่ไหน", "อยู่ตรงไหน", "ไปยังไง", "เดินทาง", "address", "where", "location", "get there", "get to"),
    "train": ("บีทีเอส", "รถไฟฟ้า", "bts", "skytrain", "เอ็มอาร์ที", "mrt", "สถานี", "station", "train"),
    "schedule": ("รอบ", "ตาราง", "เริ่มเรียน", "วันไหน", "เมื่อไหร่", "schedule", "intake", "next class", "start", "begin", "when", "dates"),
    "hours": ("กี่โมง", "เวลาเรียน", "เวลาทำการ", "เปิดกี่โมง", "hours", "what time", "o'clock"),
    "holiday": ("วันหยุด", "ปีใหม่", "สงกรานต์", "ปิดช่วง", "ปิดทำการ", "holiday", "closed", "new year", "songkran"),
    "language": ("ภาษา", "อังกฤษ", "ล่าม", "พูดไทย", "language", "english", "interpreter", "speak thai", "taught in"),
    "vegetarian": ("มังสวิรัติ", "กินเจ", "ทานเจ", "วีแกน", "ไม่ทานเนื้อ", "vegetarian", "vegan", "meat"),
    "halal": ("ฮาลาล", "มุสลิม", "อิสลาม", "หมู", "halal", "muslim", "pork"),
    "allergy": ("แพ้", "กลูเตน", "allergy", "allergic", "allergies", "gluten", "nut"),
    "age": ("อายุ", "ลูกชาย", "ลูกสาว", "เด็ก", "ผู้ปกครอง", "age", "years old", "son", "daughter", "child", "kid", "teen", "parent"),
    "media": ("ถ่ายรูป", "ถ่ายวิดีโอ", "วิดีโอ", "ไลฟ์", "photo", "video", "film", "record", "live-stream"),
    "visit": ("เยี่ยมชม", "ดูสถานที่", "ไปดู", "visit", "tour", "look around"),
    "contact": ("ติดต่อ", "เบอร์", "โทร", "ไลน์", "อีเมล", "contact", "phone", "call", "line", "e-mail", "email"),
    "delivery": ("จัดส่ง", "ส่งของ", "ค่าส่ง", "ต่างจังหวัด", "delivery", "deliver", "ship", "shipping"),
    "discount": ("ส่วนลด", "ลดราคา", "โปร", "ราคาพิเศษ", "แพ็กเกจ", "discount", "promotion", "package", "deal", "save"),
    "group": ("กลุ่ม", "เพื่อน", "ด้วยกัน", "group", "friends", "together"),
    "company": ("บริษัท", "องค์กร", "พนักงาน", "ทีมบิลดิ้ง", "company", "corporate", "team building", "employees", "staff"),
    "private": ("ส่วนตัว", "private", "one-to-one"),
    "take_home": ("กลับบ้าน", "ห่อกลับ", "take home", "take the food", "bring home"),
    "what_to_bring": ("เตรียม", "ต้องใส่", "รองเท้า", "ชุดเชฟ", "bring", "wear", "shoes", "uniform", "apron"),
    "knife": ("มีด", "knife", "knives", "yanagiba", "ยานางิบะ"),
    "shop": ("ร้านค้า", "ซื้อ", "อุปกรณ์", "shop", "buy", "equipment", "tools"),
    "beginner": ("มือใหม่", "ไม่มีพื้นฐาน", "ไม่เคย", "beginner", "never", "no experience", "complete beginner"),
    "class_size": ("กี่คน", "จำนวนนักเรียน", "กี่ท่าน", "how many people", "class size", "students per"),
    "curriculum": ("เนื้อหา", "เรียนอะไร", "สอนอะไร", "หลักสูตร", "curriculum", "learn", "cover", "teach"),
    "exam": ("การสอบ", "ต้องสอบ", "สอบปฏิบัติ", "สอบปลายภาค", "สอบผ่าน", "exam", "test", "pass"),
    "internship": ("ฝึกงาน", "internship", "intern", "placement"),
    "sushi": ("ซูชิ", "sushi", "นิกิริ", "nigiri", "ซาชิมิ", "sashimi"),
    "ramen": ("ราเมง", "ramen", "noodle", "เส้นสด"),
    "wagashi": ("วากาชิ", "ขนมญี่ปุ่น", "wagashi", "japanese sweets", "sweets", "mochi", "โมจิ"),
    "kaiseki": ("ไคเซกิ", "kaiseki"),
    "diploma_course": ("ดิปโลมา", "ดิพลอมา", "12 สัปดาห์", "3 เดือน", "สามเดือน", "หลักสูตรยาว", "12-week", "12 weeks", "diploma programme", "diploma program"),
    "omakase": ("โอมากาเสะ", "omakase", "tasting", "ชิม"),
}


def _compile() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    thai: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    for concept, entries in CONCEPTS.items():
        for entry in entries:
            if any("\u0e00" <= ch <= "\u0e7f" for ch in entry) or any(ch.isdigit() for ch in entry):
                thai.setdefault(concept, []).append(entry)
            elif " " in entry or "-" in entry or "'" in entry:
                phrases.setdefault(concept, []).append(entry)
            else:
                words.setdefault(concept, []).append(entry)
    return thai, words, phrases


THAI_ENTRIES, ENGLISH_WORDS, ENGLISH_PHRASES = _compile()


def concepts(lowered: str, stems: set[str]) -> list[str]:
    """The concepts a (lower-cased) text mentions, given its stemmed English words."""
    from knowledge.embed import stem

    found = []
    for concept in CONCEPTS:
        if (
            any(entry in lowered for entry in THAI_ENTRIES.get(concept, ()))
            or any(stem(word) in stems for word in ENGLISH_WORDS.get(concept, ()))
            or any(phrase in lowered for phrase in ENGLISH_PHRASES.get(concept, ()))
        ):
            found.append(concept)
    return found
