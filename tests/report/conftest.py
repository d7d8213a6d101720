"""A real browser for the report tests: the system's headless Chromium, driven by Selenium.

Nothing is downloaded at run time: the browser is Debian's ``/usr/bin/chromium`` and the driver
Debian's ``/usr/bin/chromedriver``, both named explicitly so that Selenium never starts its own
driver manager. Chromium is started with every background service off and a fresh profile, so
the only network request a page can make is one the page itself asks for; the DevTools network
log records each of them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--window-size=1280,900", "--lang=en-GB",
)

#: Per chart, in the browser: its size, and its data points counted from the drawn marks. A
#: line is a path with one M/L command per point, a CDF staircase one V command per point; a
#: point or a bar is one element. Hidden or zero-sized marks do not count.
_COUNT_MARKS = """
const out = {};
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBoundingClientRect();
  let points = 0, series = 0;
  for (const m of svg.querySelectorAll('.mark')) {
    const b = m.getBBox();
    if (b.width === 0 && b.height === 0) continue;
    if (m.tagName === 'path') {
      const d = m.getAttribute('d');
      const n = m.classList.contains('step') ? (d.match(/V/g) || []).length
                                            : (d.match(/[ML]/g) || []).length;
      points += n; series += 1;
    } else if (m.tagName === 'circle' || m.tagName === 'rect') {
      points += 1;
    }
  }
  out[svg.id] = {points: points, series: series, width: box.width, height: box.height};
}
return out;
"""


@dataclass(frozen=True)
class PageCheck:
    """What the browser saw when it opened a report."""

    url: str
    title: str
    console: list[dict[str, Any]]
    """Console messages (errors, warnings, CSP violations); a clean page has none."""
    requests: list[str]
    """URLs the page requested, the page itself included."""
    charts: dict[str, dict[str, float]]
    """Per chart id: ``points`` and ``series`` drawn, and its ``width`` and ``height``."""
    text: str
    """The page's visible text, as the browser laid it out."""
    screenshot: Path
    pdf_pages: int
    """Pages of the print rendering (A4, with the print stylesheet)."""


class Browser:
    """One headless Chromium session; :meth:`open` loads a file and reports what happened."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, page: Path, screenshot: Path) -> PageCheck:
        d = self.driver
        d.get("about:blank")
        d.get_log("performance")  # drop what the start page logged
        d.get_log("browser")
        url = page.resolve().as_uri()
        d.get(url)
        requests = []
        for entry in d.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                requests.append(message["params"].get("request", {}).get("url")
                                or message["params"].get("url", ""))
        console = d.get_log("browser")
        charts = d.execute_script(_COUNT_MARKS)
        width, height = d.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        shot = d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        from selenium.webdriver.common.print_page_options import PrintOptions

        options = PrintOptions()
        options.background = True
        pdf = base64.b64decode(d.print_page(options))
        screenshot.with_suffix(".pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        return PageCheck(url=url, title=d.title, console=console, requests=requests,
                         charts=charts, text=d.execute_script("return document.body.innerText"),
                         screenshot=screenshot, pdf_pages=pages)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A headless Chromium shared by the report tests (starting one takes about two seconds)."""
    if not CHROMIUM.exists():
        pytest.skip("the browser tests need Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium chromium-driver)")
    # With the browser there, a missing driver or Selenium is a broken install, not a skip.
    assert CHROMEDRIVER.exists(), "chromium is installed but not chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


REPO = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).resolve().parent / "data" / "tiny-faults.toml"
"""A week on the tiny topology with a hub outage, expired certificates, tampering and
calibration figures, in model crypto: every section of the simulation report has data."""
ENVELOPES = REPO / "fixtures" / "envelopes"
"""The envelope fixtures (valid and broken): a real audit source with unreadable entries."""


def run_cli(args: list[str]) -> Any:
    from click.testing import CliRunner

    from docflow.cli import cli

    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of ``docflow simulate tests/report/data/tiny-faults.toml``: summary.json and
    report.html, as the command writes them."""
    out = tmp_path_factory.mktemp("tiny-run")
    result = run_cli(["simulate", str(SCENARIO), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def fixture_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """``docflow audit fixtures/envelopes --target 0.98``: its JSON form and its HTML page."""
    out = tmp_path_factory.mktemp("audit")
    pages = {}
    for fmt in ("json", "html"):
        path = out / f"audit.{fmt}"
        result = run_cli(["audit", str(ENVELOPES), "--target", "0.98", "--format", fmt,
                          "-o", str(path)])
        assert result.exit_code in (0, 1), result.output  # 1: something below the target
        pages[fmt] = path
    return json.loads(pages["json"].read_text("utf-8")), pages["html"]
