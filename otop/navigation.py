"""Which screens exist and which roles may open them; app.py builds the navigation from this."""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = frozenset({"district", "province", "department", "admin"})


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    roles: frozenset[str]
    section: str


ENTRY_SECTION = "บันทึกข้อมูล"

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "หน้าหลัก", ":material/home:", ALL_ROLES, "ทั่วไป"),
    PageSpec("pages/entry.py", "บันทึกยอดจำหน่าย OTOP", ":material/edit_note:", ALL_ROLES, ENTRY_SECTION),
    PageSpec("pages/forecast.py", "ประมาณการรายได้", ":material/event_note:", ALL_ROLES, ENTRY_SECTION),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The screens a role may open, in menu order; none for an anonymous visitor."""
    if role is None:
        return []
    return [page for page in PAGES if role in page.roles]
