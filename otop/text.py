"""User text as it is stored: control characters dropped (PostgreSQL refuses a NUL), spaces tidied."""

from __future__ import annotations

import unicodedata

_KEPT_CONTROLS = frozenset("\n\r\t")


def without_controls(text: str) -> str:
    """``text`` without control characters other than line breaks and tabs.

    They are invisible, and PostgreSQL refuses to store a NUL at all: one pasted from another
    program would otherwise fail the whole save with a driver error.
    """
    return "".join(char for char in text if char in _KEPT_CONTROLS or unicodedata.category(char) != "Cc")


def clean_text(text: str) -> str:
    """One line of text: control characters dropped, runs of spaces made one, ends trimmed."""
    return " ".join(without_controls(text).split())
