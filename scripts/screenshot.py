"""Screenshot a report page in headless Chromium with one seed sentence selected (for docs/).

    python scripts/screenshot.py report.html docs/report.png [--sentence 0] [--size 1100x900]

Uses Debian's chromium and chromedriver (scripts/chromium.sh installs them); never downloads a driver.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="the report's HTML file")
    parser.add_argument("png", type=Path, help="where to write the screenshot")
    parser.add_argument("--sentence", type=int, default=0, help="the seed sentence to select (from 0)")
    parser.add_argument("--size", default="1100x900", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args()
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=en-US"):
        options.add_argument(argument)
    width, height = (int(n) for n in args.size.split("x"))
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    try:
        driver.get(args.page.resolve().as_uri())
        driver.find_element(By.ID, f"s-{args.sentence}").click()
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(args.png))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
