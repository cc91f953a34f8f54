"""What the head-unit tests share: the real service, its gRPC server and the page, running in a
thread of their own; and a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``).

The service runs on its own asyncio loop in a background thread, so the synchronous Selenium
calls of a test never block it. Every wait is a ``WebDriverWait`` with a generous bound: the
machine is small and busy, and nothing here measures speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import shutil
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from cockpit.hmi.web import HmiServer
from cockpit.server.auth import TokenBook
from cockpit.server.owners import SessionLimits
from cockpit.server.runner import CockpitServer, start_server
from cockpit.service_api import HealthReport
from cockpit.testing import FakeAssistant
from tests.conftest import Stack, close_stack, make_stack

T = TypeVar("T")

PAGE = "page-bridge-secret-0123456789"
"""The page bridge's token: hmi and bench."""
OTHER = "second-client-secret-98765"
"""Another head unit's token (hmi only)."""
HMI_ONLY = "hmi-only-bridge-secret-abcde"
"""A bridge without the bench scope."""
TOKENS = f"""
[[token]]
name = "page"
secret = "{PAGE}"
scopes = ["hmi", "bench"]

[[token]]
name = "other"
secret = "{OTHER}"
scopes = ["hmi"]

[[token]]
name = "hmi-only"
secret = "{HMI_ONLY}"
scopes = ["hmi"]
"""
WAIT_S = 90.0
"""Bound of every wait in a browser test (generous: 2 busy cores)."""
STARTS = 3
"""Attempts at starting Chromium (its first start on a loaded machine can time out)."""
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def roomy_limits(**given: Any) -> SessionLimits:
    """Session limits with room for a test's quick turns: one browser types a dozen turns in a few
    seconds, which the default per-session turn rate (a person's pace) would refuse."""
    names = {f.name for f in dataclasses.fields(SessionLimits)}
    wanted = {"turns_per_minute": 6000.0, "turn_burst": 1000, **given}
    return SessionLimits(**{k: v for k, v in wanted.items() if k in names})


class DegradedAssistant(FakeAssistant):
    """The contract's fake service, reporting its language model missing."""

    def health(self) -> HealthReport:
        return HealthReport(True, ("the language model is not installed",))


def auth(secret: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {secret}"),)


class LiveHmi:
    """The real stack, its gRPC server (with the tokens above) and the page, on a loop in a thread."""

    def __init__(self, **overrides: object) -> None:
        self._overrides = overrides
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="hmi-loop", daemon=True)
        self.stack: Stack | None = None
        self.server: CockpitServer | None = None
        self.pages: list[HmiServer] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT_S) -> T:
        """Run ``coro`` on the service's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def start(self) -> LiveHmi:
        self._thread.start()
        self.run(self._start())
        return self

    async def _start(self) -> None:
        self.stack = make_stack(**self._overrides)
        service = self.stack.parts.service
        book = TokenBook.from_toml(TOKENS)
        self.server, _ = await start_server(
            service, "127.0.0.1", 0, tuple(service.registrars), tokens=book, limits=roomy_limits()
        )

    @property
    def target(self) -> str:
        assert self.server is not None
        return self.server.target

    def page(self, token: str = PAGE) -> HmiServer:
        """A page bridge (on a free port) for the server, with ``token``."""

        async def start() -> HmiServer:
            hmi = HmiServer(self.target, token, 0)
            await hmi.start()
            return hmi

        hmi = self.run(start())
        self.pages.append(hmi)
        return hmi

    def stop(self) -> None:
        async def stop() -> None:
            for page in self.pages:
                await page.stop()
            if self.server is not None:
                await self.server.stop(1.0)
            if self.stack is not None:
                await close_stack(self.stack)

        try:
            self.run(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=30)


def chromium(fake_audio: Path | None = None, deny_mic: bool = False) -> Any:
    """A headless Chromium at 1280x720 with a fake microphone (playing ``fake_audio`` when given)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("chromium and chromium-driver are not installed (script/setup.sh installs them)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-proxy-server",
        "--window-size=1280,720",
        "--autoplay-policy=no-user-gesture-required",
        "--use-fake-device-for-media-stream",
        "--mute-audio",
    ):
        options.add_argument(arg)
    if deny_mic:
        options.add_argument("--deny-permission-prompts")
    else:
        options.add_argument("--use-fake-ui-for-media-stream")
    if fake_audio is not None:
        options.add_argument(f"--use-file-for-fake-audio-capture={fake_audio}")
    from selenium.common.exceptions import WebDriverException

    for attempt in range(STARTS):
        try:
            driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
            break
        except WebDriverException:  # a busy machine can miss chromedriver's start-up window once
            if attempt == STARTS - 1:
                raise
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    # The head unit's screen, exactly (the window's own chrome would take some of 720 rows).
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False}
    )
    return driver


