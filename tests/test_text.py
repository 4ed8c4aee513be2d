"""User text as stored: control characters dropped, spaces tidied."""

from otop.text import clean_text, without_controls


def test_without_controls_drops_nul_and_bell_but_keeps_line_breaks_thai_and_emoji() -> None:
    assert without_controls("ก\x00ข\x07\nค\t👩🏽‍🌾\x7f\x85") == "กข\nค\t👩🏽‍🌾"


def test_clean_text_makes_one_tidy_line() -> None:
    assert clean_text("  กลุ่ม\x00ทอผ้า \n\t บ้าน\u00a0ดอน  ") == "กลุ่มทอผ้า บ้าน ดอน"
    assert clean_text("\x00 \x1f ") == ""
