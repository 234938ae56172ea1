"""Browser tests: Playwright from PyPI driving Debian's Chromium, with axe-core."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("JOINEDUP_CHROMIUM", "/usr/bin/chromium")
# A phone: every checked page must fit this width without sideways scrolling.
NARROW = 375


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Pages:
    """A page with helpers: every visit is checked by axe-core and screenshotted."""

    def __init__(self, page, base_url: str, test_name: str):
        self.page = page
        self.base_url = base_url
        self.test_name = re.sub(r"[^a-z0-9_]+", "_", test_name.lower())
        self.visited: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username: str, password: str):
        """Sign in through the real form; returns the page."""
        page = self.goto("/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        return self.press_sign_in()

    def portal_sign_in(self, email: str, password: str):
        """A resident or carer signs in to the portal; returns the page."""
        page = self.goto("/portal/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        return self.press_sign_in()

    def press_sign_in(self):
        page = self.page
        page.get_by_role("button", name="Sign in").click()
        # Wait for the page signing in leads to, so the next click is on it (a click made
        # while the sign-in is still loading is lost when the new page arrives).
        try:
            page.wait_for_url(
                lambda url: not url.split("?")[0].endswith("/sign-in"), timeout=15_000
            )
            page.wait_for_load_state()
        except PlaywrightTimeoutError:
            pass  # still on the sign-in page: the test looks at why
        return page

    def screenshot_path(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / f"{self.test_name}__{name}.png"

    def check(self, name: str) -> None:
        """Run axe-core on the page as it is now and save a screenshot."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.test_name}__{name}.png"), full_page=True
        )
        # axe-core is served as if from the site itself: the Content Security Policy
        # (scripts from 'self' only) stays on, and any page it breaks fails the test.
        self.page.route("**/__axe.min.js", lambda route: route.fulfill(path=str(AXE)))
        self.page.add_script_tag(url=self.base_url + "/__axe.min.js")
        result = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {name}:\n{json.dumps(violations, indent=1)}"
        self.check_narrow(name)
        self.visited.append(name)

    def check_narrow(self, name: str) -> None:
        """The same page on a phone (375 px wide): nothing wider than the screen, so no
        sideways scrolling. Screenshotted too; every width is logged for the report."""
        wide = self.page.viewport_size
        self.page.set_viewport_size({"width": NARROW, "height": 800})
        try:
            # Let the page lay itself out for the new width (two frames) before measuring.
            self.page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            width = self.page.evaluate("() => document.documentElement.scrollWidth")
            self.page.screenshot(path=str(self.screenshot_path(f"{name}__375")), full_page=True)
            with open(SCREENSHOTS.parent / "widths.tsv", "a") as log:
                log.write(f"{self.test_name}\t{name}\t{width}\n")
            if width > NARROW:
                widest = self.page.evaluate(
                    """(narrow) => [...document.querySelectorAll('body *')]
                        .map(el => [el.getBoundingClientRect().right, el])
                        .filter(([right]) => right > narrow)
                        .slice(0, 3)
                        .map(([right, el]) => `${el.tagName}.${el.className} ${Math.round(right)}`)
                        .join('; ')""",
                    NARROW,
                )
                raise AssertionError(
                    f"{name} is {width} px wide on a {NARROW} px screen: it must not scroll "
                    f"sideways (widest: {widest})"
                )
        finally:
            self.page.set_viewport_size(wide)


@pytest.fixture
def pages(chromium, live_server, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield Pages(page, live_server.url, request.node.name)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