def wait(driver: Any, condition: Any, message: str = "", timeout: float = WAIT_S) -> Any:
    """``WebDriverWait(driver, timeout).until(condition)``; the failure names what was waited for
    and shows what the page showed (its last conversation entries, the microphone's state)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition, message)
    except TimeoutException:
        raise AssertionError(f"no {message} within {timeout:.0f} s; the page showed: {page_state(driver)}") from None


PAGE_STATE = """
const entries = [...document.querySelectorAll("[data-role=conversation] [data-event]")].slice(-12);
const hmi = window.hmi || {};
return {
  entries: entries.map((e) => `${e.dataset.event}: ${e.textContent}`),
  banner: document.querySelector("[data-role=banner]").textContent,
  listening: hmi.listening, chunks: hmi.mic && hmi.mic.chunks, banners: hmi.banners,
};
"""


def page_state(driver: Any) -> Any:
    """What the page shows, for a failure's message."""
    try:
        return driver.execute_script(PAGE_STATE)
    except Exception as err:  # the page itself may be what broke
        return f"(unreadable: {err})"


def text_of(driver: Any, css: str) -> str:
    """The text of the first element matching ``css`` ("" when there is none)."""
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    return str(found[0].text) if found else ""


def vss(path: str) -> str:
    """The CSS selector of the element that shows ``path``."""
    return f'[data-vss="{path}"]'


@pytest.fixture(name="live", scope="module")
def live_hmi() -> Iterator[LiveHmi]:
    """The real service and its gRPC server for one test module."""
    hmi = LiveHmi().start()
    yield hmi
    hmi.stop()


@pytest.fixture(name="loopback_unproxied", autouse=True)
def loopback_unproxied_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """gRPC, aiohttp and Selenium reach 127.0.0.1 directly, whatever proxy the machine sets."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# -- a page without a browser: a WebSocket client of the bridge -------------------------------------

TIMEOUT_S = 60.0
"""Bound of every wait (a busy machine; nothing here is timed)."""


@pytest.fixture(name="fresh")
async def fresh_stack() -> AsyncIterator[Stack]:
    """The real stack, for one test: its Bench service is served by that test's server alone."""
    s = make_stack()
    yield s
    await close_stack(s)


@dataclass
class Page:
    """One WebSocket as a page holds it, and every message it was sent."""

    ws: aiohttp.ClientWebSocketResponse
    seen: list[dict[str, Any]]

    async def until(self, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Read messages until one passes ``check`` (within :data:`TIMEOUT_S` in all); it is returned."""
        for message in self.seen:
            if check(message):
                return message
        deadline = asyncio.get_running_loop().time() + TIMEOUT_S
        while True:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, (
                f"no {what} in {TIMEOUT_S:.0f} s; errors: {[m for m in self.seen if m['type'] == 'hmi.error']}"
            )
            msg = await self.ws.receive(timeout=left)
            assert msg.type is aiohttp.WSMsgType.TEXT, f"waiting for {what}, the socket gave {msg.type!r}"
            obj = json.loads(msg.data)
            self.seen.append(obj)
            if check(obj):
                return obj

    async def send(self, obj: Any) -> None:
        await self.ws.send_str(obj if isinstance(obj, str) else json.dumps(obj))

    async def turn(self, text: str) -> list[dict[str, Any]]:
        """One typed turn; its event lines up to the reply."""
        start = len(self.seen)
        await self.send({"type": "text", "text": text})
        last = await self.until(lambda m: m["type"] in ("reply", "hmi.error") and m in self.seen[start:], "the reply")
        assert last["type"] == "reply", f"the turn {text!r} failed: {last}"
        return [m for m in self.seen[start:] if not m["type"].startswith("hmi.")]

    async def error(self) -> dict[str, Any]:
        """The next ``hmi.error``."""
        start = len(self.seen)
        return await self.until(lambda m: m["type"] == "hmi.error" and m in self.seen[start:], "an error")


@contextlib.asynccontextmanager
async def bridge(
    service: Any, token: str = PAGE, limits: SessionLimits | None = None
) -> AsyncIterator[tuple[HmiServer, aiohttp.ClientSession]]:
    """A gRPC server with the test tokens, a page bridge in front of it, and an HTTP client."""
    registrars = tuple(getattr(service, "registrars", ()))
    book = TokenBook.from_toml(TOKENS)
    server, _ = await start_server(service, "127.0.0.1", 0, registrars, tokens=book, limits=limits or roomy_limits())
    hmi = HmiServer(server.target, token, 0)
    await hmi.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield hmi, http
    finally:
        await hmi.stop()
        await server.stop(1.0)


@contextlib.asynccontextmanager
async def page(hmi: HmiServer | int, http: aiohttp.ClientSession, query: str = "?speech=0") -> AsyncIterator[Page]:
    """A page's WebSocket to the bridge (an :class:`HmiServer`, or its port), once it said hello."""
    port = hmi if isinstance(hmi, int) else hmi.port
    async with http.ws_connect(f"ws://127.0.0.1:{port}/ws{query}", max_msg_size=0) as ws:
        p = Page(ws, [])
        await p.until(lambda m: m["type"] == "hmi.hello", "hello")
        yield p
