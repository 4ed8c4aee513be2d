"""Small builders of actors, producers and sales for tests."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from sqlalchemy import insert
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, DistrictMonth, MonthlySale, Producer, ProducerCategory, User
from otop.clock import utc_now
from otop.passwords import hash_password
from otop.permissions import Actor, province_of
from otop.summary import refresh_district_months

_names = count(1)
_PASSWORD_HASHES: dict[str, str] = {}


def actor(role: str, code: str | None = None, username: str | None = None) -> Actor:
    """``actor("district", "3101")``, ``actor("province", "31")``, ``actor("admin")``."""
    if role == "district":
        assert code
        return Actor(username or f"district{code}", role, province_of(code), code)
    if role == "province":
        assert code
        return Actor(username or f"province{code}", role, code, None)
    return Actor(username or role, role)


def make_producer(
    session: Session,
    district_code: str = "3101",
    *,
    name: str | None = None,
    categories: tuple[str, ...] = ("food",),
    producer_type: str = "community",
    status: str = "approved",
    subdistrict_code: str | None = None,
) -> Producer:
    producer = Producer(
        name=name or f"กลุ่มทดสอบ {next(_names)}",
        district_code=district_code,
        subdistrict_code=subdistrict_code or f"{district_code}01",
        village_no=1,
        producer_type=producer_type,
        registered_year_be=2560,
        status=status,
    )
    session.add(producer)
    session.flush()
    for category in categories:
        session.add(ProducerCategory(producer_id=producer.id, category=category))  # type: ignore[arg-type]
    session.flush()
    return producer


def make_sale(
    session: Session,
    producer: Producer,
    period: int,
    amounts: tuple[int | str | Decimal, ...] = (1000, 0, 0, 0),
    *,
    category: str = "food",
    refresh: bool = True,
) -> MonthlySale:
    """A raw sales row written directly (not through the entry service), with the summary kept in step."""
    sale = MonthlySale(
        producer_id=producer.id,  # type: ignore[arg-type]
        category=category,
        period=period,
        district_code=producer.district_code,
        province_code=province_of(producer.district_code),
        **{column: Decimal(str(value)) for column, value in zip(CHANNEL_COLUMNS, amounts, strict=True)},
    )
    session.add(sale)
    session.flush()
    if refresh:
        refresh_district_months(session, [(producer.district_code, period)])
    return sale


def make_user(
    session: Session,
    username: str,
    role: str,
    *,
    password: str = "correct-horse-battery",
    province_code: str | None = None,
    district_code: str | None = None,
) -> User:
    if password not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[password] = hash_password(password, rounds=4)
    if district_code and not province_code:
        province_code = province_of(district_code)
    user = User(
        username=username,
        display_name=f"ผู้ใช้ {username}",
        password_hash=_PASSWORD_HASHES[password],
        role=role,
        province_code=province_code,
        district_code=district_code,
    )
    session.add(user)
    session.flush()
    return user


def make_producers(
    session: Session, district_code: str, count: int, *, categories: tuple[str, ...] = ("food",)
) -> list[Producer]:
    """``count`` approved producers of one district in one bulk insert (for month-sized grids)."""
    ids = list(
        session.scalars(
            insert(Producer).returning(Producer.id, sort_by_parameter_order=True),
            [
                {
                    "name": f"กลุ่มผู้ผลิตที่ {next(_names)}",
                    "district_code": district_code,
                    "subdistrict_code": f"{district_code}01",
                    "village_no": 1,
                    "producer_type": "community",
                    "registered_year_be": 2560,
                    "active": True,
                    "status": "approved",
                }
                for _ in range(count)
            ],
        )
    )
    session.execute(
        insert(ProducerCategory), [{"producer_id": pid, "category": category} for pid in ids for category in categories]
    )
    session.flush()
    return [session.get(Producer, pid) for pid in ids]  # type: ignore[misc]


def lock_month(session: Session, district_code: str, period: int, *, by: str = "province31") -> None:
    """Lock a district-month directly (as the province's lock would), for refusal tests."""
    month = session.get(DistrictMonth, (district_code, period))
    if month is None:
        month = DistrictMonth(district_code=district_code, period=period, province_code=province_of(district_code))
        session.add(month)
    month.locked_by = by
    month.locked_at = utc_now()
    session.flush()
