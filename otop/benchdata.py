"""A national synthetic database for the benchmark: every province but Bangkok, bulk-loaded."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, text

from db import migrate
from db.engine import session_scope
from db.models import CATEGORY_CODES, CHANNEL_COLUMNS, PRODUCER_TYPE_CODES, District, MonthlySale, Subdistrict
from otop.fiscal import Period, fiscal_year_periods, period_codes
from otop.masterdata import BANGKOK_PROVINCE_CODE, load_master_data
from otop.summary import rebuild_summary

Progress = Callable[[str], None]
QUICK_PROVINCES = ("31", "30", "32", "33")


@dataclass(frozen=True)
class BenchSpec:
    """What the synthetic database holds; its hash names the database so it can be reused."""

    producers: int = 100_000
    fiscal_years: tuple[int, ...] = (2567, 2568)
    provinces: tuple[str, ...] | None = None
    annual_sales_baht: int = 300_000_000_000  # in the first fiscal year; each province grows from there
    seed: int = 76
    locked_share_last_month: float = 0.8
    confirmed_share_last_month: float = 0.92
    # Bumped whenever the generator changes, so an older database is not reused by mistake.
    generator_version: int = 3

    @classmethod
    def quick(cls) -> BenchSpec:
        national = cls()
        share = len(QUICK_PROVINCES) / 76
        return cls(
            producers=int(national.producers * share),
            provinces=QUICK_PROVINCES,
            annual_sales_baht=int(national.annual_sales_baht * share),
        )

    @property
    def key(self) -> str:
        encoded = json.dumps(asdict(self), sort_keys=True).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()[:12]

    @property
    def periods(self) -> list[int]:
        return [code for year in self.fiscal_years for code in period_codes(fiscal_year_periods(year))]


_CATEGORY_SHARES = np.array([0.40, 0.10, 0.25, 0.17, 0.08])
_TYPE_SHARES = np.array([0.62, 0.30, 0.08])
_SEASON = np.array([1.00, 1.02, 1.18, 1.10, 0.96, 0.98, 1.05, 0.92, 0.88, 0.90, 0.95, 1.06])


def is_built(engine: Engine, spec: BenchSpec) -> bool:
    """Whether ``engine`` already holds the database of this spec (its marker matches)."""
    try:
        with engine.connect() as connection:
            marker = connection.execute(text("SELECT spec FROM bench_marker")).scalar()
    except Exception:  # noqa: BLE001  (no marker table: not built yet)
        return False
    return marker == spec.key


def _districts(engine: Engine, spec: BenchSpec) -> pd.DataFrame:
    with session_scope(engine) as session:
        statement = select(District.code, District.province_code).where(District.province_code != BANGKOK_PROVINCE_CODE)
        if spec.provinces is not None:
            statement = statement.where(District.province_code.in_(spec.provinces))
        rows = session.execute(statement.order_by(District.code)).all()
    return pd.DataFrame(rows, columns=["district_code", "province_code"])


def _subdistricts(engine: Engine) -> dict[str, list[str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(Subdistrict.district_code, Subdistrict.code).order_by(Subdistrict.code)).all()
    by_district: dict[str, list[str]] = {}
    for district_code, code in rows:
        by_district.setdefault(district_code, []).append(code)
    return by_district


def _place_producers(producers: pd.DataFrame, subdistricts: dict[str, list[str]], rng: np.random.Generator) -> None:
    """A subdistrict of its own district, a village number and a registration year for every producer."""
    codes = np.full(len(producers), None, dtype=object)
    for district_code, index in producers.groupby("district_code").indices.items():
        choices = subdistricts.get(str(district_code))
        if choices:
            codes[index] = np.array(choices, dtype=object)[rng.integers(0, len(choices), len(index))]
    producers["subdistrict_code"] = codes
    producers["village_no"] = rng.integers(1, 21, len(producers))
    producers["registered_year_be"] = rng.integers(2557, 2569, len(producers))


def _forecasts(sales: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each district's forecast form: its actual monthly sales give or take a fifth, in whole baht."""
    sums = sales.groupby(["district_code", "period"], as_index=False)[list(CHANNEL_COLUMNS)].sum()
    factor = rng.uniform(0.85, 1.2, len(sums))
    for column in CHANNEL_COLUMNS:
        sums[column] = np.round(sums[column].to_numpy() * factor)
    sums["fiscal_year_be"] = [Period.from_code(int(code)).fiscal_year_be for code in sums["period"]]
    return sums


