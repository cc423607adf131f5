"""The kiosk's own memory, read from outside: the real `kiosk` command in tmux, on a health
service in another process (so no demo data is in the kiosk), speaking into WAV files. Kari
books up to the confirm step, reads her medicines and types a message to her GP office; then
she presses End, Ola uses the kiosk and walks away until the idle timeout. Read through
``/proc/PID/mem``, no live ``str`` or ``bytes`` in the kiosk still holds any of Kari's texts
(freed memory may: the README says so). The same scan during her visit finds them live, so
the scan can fail."""

from __future__ import annotations

import random
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, approve_on_phone, kiosk_env
from tests.memscan import MemoryScan

pytestmark = pytest.mark.e2e

IDLE_TIMEOUT_S = 40
CODE = r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b"


@pytest.fixture
def pane(tmp_path: Path, separate_demo_service: str) -> Iterator[Pane]:
    env = kiosk_env(tmp_path, f"idle_timeout_s = {IDLE_TIMEOUT_S}\nidle_warning_s = 20\n")
    command = [str(KIOSK), "run", "--language", "en",
               "--fhir-base-url", f"{separate_demo_service}/fhir",
               "--audio", f"file:{tmp_path / 'audio'}"]
    pane = Pane(command, env, tmp_path / "tmux.sock")
    try:
        yield pane
    finally:
        pane.close()


def kiosk_pid(pane: Pane) -> int:
    """The kiosk process: the pane's own process, or the one child the shell started."""
    pid = int(subprocess.run([*pane.tmux, "list-panes", "-t", "kiosk", "-F", "#{pane_pid}"],
                             capture_output=True, text=True, timeout=30, check=True).stdout)
    for _ in range(3):
        if "kiosk" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1, f"cannot tell the kiosk among {children}"
        pid = int(children[0])
    raise AssertionError("no kiosk process in the pane")


def choose(pane: Pane, label: str) -> None:
    """Press the number of the button showing label, turning menu pages if needed."""
    for _ in range(6):
        screen = pane.text()
        found = re.search(rf"(\d+)\s+{re.escape(label)}", screen)
        if found:
            pane.send(found.group(1))
            return
        more = re.search(r"(\d+)\s+More tasks", screen)
        assert more, f"no button {label!r} on:\n{screen}"
        pane.send(more.group(1))
        time.sleep(0.5)
    raise AssertionError(f"no page shows {label!r}")


def sign_in(pane: Pane, patient: str) -> None:
    page = pane.wait_for(r"Or open (http://127\.0\.0\.1:\d+/device) on your phone").group(1)
    approve_on_phone(page, pane.wait_for(CODE).group(1), patient)


MENU = r"What do you want to do\?[\s\S]*Book, move or cancel"
"""The menu (a guide's first question can ask the same)."""


def back_to_menu(pane: Pane) -> None:
    for _ in range(10):
        if re.search(MENU, pane.text()):
            return
        pane.send("Escape")
        time.sleep(0.5)
    pane.wait_for(MENU)


def invented(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)).capitalize()


def live(pid: int, canaries: dict[str, str]) -> list[str]:
    scan = MemoryScan(pid)
    return [f"{what} ({text!r}): live {hit.live} ({hit.encoding}) at {hit.address:#x}: "
            f"{scan.around(hit.address)!r}"
            for what, text in canaries.items() for hit in scan.hits(text) if hit.live]


def test_no_live_string_of_the_first_visit_after_the_second(pane: Pane) -> None:
    rng = random.Random(8)
    canaries: dict[str, str] = {}
    pane.wait_for(r"Welcome to the health kiosk")
    pid = kiosk_pid(pane)
    pane.send("Enter")
    pane.wait_for(r"Choose your language")
    pane.send("2")
    pane.wait_for(MENU)
    choose(pane, "Book, move or cancel")
    pane.wait_for(r"1\s+Book a new appointment")
    pane.send("1")
    sign_in(pane, "kari")
    pane.wait_for(r"How do you want to meet the doctor\?", timeout_s=40)
    pane.send("1")
    canaries["booked time"] = pane.wait_for(r"1  (\w+ \d{1,2} \w+ at \d{2}:\d{2})",
                                            timeout_s=40).group(1)
    pane.send("1")
    pane.wait_for(r"Is that right\?")
    back_to_menu(pane)

    choose(pane, "My medicines")
    medicines = re.findall(r"\b[A-Z][a-z]+ \d+ (?:mg|microgram) tablet\b",
                           pane.wait_for(r"tablet[\s\S]*").string)
    assert medicines
    canaries.update((f"medicine {n}", m) for n, m in enumerate(medicines))
    back_to_menu(pane)

    message = " ".join(invented(rng) for _ in range(3))
    canaries["message"] = message
    choose(pane, "Message my GP office")
    pane.wait_for(r"1\s+\w")
    pane.send("1")
    time.sleep(1)
    pane.send("-l", message)
    pane.send("Enter")
    pane.wait_for(r"Do you want to send it\?")
    canaries["Kari's name"] = "Kari Nordmann"
    during = {line.split(" (", 1)[0] for line in live(pid, canaries)}
    assert during == set(canaries), "the scan does not see the visit in the kiosk's memory"

    pane.send("F10")  # End
    pane.wait_for(r"Welcome to the health kiosk")
    pane.send("Enter")
    pane.wait_for(r"Choose your language")
    pane.send("2")
    pane.wait_for(MENU)
    choose(pane, "My medicines")
    sign_in(pane, "ola")
    pane.wait_for(r"Salbutamol", timeout_s=40)
    # Ola walks away: the warning, then the end of his visit.
    pane.wait_for(r"Welcome to the health kiosk", timeout_s=IDLE_TIMEOUT_S * 3)
    # The welcome screen is drawn before the last visit's views are all taken down (on a busy
    # machine, seconds later): what is still being removed is looked at again, a few times.
    for _ in range(10):
        time.sleep(1)
        left = live(pid, canaries)
        if not left:
            break
    assert not left, "\n".join(left)
