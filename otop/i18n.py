"""Thai-first labels and formatting: months, categories, channels, roles, baht and dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from otop.fiscal import BANGKOK, Period, ce_to_be

MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_TH_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_EN_SHORT = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip

CATEGORY_LABELS = {
    "food": "อาหาร",
    "beverage": "เครื่องดื่ม",
    "textile": "ผ้า เครื่องแต่งกาย",
    "household": "ของใช้ ของตกแต่ง ของที่ระลึก",
    "herbal": "สมุนไพรที่ไม่ใช่อาหาร",
}
CATEGORY_SHORT_LABELS = {
    "food": "อาหาร",
    "beverage": "เครื่องดื่ม",
    "textile": "ผ้าฯ",
    "household": "ของใช้ฯ",
    "herbal": "สมุนไพรฯ",
}
CHANNEL_LABELS = {
    "domestic_offline": "ในประเทศ ออฟไลน์",
    "domestic_online": "ในประเทศ ออนไลน์",
    "export_offline": "ต่างประเทศ ออฟไลน์",
    "export_online": "ต่างประเทศ ออนไลน์",
}
PRODUCER_TYPE_LABELS = {
    "community": "กลุ่มผู้ผลิตชุมชน",
    "single_owner": "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว",
    "sme": "SMEs",
}
ROLE_LABELS = {
    "district": "เจ้าหน้าที่อำเภอ",
    "province": "เจ้าหน้าที่จังหวัด",
    "department": "กรมการพัฒนาชุมชน",
    "admin": "ผู้ดูแลระบบ",
}
LEVEL_LABELS = {
    "below_baseline": "ต่ำกว่าฐาน",
    "baseline": "ไม่ต่ำกว่าฐาน",
    "basic": "ขั้นต้น",
    "standard": "ขั้นมาตรฐาน",
    "advanced": "ขั้นสูง",
}
ROUND_LABELS = {1: "รอบที่ 1 (ตุลาคม–มีนาคม)", 2: "รอบที่ 2 (ตุลาคม–กันยายน)"}
FORECAST_STATUS_LABELS = {
    "draft": "ร่าง (อำเภอยังแก้ไขได้)",
    "submitted": "ส่งจังหวัดแล้ว",
    "certified": "นตผ.อำเภอ รับรองแล้ว",
}
PRODUCER_STATUS_LABELS = {"approved": "อนุมัติแล้ว", "pending": "รอจังหวัดอนุมัติ", "rejected": "ไม่อนุมัติ"}


def month_name(month: int, *, short: bool = False) -> str:
    return (MONTHS_TH_SHORT if short else MONTHS_TH)[month - 1]


def period_name(period: Period, *, short: bool = False) -> str:
    """``ตุลาคม 2567`` or, short, ``ต.ค. 67``."""
    if short:
        return f"{month_name(period.month, short=True)} {period.year_be % 100:02d}"
    return f"{month_name(period.month)} {period.year_be}"


def format_baht(amount: Decimal | int | float | None, *, symbol: bool = True, decimals: int = 2) -> str:
    """``฿1,234,567.50``; a missing amount shows as a dash."""
    if amount is None:
        return "–"
    text = f"{Decimal(amount):,.{decimals}f}"
    return f"฿{text}" if symbol else text


def format_percent(ratio: Decimal | float | None, *, decimals: int = 2) -> str:
    if ratio is None:
        return "–"
    return f"{Decimal(ratio) * 100:,.{decimals}f}%"


def format_thai_date(day: date, *, short: bool = False) -> str:
    return f"{day.day} {month_name(day.month, short=short)} {ce_to_be(day.year)}"


def format_thai_datetime(moment: datetime | None, *, short: bool = False) -> str:
    """``24 พฤศจิกายน 2569 เวลา 16:05 น.`` in Bangkok time; short, for tables: ``24 พ.ย. 2569 16:05 น.``."""
    if moment is None:
        return "–"
    local = moment.astimezone(BANGKOK)
    if short:
        return f"{format_thai_date(local.date(), short=True)} {local:%H:%M} น."
    return f"{format_thai_date(local.date())} เวลา {local:%H:%M} น."


def format_duration(span: timedelta) -> str:
    """``3 วัน 4 ชั่วโมง 5 นาที`` (whole minutes; days and hours only when not zero)."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} วัน"] if days else []
    if hours:
        parts.append(f"{hours} ชั่วโมง")
    if minutes or not parts:
        parts.append(f"{minutes} นาที")
    return " ".join(parts)
