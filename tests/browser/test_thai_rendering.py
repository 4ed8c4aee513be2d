"""Thai text renders with a real Thai font, not as boxes."""

from playwright.sync_api import Page

from tests.browser.conftest import Portal, screenshot
from tests.browser.ui import show_login_form

MEASURE = """
([text, family]) => {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  context.font = `32px ${family}`;
  return context.measureText(text).width;
}
"""


def test_thai_text_renders_with_a_thai_font(portal: Portal, page: Page) -> None:
    show_login_form(page, portal)
    screenshot(page, "first-page")
    assert page.evaluate("() => document.fonts.check('16px Loma')") or page.evaluate(
        "() => document.fonts.check('16px Garuda')"
    )
    thai = page.evaluate(MEASURE, ["กกกกกกกกกก", "Loma, sans-serif"])
    missing_glyph = page.evaluate(MEASURE, ["\uffff" * 10, "Loma, sans-serif"])
    latin = page.evaluate(MEASURE, ["nnnnnnnnnn", "Loma, sans-serif"])
    # Ten Thai letters in a Thai font are about as wide as ten Latin letters, never ten tofu boxes.
    assert thai != missing_glyph
    assert 0.5 * latin < thai < 2.0 * latin