def _frames(spec: BenchSpec, districts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Producers, their categories and their monthly sales, generated with numpy."""
    rng = np.random.default_rng(spec.seed)
    weights = rng.uniform(0.5, 1.5, len(districts))
    per_district = np.maximum(1, np.round(weights / weights.sum() * spec.producers)).astype(int)
    district_index = np.repeat(np.arange(len(districts)), per_district)
    producer_count = len(district_index)
    producer_ids = np.arange(1, producer_count + 1)
    producer_types = rng.choice(len(PRODUCER_TYPE_CODES), producer_count, p=_TYPE_SHARES)
    producers = pd.DataFrame(
        {
            "id": producer_ids,
            "name": [f"ผู้ผลิตสังเคราะห์ {pid:06d}" for pid in producer_ids],
            "district_code": districts["district_code"].to_numpy()[district_index],
            "producer_type": np.array(PRODUCER_TYPE_CODES)[producer_types],
        }
    )

    category_counts = rng.choice([1, 2, 3], producer_count, p=[0.3, 0.4, 0.3])
    row_producer = np.repeat(np.arange(producer_count), category_counts)
    offsets = np.concatenate([np.arange(n) for n in category_counts])
    first = rng.choice(len(CATEGORY_CODES), producer_count, p=_CATEGORY_SHARES)
    row_category = (first[row_producer] + offsets) % len(CATEGORY_CODES)
    categories = pd.DataFrame(
        {"producer_id": producer_ids[row_producer], "category": np.array(CATEGORY_CODES)[row_category]}
    )

    periods = np.array(spec.periods)
    row_count = len(row_producer)
    size = rng.lognormal(0.0, 1.0, row_count) * np.where(producer_types[row_producer] == 2, 3.0, 1.0)
    season = _SEASON[(periods % 100 - 10) % 12]
    mix = np.stack(
        [
            rng.uniform(0.55, 0.9, row_count),
            rng.uniform(0.05, 0.35, row_count),
            np.where(rng.random(row_count) < 0.08, rng.uniform(0.02, 0.15, row_count), 0.0),
            np.where(rng.random(row_count) < 0.05, rng.uniform(0.01, 0.05, row_count), 0.0),
        ],
        axis=1,
    )
    per_row_month = spec.annual_sales_baht / 12 / row_count
    noise = rng.uniform(0.8, 1.2, (len(periods), row_count))
    # Each province grows by its own rate year on year, so some reach the +2/+3/+4% levels and some do not.
    province_codes, row_province = np.unique(districts["province_code"].to_numpy()[district_index], return_inverse=True)
    growth = rng.normal(1.03, 0.03, len(province_codes))[row_province[row_producer]]
    years_in = np.array([spec.fiscal_years.index(Period.from_code(int(code)).fiscal_year_be) for code in periods])
    base = size[None, :] / size.mean() * per_row_month * season[:, None] * noise * growth[None, :] ** years_in[:, None]
    amounts = np.round(base[:, :, None] * mix[None, :, :], 2)
    sales = pd.DataFrame(
        {
            "producer_id": np.tile(producer_ids[row_producer], len(periods)),
            "category": np.tile(np.array(CATEGORY_CODES)[row_category], len(periods)),
            "period": np.repeat(periods, row_count),
            "district_code": np.tile(producers["district_code"].to_numpy()[row_producer], len(periods)),
        }
    )
    sales["province_code"] = sales["district_code"].str.slice(0, 2)
    for index, column in enumerate(CHANNEL_COLUMNS):
        sales[column] = amounts[:, :, index].reshape(-1)
    sales.insert(0, "id", np.arange(1, len(sales) + 1))
    return producers, categories, sales


def _copy_postgres(engine: Engine, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ", ".join(frame.columns)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:  # type: ignore[attr-defined]
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def _insert_sqlite(engine: Engine, table: str, frame: pd.DataFrame) -> None:
    raw = engine.raw_connection()
    try:
        placeholders = ", ".join("?" for _ in frame.columns)
        statement = f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES ({placeholders})"
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(statement, frame.itertuples(index=False, name=None))
        cursor.execute("COMMIT")
    finally:
        raw.close()


def _bulk(engine: Engine, table: str, frame: pd.DataFrame) -> None:
    if engine.dialect.name == "postgresql":
        _copy_postgres(engine, table, frame)
    else:
        _insert_sqlite(engine, table, frame)


def _money_frame(engine: Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """SQLite keeps money as whole satang (db.types.Money); PostgreSQL takes decimal text."""
    frame = frame.copy()
    for column in CHANNEL_COLUMNS:
        if engine.dialect.name == "sqlite":
            frame[column] = np.round(frame[column].to_numpy() * 100).astype(np.int64)
        else:
            frame[column] = frame[column].map("{:.2f}".format)
    return frame


def _analyze(engine: Engine) -> None:
    """Planner statistics; on PostgreSQL also the visibility map, so covering indexes answer alone."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def build_national(engine: Engine, spec: BenchSpec, progress: Progress = print) -> dict[str, int]:
    """Create (or reuse, when its marker matches) the synthetic database on ``engine``."""
    if is_built(engine, spec):
        progress(f"ใช้ฐานข้อมูลทดสอบเดิม ({spec.key})")
        if not migrate.is_up_to_date(engine):
            migrate.upgrade(engine)
            _analyze(engine)
        with session_scope(engine) as session:
            return {"monthly_sales": int(session.scalar(select(func.count()).select_from(MonthlySale)) or 0)}
    started = time.perf_counter()
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_master_data(session)
    districts = _districts(engine, spec)
    progress(f"สร้างข้อมูล: {len(districts):,} อำเภอ, ผู้ผลิต ~{spec.producers:,} ราย")
    producers, categories, sales = _frames(spec, districts)
    rng = np.random.default_rng(spec.seed + 1)
    stamp = datetime(2025, 10, 3, 2, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    _place_producers(producers, _subdistricts(engine), rng)
    producers = producers.assign(active=True, status="approved")
    if engine.dialect.name == "sqlite":
        producers["active"] = 1
    _bulk(engine, "producer", producers)
    _bulk(engine, "producer_category", categories)
    progress(f"ผู้ผลิต {len(producers):,} ราย, {len(categories):,} หมวด")
    forecasts = _forecasts(sales, rng)
    sales = _money_frame(engine, sales).assign(saved_version=1, updated_at=stamp, updated_by="bench")
    chunk = 500_000
    for start in range(0, len(sales), chunk):
        _bulk(engine, "monthly_sale", sales.iloc[start : start + chunk])
        progress(f"ยอดจำหน่ายรายเดือน {min(start + chunk, len(sales)):,}/{len(sales):,} แถว")
    _bulk(engine, "forecast", _money_frame(engine, forecasts).assign(updated_at=stamp, updated_by="bench"))
    progress(f"ประมาณการรายได้ {len(forecasts):,} แถว")
    months = spec.periods
    last = months[-1]
    statuses = pd.DataFrame(
        [
            (code, period, province, 1, "bench", stamp, "bench", stamp, 0)
            for code, province in districts.itertuples(index=False, name=None)
            for period in months
        ],
        columns=[
            "district_code", "period", "province_code", "version",
            "confirmed_by", "confirmed_at", "locked_by", "locked_at", "changes_since_lock",
        ],
    )  # fmt: skip
    # In the last month, as in a normal month: most districts confirmed, most of those locked by the province.
    draw = rng.random(len(statuses))
    last_month = statuses["period"] == last
    statuses.loc[last_month & (draw > spec.locked_share_last_month), ["locked_by", "locked_at"]] = None
    statuses.loc[last_month & (draw > spec.confirmed_share_last_month), ["confirmed_by", "confirmed_at"]] = None
    _bulk(engine, "district_month", statuses)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("producer", "monthly_sale"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    progress("สร้างตารางสรุป (sales_summary)…")
    with session_scope(engine, write=True) as session:
        rebuild_summary(session)
    _analyze(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_marker (spec VARCHAR(40))"))
        connection.execute(text("DELETE FROM bench_marker"))
        connection.execute(text("INSERT INTO bench_marker (spec) VALUES (:spec)"), {"spec": spec.key})
    progress(f"สร้างเสร็จใน {time.perf_counter() - started:,.0f} วินาที")
    return {"producers": len(producers), "monthly_sales": len(sales), "districts": len(districts)}
