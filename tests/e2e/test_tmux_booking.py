"""End to end: the real `kiosk` command in a real terminal (tmux 100x32), driven by keys like a
citizen at the keypad, signing in like a phone would, and booking an appointment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, approve_on_phone, kiosk_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    command = [str(KIOSK), "run", "--no-speech", "--language", "en", "--demo-seed", "7"]
    pane = Pane(command, kiosk_env(tmp_path), tmp_path / "tmux.sock")
    try:
        yield pane
    finally:
        pane.close()


def test_book_an_appointment_with_keys_and_a_phone(pane: Pane) -> None:
    pane.wait_for(r"Welcome to the health kiosk")
    pane.send("Enter")  # presses Start, which has the focus
    pane.wait_for(r"Choose your language")
    pane.send("2")
    pane.wait_for(r"What do you want to do\?")
    pane.send("1")
    pane.wait_for(r"1  Book a new appointment")
    pane.send("1")

    pane.wait_for(r"Sign in with your phone")
    page = pane.wait_for(r"Or open (http://127\.0\.0\.1:\d+/device) on your phone").group(1)
    code = pane.wait_for(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b").group(1)
    approve_on_phone(page, code)
    pane.wait_for(r"How do you want to meet the doctor\?", timeout_s=40)
    pane.send("1")  # at the GP office

    first_time = pane.wait_for(r"1  (\w+ \d{1,2} \w+ at \d{2}:\d{2})", timeout_s=40).group(1)
    pane.send("1")
    asked = pane.wait_for(r"at the GP office on (.+)\. Is that right\?").group(1)
    assert asked == first_time
    pane.send("1")  # Yes
    booked = pane.wait_for(r"at the GP office is booked for (.+)\.", timeout_s=40).group(1)
    assert booked == first_time

    pane.send("1")  # Done: the kiosk forgets the visit and waits for the next citizen
    pane.wait_for(r"Welcome to the health kiosk")
    assert first_time not in pane.text()
