"""One settings object: every environment variable the portal reads is read here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "otop.sqlite3"
DEMO_COOKIE_KEY = "demo-only-cookie-key-never-use-in-production-0000"
DEFAULT_BENCH_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class SettingsError(RuntimeError):
    """Raised when the environment holds a setting the portal refuses to run with."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime settings; each field names the environment variable it comes from."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{DEFAULT_SQLITE_PATH}")
    demo_mode: bool = True
    cookie_key: str = DEMO_COOKIE_KEY
    cookie_name: str = "otop_portal"
    cookie_expiry_days: float = 1.0
    login_sleep_seconds: float = 0.7
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 10
    entry_close_day: int = 6
    entry_reopen_day: int = 10
    outlier_factor: Decimal = Decimal("5")
    outlier_jump_baht: Decimal = Decimal("1000000")
    max_cell_baht: Decimal = Decimal("10000000000")
    timezone: str = "Asia/Bangkok"
    bench_postgres_url: str = DEFAULT_BENCH_POSTGRES_URL

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=_env("OTOP_DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
            demo_mode=_env_bool("OTOP_DEMO_MODE", True),
            cookie_key=_env("OTOP_COOKIE_KEY", DEMO_COOKIE_KEY),
            cookie_name=_env("OTOP_COOKIE_NAME", "otop_portal"),
            cookie_expiry_days=float(_env("OTOP_COOKIE_EXPIRY_DAYS", "1")),
            login_sleep_seconds=float(_env("OTOP_LOGIN_SLEEP_SECONDS", "0.7")),
            max_failed_logins=int(_env("OTOP_MAX_FAILED_LOGINS", "5")),
            lockout_minutes=int(_env("OTOP_LOCKOUT_MINUTES", "15")),
            min_password_length=int(_env("OTOP_MIN_PASSWORD_LENGTH", "10")),
            entry_close_day=int(_env("OTOP_ENTRY_CLOSE_DAY", "6")),
            entry_reopen_day=int(_env("OTOP_ENTRY_REOPEN_DAY", "10")),
            outlier_factor=Decimal(_env("OTOP_OUTLIER_FACTOR", "5")),
            outlier_jump_baht=Decimal(_env("OTOP_OUTLIER_JUMP_BAHT", "1000000")),
            max_cell_baht=Decimal(_env("OTOP_MAX_CELL_BAHT", "10000000000")),
            bench_postgres_url=_env("OTOP_BENCH_POSTGRES_URL", DEFAULT_BENCH_POSTGRES_URL),
        )

    def ensure_safe(self) -> None:
        """Refuse placeholder secrets outside demo mode, with a message saying what to set."""
        if self.demo_mode:
            return
        if self.cookie_key == DEMO_COOKIE_KEY or len(self.cookie_key.encode("utf-8")) < 32:
            raise SettingsError(
                "ต้องตั้งค่า OTOP_COOKIE_KEY เป็นข้อความลับยาวอย่างน้อย 32 ไบต์ก่อนเปิดระบบจริง "
                "(OTOP_DEMO_MODE=0): set OTOP_COOKIE_KEY to a secret of 32+ bytes."
            )


def get_settings() -> Settings:
    return Settings.from_env()
