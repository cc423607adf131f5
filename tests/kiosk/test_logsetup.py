"""Logs carry no personal data: a whole visit (sign-in, medicines, a message typed, a booking
made) logged through the kiosk's own log handler holds no name, patient id, typed text or
booked time, and the retry warnings of urllib3, which name request paths, arrive withheld."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from kiosk.app import KioskApp
from kiosk.logsetup import JOURNAL, WITHHELD, log_handler
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
        shown = kd.view(app).speech_text()
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView"
                            and app.flow.depth == 1, "the Welcome screen")
        await app.workers.wait_for_complete()
    text = log_file.read_text(encoding="utf-8")
    assert "sign-in approved" in text, "the visit should have been logged"
    lines = [line for line in shown.splitlines() if len(line) > 6]
    for canary in (*PATIENT_IDS, *NAMES, *lines):
        assert canary not in text, f"{canary!r} is in the log"


def journal_fields(datagram: bytes) -> dict[str, str]:
    """Reads journald's native binary field form, independently of the handler's writer."""
    fields, at = {}, 0
    while at < len(datagram):
        end = datagram.index(b"\n", at)
        name = datagram[at:end].decode("ascii")
        size = int.from_bytes(datagram[end + 1:end + 9], "little")
        fields[name] = datagram[end + 9:end + 9 + size].decode("utf-8")
        assert datagram[end + 9 + size:end + 10 + size] == b"\n"
        at = end + 10 + size
    return fields


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A datagram socket standing where journald's would, bound by the test."""
    path = tmp_path / "journal.socket"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.settimeout(5)
    monkeypatch.setenv("HELSELOS_JOURNAL_SOCKET", str(path))
    yield receiver
    receiver.close()


def test_journal_gets_the_kiosks_lines_and_no_librarys_text(journal: socket.socket) -> None:
    handler = log_handler(JOURNAL)
    try:
        logger = logging.getLogger("kiosk.services.signin")
        logger.addHandler(handler)
        logger.warning("sign-in failed:\nthe provider answered 400")
        logger.removeHandler(handler)
        first = journal_fields(journal.recv(65536))
        retry = logging.getLogger("urllib3.connectionpool")
        retry.addHandler(handler)
        retry.warning("Retrying: /fhir/Patient/%s", "kari")
        retry.removeHandler(handler)
        second = journal_fields(journal.recv(65536))
    finally:
        handler.close()
    assert first == {"MESSAGE": "kiosk.services.signin: sign-in failed:\nthe provider answered 400",
                     "PRIORITY": "4", "SYSLOG_IDENTIFIER": "helselos",
                     "LOGGER": "kiosk.services.signin"}
    assert second["MESSAGE"] == f"urllib3.connectionpool: {WITHHELD}"


def test_a_journal_that_is_away_puts_nothing_on_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HELSELOS_JOURNAL_SOCKET", str(tmp_path / "no-journal-here"))
    handler = log_handler(JOURNAL)
    logger = logging.getLogger("kiosk.test")
    logger.addHandler(handler)
    try:
        logger.error("the kiosk goes on")
    finally:
        logger.removeHandler(handler)
        handler.close()
    shown = capsys.readouterr()
    assert shown.out == "" and shown.err == ""
