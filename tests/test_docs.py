"""The README documents every setting the portal reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sources = [ROOT / "otop" / "config.py", ROOT / "tests" / "conftest.py"]
    names = {name for path in sources for name in re.findall(r"OTOP_[A-Z_]+", path.read_text(encoding="utf-8"))}
    assert names, "no settings found"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []
