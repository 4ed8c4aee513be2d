"""Provinces, districts and subdistricts with official DOPA codes, loaded from geothai."""

from __future__ import annotations

import geothai
from sqlalchemy import func, insert
from sqlmodel import Session, select

from db.models import District, Province, Subdistrict

BANGKOK_PROVINCE_CODE = "10"


def load_master_data(session: Session, *, province_codes: set[str] | None = None) -> int:
    """Insert every province, district and subdistrict (or those of some provinces) once.

    Returns how many areas were added; running it again adds nothing.
    """
    if session.scalar(select(func.count()).select_from(Province)):
        return 0
    provinces = [p for p in geothai.provinces() if province_codes is None or p.code in province_codes]
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    subdistricts = [s for d in districts for s in geothai.subdistricts(d.code)]
    session.execute(insert(Province), [{"code": p.code, "name_th": p.name_th, "name_en": p.name_en} for p in provinces])
    session.execute(
        insert(District),
        [
            {"code": d.code, "province_code": d.province_code, "name_th": d.name_th, "name_en": d.name_en}
            for d in districts
        ],
    )
    session.execute(
        insert(Subdistrict),
        [
            {"code": s.code, "district_code": s.district_code, "name_th": s.name_th, "name_en": s.name_en}
            for s in subdistricts
        ],
    )
    session.flush()
    return len(provinces) + len(districts) + len(subdistricts)


def list_districts(session: Session, province_code: str) -> list[District]:
    return list(
        session.exec(select(District).where(District.province_code == province_code).order_by(District.code)).all()
    )


def list_provinces(session: Session, *, include_bangkok: bool = False) -> list[Province]:
    statement = select(Province).order_by(Province.code)
    if not include_bangkok:
        statement = statement.where(Province.code != BANGKOK_PROVINCE_CODE)
    return list(session.exec(statement).all())


def list_subdistricts(session: Session, district_code: str) -> list[Subdistrict]:
    return list(
        session.exec(
            select(Subdistrict).where(Subdistrict.district_code == district_code).order_by(Subdistrict.code)
        ).all()
    )
