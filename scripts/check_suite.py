"""Fails CI when a part of the suite did not run: the PostgreSQL half, or the browser tests."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def main(report_path: str) -> int:
    cases = list(ElementTree.parse(report_path).getroot().iter("testcase"))
    problems: list[str] = []

    def ran(case: ElementTree.Element) -> bool:
        return case.find("skipped") is None

    skipped = [f"{case.get('classname')}::{case.get('name')}" for case in cases if not ran(case)]
    if skipped:
        problems.append(f"{len(skipped)} test(s) were skipped: {', '.join(skipped[:10])}")
    postgres = [case for case in cases if "postgresql" in (case.get("name") or "") and ran(case)]
    if not postgres:
        problems.append("no PostgreSQL test ran (is OTOP_TEST_DATABASE_URL set and the server up?)")
    if Path("tests/browser").is_dir():
        browser = [case for case in cases if "tests.browser" in (case.get("classname") or "") and ran(case)]
        if not browser:
            problems.append("no browser test ran")
    else:
        browser = []
    for problem in problems:
        print(f"check_suite: {problem}", file=sys.stderr)
    print(f"check_suite: {len(cases)} tests, {len(postgres)} on PostgreSQL, {len(browser)} in the browser")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
