"""Logs carry no personal data: a whole visit (sign-in, medicines, a message typed, a booking
made) logged through the kiosk's own log handler holds no name, patient id, typed text or
booked time, and the retry warnings of urllib3, which name request paths, arrive withheld."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from kiosk.app import KioskApp
from kiosk.logsetup import WITHHELD, log_handler
from kiosk.runtime import Runtime
from tests.loopback import closed_port_url

PATIENT_IDS = ("kari", "ola")
NAMES = ("Kari", "Nordmann")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kiosk.log"
    handler = log_handler(str(path))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def test_library_messages_are_withheld(log_file: Path) -> None:
    logging.getLogger("urllib3.connectionpool").warning(
        "Retrying after connection broken: /fhir/Patient/%s", "kari")
    logging.getLogger("kiosk.services.http").info("GET /fhir/Patient/{id} -> 200")
    text = log_file.read_text(encoding="utf-8")
    assert "kari" not in text
    assert f"WARNING urllib3.connectionpool: {WITHHELD}" in text
    assert "kiosk.services.http: GET /fhir/Patient/{id} -> 200" in text


def test_urllib3_retry_warnings_name_no_path(log_file: Path) -> None:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(max_retries=1)
    session.mount("http://", adapter)
    with pytest.raises(requests.ConnectionError):
        session.get(f"{closed_port_url()}/fhir/Patient/kari?_count=3", timeout=1)
    text = log_file.read_text(encoding="utf-8")
    assert "urllib3" in text, "the retry warning should be logged (its text withheld)"
    assert "kari" not in text and "/fhir" not in text


async def test_a_whole_visit_logs_nothing_personal(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, log_file: Path
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "list")
        shown = app.screen.speech_text()
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleScreen"
                            and len(app.screen_stack) == 2, "the Welcome screen")
        await app.workers.wait_for_complete()
    text = log_file.read_text(encoding="utf-8")
    assert "sign-in approved" in text, "the visit should have been logged"
    lines = [line for line in shown.splitlines() if len(line) > 6]
    for canary in (*PATIENT_IDS, *NAMES, *lines):
        assert canary not in text, f"{canary!r} is in the log"
