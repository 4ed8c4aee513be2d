"""Browser fixtures: the portal served by ``streamlit run`` on a free port, and Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from db.engine import make_engine
from otop.bench import wait_until_healthy as _wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("OTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MAX_SCREENSHOT_HEIGHT = 8000
# A dashboard's first run sums a province's year: give every expectation the time a wait has.
expect.set_options(timeout=30_000)


@dataclass(frozen=True)
class Portal:
    url: str
    database_url: str

    def engine(self):  # type: ignore[no-untyped-def]
        return make_engine(self.database_url)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A fresh demo database and the app serving it; stopped at the end of the session."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.sqlite3'}"
    environment = {
        **os.environ,
        "OTOP_DATABASE_URL": database_url,
        "OTOP_DEMO_MODE": "1",
        "OTOP_LOGIN_SLEEP_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    for command in (["db", "upgrade"], ["demo", "--if-empty"]):
        subprocess.run([sys.executable, "-m", "otop", *command], cwd=ROOT, env=environment, check=True)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield Portal(url=url, database_url=database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"chromium not found at {CHROMIUM}: install it with "
            "`apt-get update && apt-get install -y chromium fonts-thai-tlwg` (CI's .ci/run does)",
            pytrace=False,
        )
    launched = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


# Counts, in the page, the messages the browser sends to the app (a click, an edit, a component's value)
# and the runs the app reports finished since the last one: a ForwardMsg whose field 6 (script_finished)
# is 0 (finished), 1 (compile error) or 3 (fragment finished); 2 (stopped early for a rerun) is not an end.
# The run state Streamlit keeps on its root for its own tests must also read "notRunning", which it
# does once the page has drawn the run's last elements.
RUN_WATCH = """
(() => {
  const watch = { sent: 0, finished: 0 };
  window.__otopRuns = watch;
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at.i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const finishedStatus = (bytes) => {
    const at = { i: 0 };
    while (at.i < bytes.length) {
      const tag = varint(bytes, at), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) { const value = varint(bytes, at); if (field === 6) return value; }
      else if (wire === 2) { const length = varint(bytes, at); at.i += length; }
      else if (wire === 1) { at.i += 8; }
      else if (wire === 5) { at.i += 4; }
      else return null;
    }
    return null;
  };
  const watched = new WeakSet();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener('message', (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = finishedStatus(new Uint8Array(event.data));
        if (status === 0 || status === 1 || status === 3) watch.finished += 1;
      });
    }
    watch.sent += 1;
    watch.finished = 0;
    return send.call(this, data);
  };
})();
"""
RUN_ENDED = """(sent) => window.__otopRuns.sent >= sent && window.__otopRuns.finished >= 1
  && document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'"""


def new_page(browser: Browser) -> Page:
    """A page in a context of its own (its own cookies, so its own login), watching the app's runs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="th-TH", accept_downloads=True)
    context.add_init_script(RUN_WATCH)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    return opened


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = new_page(browser)
    yield opened
    opened.context.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens more pages, one per person in a journey (an officer and a director); all closed afterwards."""
    opened: list[Page] = []

    def opener() -> Page:
        opened.append(new_page(browser))
        return opened[-1]

    yield opener
    for each in opened:
        each.context.close()


def sent_messages(page: Page) -> int:
    return int(page.evaluate("() => window.__otopRuns.sent"))


def wait_for_run(page: Page, *, sent_before: int = 0) -> None:
    """Wait until the run started by the browser's latest message to the app has ended.

    With ``sent_before`` (``sent_messages(page)`` taken before an action), wait for a message
    sent after it, so the run of that very action is the one waited for.
    """
    page.wait_for_function(RUN_ENDED, arg=sent_before + 1, timeout=30_000)


@contextmanager
def run_of(page: Page) -> Iterator[None]:
    """``with run_of(page): <action>`` returns once the run the action started has ended."""
    before = sent_messages(page)
    yield
    wait_for_run(page, sent_before=before)


def screenshot(page: Page, name: str) -> Path:
    """The whole screen as a PNG under artifacts/screenshots/.

    Streamlit scrolls inside its main area, so a full-page capture would stop at the window's
    height: the window is stretched to the content for the capture and then put back.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    viewport = page.viewport_size
    content_height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stSidebarContent"]\')]'
        ".map((element) => element.scrollHeight), 0)"
    )
    if viewport and content_height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(content_height, MAX_SCREENSHOT_HEIGHT)})
        _settle(page)
    page.screenshot(path=str(path), full_page=True)
    if viewport and page.viewport_size != viewport:
        page.set_viewport_size(viewport)
        _settle(page)
    return path


def _settle(page: Page) -> None:
    """Wait two animation frames, so that the grids have redrawn their canvas at the new size."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
