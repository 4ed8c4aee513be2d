"""Portal processes (`streamlit run app.py` on PostgreSQL, killed and restarted) and a browser of their own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Portal, _free_port, _wait_healthy, new_page, screenshot

ROOT = Path(__file__).resolve().parents[2]
# Every replica must sign and check the login cookie with the same key, or a browser sent to
# another replica would be logged out; production sets it once for all of them.
SHARED_COOKIE_KEY = "replicas-share-one-cookie-key-0123456789abcdef"


@dataclass
class PortalProcess:
    """One replica of the portal: its own process and port, the shared database."""

    database_url: str
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def portal(self) -> Portal:
        return Portal(url=self.url, database_url=self.database_url)

    def start(self, log: Path) -> PortalProcess:
        environment = {
            **os.environ,
            "OTOP_DATABASE_URL": self.database_url,
            "OTOP_DEMO_MODE": "0",
            "OTOP_COOKIE_KEY": SHARED_COOKIE_KEY,
            "STREAMLIT_SERVER_COOKIE_SECRET": SHARED_COOKIE_KEY,
            "OTOP_LOGIN_SLEEP_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "streamlit", "run", "app.py",
                    "--server.port", str(self.port), "--server.headless", "true", "--server.address", "127.0.0.1",
                ],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_healthy(self.url, self.process)
        return self

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug would: no shutdown code runs."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


Scenario = Callable[[Callable[[], Page]], None]


def in_own_browser(name: str, scenario: Scenario) -> None:
    """Run ``scenario(open_page)`` with a chromium of its own, on a thread of its own.

    Playwright's sync API allows one instance per thread, and the browser tests of tests/browser
    keep theirs open for the whole session; a second thread lets both run in one pytest process.
    ``open_page()`` opens a page in a fresh context (its own cookies, so its own login). When the
    scenario fails, its pages are saved as artifacts/screenshots/failed-``name``-N.png.
    """
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages: list[Page] = []

                def open_page() -> Page:
                    pages.append(new_page(browser))
                    return pages[-1]

                try:
                    scenario(open_page)
                except BaseException:
                    for number, page in enumerate(pages, start=1):
                        screenshot(page, f"failed-{name}-{number}")
                    raise
                finally:
                    browser.close()
        except BaseException as failure:  # re-raised on the test's own thread
            failures.append(failure)

    worker = threading.Thread(target=run, name=f"browser-{name}")
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
