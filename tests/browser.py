"""Headless Chromium for the browser tests, driven by selenium through Debian's chromedriver.

Under CI (CI=true) scripts/chromium.sh installs `chromium` and `chromium-driver` when missing and a
browser that still cannot start fails the tests; elsewhere they are skipped with the reason.
Selenium is told where the driver is and to stay offline, so it never downloads a driver.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "chromium.sh"
INSTALL_TIMEOUT = 900  # seconds; apt-get may download Chromium first


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if _under_ci():
        pytest.fail(f"headless Chromium is required under CI: {reason}", pytrace=False)
    pytest.skip(f"no headless Chromium: {reason}")


def _binaries() -> tuple[str, str]:
    """(browser, driver): installed by scripts/chromium.sh under CI, else as found on this machine."""
    if _under_ci():
        try:
            found = subprocess.run(
                ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            _unavailable(f"scripts/chromium.sh did not finish within {INSTALL_TIMEOUT} s")
        if found.returncode != 0:
            lines = found.stderr.strip().splitlines()
            _unavailable(lines[-1] if lines else f"scripts/chromium.sh exited {found.returncode}")
        browser, driver = found.stdout.strip().splitlines()[-2:]
        return browser, driver
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if driver is None and Path("/usr/bin/chromedriver").exists():
        driver = "/usr/bin/chromedriver"
    if not browser or not driver:
        _unavailable("chromium or chromedriver is not installed (scripts/chromium.sh installs them)")
    return browser, driver


@pytest.fixture(scope="session")
def chrome() -> Iterator:
    """A selenium WebDriver on headless Chromium, shared by the session's browser tests."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    browser, driver_path = _binaries()
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a driver
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # tests may run as root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
    except WebDriverException as error:
        _unavailable(f"Chromium did not start: {str(error.msg or error).strip().splitlines()[0]}")
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def serving(app) -> Iterator[str]:
    """Run the ASGI `app` with uvicorn on 127.0.0.1, on a free port, in a thread; yield its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
