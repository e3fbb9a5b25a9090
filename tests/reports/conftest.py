"""A headless browser for the report pages (Debian's chromium and chromedriver, driven by
selenium), one a test module; skipped where neither is installed, failed under CI."""

import os
import shutil
from pathlib import Path

import pytest

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMEDRIVER).exists() and (shutil.which("chromium") or shutil.which("chromium-browser"))):
        message = "needs chromium and its driver: `apt install chromium chromium-driver`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page_errors(browser):
    """The page's console errors since the last call."""
    return lambda: [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture
def texts_outside(browser):
    """(how many SVGs match a selector, the texts of them the browser draws outside their SVG)."""
    return lambda selector: browser.execute_script(_TEXTS_OUTSIDE, selector)


_TEXTS_OUTSIDE = """
const found = [];
const svgs = document.querySelectorAll(arguments[0]);
for (const svg of svgs) {
  const box = svg.getBoundingClientRect();
  for (const text of svg.querySelectorAll('text')) {
    const r = text.getBoundingClientRect();
    if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                    r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))
      found.push(text.textContent);
  }
}
return [svgs.length, found];
"""
