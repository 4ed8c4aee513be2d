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


ACCOUNT_SECTION = "บัญชีผู้ใช้"
ENTRY_SECTION = "บันทึกข้อมูล"
USER_ADMIN_ROLES = frozenset({"province", "department", "admin"})

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "หน้าหลัก", ":material/home:", ALL_ROLES, "ทั่วไป"),
    PageSpec("pages/entry.py", "บันทึกยอดจำหน่าย OTOP", ":material/edit_note:", ALL_ROLES, ENTRY_SECTION),
    PageSpec("pages/forecast.py", "ประมาณการรายได้", ":material/event_note:", ALL_ROLES, ENTRY_SECTION),
    PageSpec(
        "pages/dashboard_province.py",
        "แดชบอร์ดจังหวัด",
        ":material/insights:",
        frozenset({"province", "department", "admin"}),
        "แดชบอร์ด",
    ),
    PageSpec(
        "pages/dashboard_district.py",
        "แดชบอร์ดอำเภอ",
        ":material/bar_chart:",
        frozenset({"district", "province", "admin"}),
        "แดชบอร์ด",
    ),
    PageSpec(
        "pages/dashboard_department.py",
        "แดชบอร์ดระดับประเทศ",
        ":material/public:",
        frozenset({"department", "admin"}),
        "แดชบอร์ด",
    ),
    PageSpec(
        "pages/locks.py",
        "ตรวจสอบและล็อกข้อมูล",
        ":material/lock:",
        frozenset({"province", "department", "admin"}),
        "การรายงานรายเดือน",
    ),
    PageSpec(
        "pages/reporting_calendar.py",
        "ปฏิทินการรายงาน",
        ":material/calendar_month:",
        frozenset({"department", "admin"}),
        "การรายงานรายเดือน",
    ),
    PageSpec("pages/account.py", "บัญชีของฉัน", ":material/account_circle:", ALL_ROLES, ACCOUNT_SECTION),
    PageSpec("pages/users.py", "จัดการผู้ใช้", ":material/manage_accounts:", USER_ADMIN_ROLES, ACCOUNT_SECTION),
    PageSpec("pages/reports.py", "รายงานและส่งออก Excel", ":material/download:", ALL_ROLES, "รายงาน"),
)


def roles_of(path: str) -> frozenset[str]:
    """The roles that may open the page at ``path``: the guard each page applies to itself."""
    return next(page.roles for page in PAGES if page.path == path)


def pages_for(role: str | None) -> list[PageSpec]:
    """The screens a role may open, in menu order; none for an anonymous visitor."""
    if role is None:
        return []
    return [page for page in PAGES if role in page.roles]


def sections_for(role: str | None) -> dict[str, list[PageSpec]]:
    """The role's screens grouped by menu section, sections in order of first appearance, the account section last."""
    sections: dict[str, list[PageSpec]] = {}
    for page in pages_for(role):
        sections.setdefault(page.section, []).append(page)
    if ACCOUNT_SECTION in sections:
        sections[ACCOUNT_SECTION] = sections.pop(ACCOUNT_SECTION)
    return sections
