"""The status page of a live axis, opened in headless Chromium over the server's real TLS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from docflow.axis import Client
from docflow.pki.national import NationalPki
from tests.report.conftest import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS
from tests.security.attack import ed, edit

from .live import G22, H49, SNV, XA, Server, signed_document


@pytest.fixture(scope="module")
def chromium(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium that trusts exactly the axis server's key (pinned by its SPKI hash), not
    every certificate."""
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), \
        "the status page test needs Debian's chromium and chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    cert = x509.load_pem_x509_certificate((pki_dir / "tls" / "server.pem").read_bytes())
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tmp_path_factory.mktemp("chromium-axis")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--ignore-certificate-errors-spki-list={pin}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_status_page_shows_traffic_waiting_and_refusals(
        pki: NationalPki, pki_dir: Path, tmp_path: Path, chromium: Any) -> None:
    """After three documents and two refusals, the page (no client certificate needed) counts
    them, lists what waits per agency and each refusal's codes, draws this hour's bar, and
    loads nothing but itself."""
    server = Server(pki_dir, str(tmp_path / "axis.sqlite")).start()
    try:
        with Client(server.url, pki_dir, H49) as h49, Client(server.url, pki_dir, XA) as xa:
            for serial, to in ((1, [SNV]), (2, [SNV, G22]), (3, [G22])):
                assert h49.send(signed_document(pki, H49, to, 8000 + serial)).accepted
            assert h49.send(edit(signed_document(pki, H49, [SNV], 8009), lambda r: setattr(
                next(r.iter(ed("Subject"))), "text", "sửa"))).codes == ("DF-SIG-011",)
            assert xa.send(signed_document(pki, H49, [SNV], 8010)).codes == ("DF-AXS-003",)
        chromium.get_log("performance")
        chromium.get(server.url + "/")
        requests = [json.loads(e["message"])["message"]["params"]["request"]["url"]
                    for e in chromium.get_log("performance")
                    if '"Network.requestWillBeSent"' in e["message"]]
        find = chromium.find_element
        assert chromium.title == "docflow axis — status"
        assert find("id", "total-messages").text.split()[0] == "3"
        assert find("id", "total-refused").text.split()[0] == "2"
        waiting = {row.split()[0]: row.split()[-1]
                   for row in find("id", "waiting").text.splitlines()[1:]}
        assert waiting == {SNV: "2", G22: "2"}
        refusals = find("id", "refusals").text
        assert "DF-SIG-011" in refusals and "DF-AXS-003" in refusals and XA in refusals
        bars = chromium.execute_script(
            "return [...document.querySelectorAll('#per-hour rect')]"
            ".map(r => r.getBBox().height)")
        assert len(bars) == 24 and bars[-1] > 0
        assert requests == [server.url + "/"]  # no script, style, image or icon loaded
        assert not [m for m in chromium.get_log("browser") if m["level"] == "SEVERE"]
    finally:
        server.stop()
