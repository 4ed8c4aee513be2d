"""The current time, replaceable in tests so calendar and lockout rules can be checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(tz=UTC)  # noqa: E731


def utc_now() -> datetime:
    return _now()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, ``utc_now()`` returns ``moment`` (an aware datetime)."""
    global _now
    previous = _now
    _now = lambda: moment  # noqa: E731
    try:
        yield
    finally:
        _now = previous


def set_now(provider: Callable[[], datetime] | None) -> None:
    """Replace the clock (``None`` restores the real one); for tests and demos."""
    global _now
    _now = provider or (lambda: datetime.now(tz=UTC))
