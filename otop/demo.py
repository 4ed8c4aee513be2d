"""Deterministic demo data for Buriram that reproduces the official FY2568 target tables."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session, SQLModel

from db.models import (
    CHANNEL_COLUMNS,
    DistrictMonth,
    Forecast,
    ForecastForm,
    MonthlySale,
    Producer,
    ProducerCategory,
    User,
)
from otop.fiscal import BANGKOK, fiscal_year_periods, round_periods
from otop.masterdata import list_districts, list_subdistricts, load_master_data
from otop.passwords import hash_password
from otop.summary import rebuild_summary

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PROVINCE = "31"
DEMO_SEED = 2568
DEMO_FISCAL_YEAR = 2568


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    display_name: str
    position_title: str
    province_code: str | None = None
    district_code: str | None = None


DEMO_PASSWORDS = {
    "admin": "demo-admin-2568",
    "department": "demo-dept-2568",
    "province": "demo-prov-2568",
    "district": "demo-dist-2568",
}


def demo_users(district_codes: Sequence[str]) -> list[DemoUser]:
    users = [
        DemoUser("admin", DEMO_PASSWORDS["admin"], "admin", "ผู้ดูแลระบบ", "ผู้ดูแลระบบ"),
        DemoUser(
            "department",
            DEMO_PASSWORDS["department"],
            "department",
            "กองส่งเสริมภูมิปัญญาท้องถิ่นและวิสาหกิจชุมชน",
            "เจ้าหน้าที่กรมการพัฒนาชุมชน",
        ),
        DemoUser(
            "province31",
            DEMO_PASSWORDS["province"],
            "province",
            "สำนักงานพัฒนาชุมชนจังหวัดบุรีรัมย์",
            "พัฒนาการจังหวัดบุรีรัมย์",
            province_code=DEMO_PROVINCE,
        ),
    ]
    users += [
        DemoUser(
            f"district{code}",
            DEMO_PASSWORDS["district"],
            "district",
            f"สำนักงานพัฒนาชุมชนอำเภอ {code}",
            "พัฒนาการอำเภอ",
            province_code=DEMO_PROVINCE,
            district_code=code,
        )
        for code in district_codes
    ]
    return users


@dataclass(frozen=True)
class OfficialRow:
    round_no: int
    district_code: str
    district_name_th: str
    baseline: Decimal
    target_plus4: Decimal
    basic: Decimal
    standard: Decimal
    advanced: Decimal
    actual: Decimal
    monthly_estimate: Decimal


def official_targets() -> list[OfficialRow]:
    """The official Buriram FY2568 target tables (enclosures 1 and 2 of the provincial letter)."""
    with (DATA_DIR / "buriram_targets_2568.csv").open(encoding="utf-8") as handle:
        return [
            OfficialRow(
                round_no=int(row["round"]),
                district_code=row["district_code"],
                district_name_th=row["district_name_th"],
                baseline=Decimal(row["baseline_prev_fy"]),
                target_plus4=Decimal(row["target_plus4"]),
                basic=Decimal(row["basic_plus2"]),
                standard=Decimal(row["standard_plus3"]),
                advanced=Decimal(row["advanced_plus4"]),
                actual=Decimal(row["actual_oct_mar_2568"]),
                monthly_estimate=Decimal(row["monthly_estimate"]),
            )
            for row in csv.DictReader(handle)
        ]


# --- names ----------------------------------------------------------------------

_PRODUCTS = {
    "food": ["ข้าวหอมมะลิ", "ขนมทองม้วน", "กล้วยฉาบ", "น้ำพริกแกง", "หมูยอ", "ปลาส้ม", "ข้าวเกรียบ",
             "ไข่เค็ม", "กุนเชียง", "มะขามแก้ว", "ข้าวกล้องงอก", "ถั่วตัด"],
    "beverage": ["น้ำผลไม้", "กาแฟคั่วบด", "ชาตะไคร้", "น้ำดอกอัญชัน", "สาโทพื้นบ้าน", "น้ำมะขาม",
                 "เครื่องดื่มธัญพืช", "ชาใบหม่อน"],
    "textile": ["ผ้าไหมลายโบราณ", "ผ้าไหมหางกระรอก", "ผ้าฝ้ายทอมือ", "ผ้าขาวม้า", "ผ้ามัดหมี่",
                "ผ้าภูอัคนี", "ผ้าย้อมคราม", "ผ้าซิ่นตีนแดง"],
    "household": ["เครื่องจักสานไม้ไผ่", "เสื่อกก", "ตะกร้าหวาย", "เครื่องปั้นดินเผา", "ไม้แกะสลัก",
                  "ดอกไม้ประดิษฐ์", "กระเป๋าผ้า", "โคมไฟกะลา"],
    "herbal": ["สบู่สมุนไพร", "ยาหม่อง", "น้ำมันนวด", "ลูกประคบ", "แชมพูสมุนไพร", "ครีมไพล", "ยาดมสมุนไพร"],
}  # fmt: skip
_VILLAGES = ["โคกเมือง", "หนองตาด", "สวายสอ", "ละเวี้ย", "เจริญสุข", "โนนสูง", "หนองบัว", "ดอนแก้ว",
             "สระแก้ว", "ตะโก", "ห้วยเสนง", "หนองกง", "โคกสะอาด", "นาโพธิ์", "หัวสะพาน", "ศรีสำราญ",
             "สายตะกู", "บุไทร", "โคกกลาง", "ถนนหัก"]  # fmt: skip
_PEOPLE = ["สมใจ", "บุญมี", "ทองใบ", "มาลัย", "สมศรี", "บัวผัน", "คำปุน", "ประไพ", "อำนวย", "วันเพ็ญ"]
_BRANDS = ["อีสานรุ่งเรือง", "บุรีรัมย์เฮอริเทจ", "พนมรุ้งโปรดักส์", "ภูอังคาร", "ไหมงามบุรี", "ดินภูเขาไฟ"]
_CATEGORY_WEIGHTS = {"food": 40, "beverage": 10, "textile": 25, "household": 17, "herbal": 8}
_TYPE_WEIGHTS = {"community": 62, "single_owner": 30, "sme": 8}
# Share of the year's sales per month, October first: festivals and the dry season sell more.
_SEASON = [1.00, 1.02, 1.18, 1.10, 0.96, 0.98, 1.05, 0.92, 0.88, 0.90, 0.95, 1.06]


def _producer_name(rng: random.Random, producer_type: str, category: str) -> str:
    product = rng.choice(_PRODUCTS[category])
    village = rng.choice(_VILLAGES)
    if producer_type == "community":
        prefix = rng.choice(["กลุ่ม", "วิสาหกิจชุมชน", "กลุ่มแม่บ้าน"])
        return f"{prefix}{product}บ้าน{village}"
    if producer_type == "single_owner":
        return f"{product}แม่{rng.choice(_PEOPLE)} บ้าน{village}"
    return f"{rng.choice(['บริษัท', 'ห้างหุ้นส่วนจำกัด'])} {rng.choice(_BRANDS)} ({product})"


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split a whole number over integer weights exactly (largest remainder, ties by position)."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("cannot allocate over zero weights")
    shares = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    missing = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:missing]:
        shares[index] += 1
    return shares


@dataclass
class _Row:
    producer_index: int
    category: str
    size: int
    channel_mix: tuple[int, int, int, int]


def _channel_mix(rng: random.Random, producer_type: str) -> tuple[int, int, int, int]:
    online = rng.randint(5, 35)
    exports = producer_type == "sme" or rng.random() < 0.06
    export_offline = rng.randint(2, 12) if exports else 0
    export_online = rng.randint(0, 5) if exports else 0
    return (100 - online, online, export_offline, export_online)


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour=hour), tzinfo=BANGKOK).astimezone(UTC)


def load_demo(session: Session, *, seed: int = DEMO_SEED) -> dict[str, int]:
    """Fill an empty database with Buriram's demo data; returns counts of what was added."""
    load_master_data(session)
    rng = random.Random(seed)
    official = official_targets()
    by_round = {(row.round_no, row.district_code): row for row in official}
    districts = list_districts(session, DEMO_PROVINCE)
    district_codes = [district.code for district in districts]

    producer_specs: list[dict[str, object]] = []
    categories_of: list[list[str]] = []
    for district in districts:
        subdistricts = list_subdistricts(session, district.code)
        for _ in range(rng.randint(100, 200)):
            producer_type = rng.choices(list(_TYPE_WEIGHTS), weights=list(_TYPE_WEIGHTS.values()))[0]
            primary = rng.choices(list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()))[0]
            categories = [primary]
            if rng.random() < 0.3:
                categories.append(rng.choice([c for c in _CATEGORY_WEIGHTS if c != primary]))
            producer_specs.append(
                {
                    "name": _producer_name(rng, producer_type, primary),
                    "district_code": district.code,
                    "subdistrict_code": rng.choice(subdistricts).code if subdistricts else None,
                    "village_no": rng.randint(1, 20),
                    "producer_type": producer_type,
                    "registered_year_be": rng.randint(2557, 2567),
                    "active": True,
                    "status": "approved",
                }
            )
            categories_of.append(categories)
    producer_ids = list(
        session.scalars(insert(Producer).returning(Producer.id, sort_by_parameter_order=True), producer_specs)
    )
    session.execute(
        insert(ProducerCategory),
        [
            {"producer_id": producer_id, "category": category}
            for producer_id, categories in zip(producer_ids, categories_of, strict=True)
            for category in categories
        ],
    )

    rows_by_district: dict[str, list[_Row]] = {code: [] for code in district_codes}
    for index, (spec, categories) in enumerate(zip(producer_specs, categories_of, strict=True)):
        producer_type = str(spec["producer_type"])
        scale = {"community": 1.0, "single_owner": 0.6, "sme": 3.0}[producer_type]
        for position, category in enumerate(categories):
            size = int(rng.lognormvariate(0, 0.9) * scale * (1.0 if position == 0 else 0.35) * 10_000)
            rows_by_district[str(spec["district_code"])].append(
                _Row(index, category, max(size, 50), _channel_mix(rng, producer_type))
            )

    fy2567 = fiscal_year_periods(DEMO_FISCAL_YEAR - 1)
    halves = [
        (fy2567[:6], lambda code: by_round[(1, code)].baseline),
        (fy2567[6:], lambda code: by_round[(2, code)].baseline - by_round[(1, code)].baseline),
        (round_periods(DEMO_FISCAL_YEAR, 1), lambda code: by_round[(1, code)].actual),
    ]
    sale_rows: list[dict[str, object]] = []
    for district_code in district_codes:
        rows = rows_by_district[district_code]
        for periods, total_of in halves:
            cells: list[tuple[int, int, int]] = []
            weights: list[int] = []
            for row_index, row in enumerate(rows):
                for period_index, period in enumerate(periods):
                    season = _SEASON[period.fiscal_month_index] * rng.uniform(0.85, 1.15)
                    for channel_index, mix in enumerate(row.channel_mix):
                        cells.append((row_index, period_index, channel_index))
                        weights.append(int(row.size * season * mix))
            amounts = allocate(int(total_of(district_code)), weights)
            grid: dict[tuple[int, int], list[int]] = {}
            for (row_index, period_index, channel_index), amount in zip(cells, amounts, strict=True):
                grid.setdefault((row_index, period_index), [0, 0, 0, 0])[channel_index] = amount
            for (row_index, period_index), channel_amounts in grid.items():
                row = rows[row_index]
                period = periods[period_index]
                sale_rows.append(
                    {
                        "producer_id": producer_ids[row.producer_index],
                        "category": row.category,
                        "period": period.code,
                        "district_code": district_code,
                        "province_code": DEMO_PROVINCE,
                        **{
                            column: Decimal(amount)
                            for column, amount in zip(CHANNEL_COLUMNS, channel_amounts, strict=True)
                        },
                        "saved_version": 1,
                        "updated_at": _moment(period.next().first_day() + timedelta(days=1), 15),
                        "updated_by": f"district{district_code}",
                    }
                )
    for start in range(0, len(sale_rows), 20_000):
        session.execute(insert(MonthlySale), sale_rows[start : start + 20_000])

    months = [*fy2567, *round_periods(DEMO_FISCAL_YEAR, 1)]
    last = months[-1]
    unlocked_last_month = set(district_codes[-3:])
    session.execute(
        insert(DistrictMonth),
        [
            {
                "district_code": code,
                "period": period.code,
                "province_code": DEMO_PROVINCE,
                "version": 1,
                "confirmed_by": f"district{code}",
                "confirmed_at": _moment(period.next().first_day() + timedelta(days=2), 16),
                "locked_by": None if period == last and code in unlocked_last_month else "province31",
                "locked_at": None
                if period == last and code in unlocked_last_month
                else _moment(period.next().first_day() + timedelta(days=4), 10),
                "changes_since_lock": 0,
            }
            for code in district_codes
            for period in months
        ],
    )

    forecast_rows = []
    forms = []
    for position, code in enumerate(district_codes):
        monthly = by_round[(2, code)].monthly_estimate
        for period in fiscal_year_periods(DEMO_FISCAL_YEAR):
            amount = int(monthly * Decimal(str(_SEASON[period.fiscal_month_index] * rng.uniform(0.95, 1.1))))
            split = allocate(amount, [76, 19, 3, 2])
            forecast_rows.append(
                {
                    "district_code": code,
                    "period": period.code,
                    "fiscal_year_be": DEMO_FISCAL_YEAR,
                    **{column: Decimal(value) for column, value in zip(CHANNEL_COLUMNS, split, strict=True)},
                    "updated_at": _moment(date(2025, 1, 20), 11),
                    "updated_by": f"district{code}",
                }
            )
        status = "certified" if position < 18 else ("submitted" if position < 21 else "draft")
        forms.append(
            {
                "district_code": code,
                "fiscal_year_be": DEMO_FISCAL_YEAR,
                "status": status,
                "version": 1,
                "submitted_by": f"district{code}" if status != "draft" else None,
                "submitted_at": _moment(date(2025, 1, 21), 10) if status != "draft" else None,
                "committee_meeting_date": date(2025, 1, 17) if status == "certified" else None,
                "committee_reference": "รายงานการประชุม นตผ.อำเภอ ครั้งที่ 1/2568" if status == "certified" else None,
                "certified_by": "ประธานคณะกรรมการ นตผ.อำเภอ" if status == "certified" else None,
                "certified_at": _moment(date(2025, 1, 17), 14) if status == "certified" else None,
            }
        )
    session.execute(insert(Forecast), forecast_rows)
    session.execute(insert(ForecastForm), forms)

    users = demo_users(district_codes)
    names = {district.code: district.name_th for district in districts}
    hashes = {password: hash_password(password) for password in DEMO_PASSWORDS.values()}
    session.execute(
        insert(User),
        [
            {
                "username": user.username,
                "display_name": (
                    f"สำนักงานพัฒนาชุมชนอำเภอ{names[user.district_code]}" if user.district_code else user.display_name
                ),
                "position_title": (
                    f"พัฒนาการอำเภอ{names[user.district_code]}" if user.district_code else user.position_title
                ),
                "password_hash": hashes[user.password],
                "role": user.role,
                "province_code": user.province_code,
                "district_code": user.district_code,
                "active": True,
                "failed_attempts": 0,
                "created_at": datetime.now(tz=UTC),
            }
            for user in users
        ],
    )
    rebuild_summary(session)
    session.flush()
    return {
        "producers": len(producer_ids),
        "monthly_sales": len(sale_rows),
        "forecasts": len(forecast_rows),
        "users": len(users),
    }


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Producer))


def clear_all(session: Session) -> None:
    """Delete every row of every table (children first); the schema stays."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        session.execute(delete(table))
    session.flush()
