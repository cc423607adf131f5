"""End to end fuzz: thousands of random keys and taps on the real `kiosk` command in a real
terminal (tmux 100x32) leave it running, unsuspended, with no traceback, and on a kiosk screen.

Four fixed seeds of 500 events each (2,000 in all), each seed in a fresh kiosk on the bundled
demo backend. The events are keypad and keyboard keys (digits, Enter, Escape, Tab, arrows,
letters, F1..F12, the page keys) and the keys that quit, stop or suspend a normal terminal app
(C-c, C-q, C-z, C-\\, C-d, C-s), plus mouse taps at random cells - the bottom rows (help bar and
caption line) more often, since a tap on the last row once crashed Textual's text selection -
and a few drags and wheel turns.

How a tap reaches the kiosk: tmux has no "click" command (``send-keys -M`` only forwards a mouse
event that a tmux key binding received), and ``send-keys -l`` sends text as keys. ``send-keys
-H`` writes the given bytes to the pane's terminal unchanged, so a tap is the xterm SGR mouse
report a terminal would send, ``ESC [ < 0 ; col ; row M`` (press) and then ``... m``
(release), 1-based cells, as hex bytes; Textual, which turns SGR mouse reporting on, parses
them as a click. `test_a_tap_lands_where_it_is_aimed` shows it does: a tap on the second
language tile picks English, where Enter on the focused first tile would pick Norwegian.

The test sends events in batches of ten with short pauses, so the kiosk handles them as a
citizen's input rather than one buffered burst, and checks the process between batches; a
failure shows the seed, the last events, the screen and the kiosk's log.
"""

from __future__ import annotations

import random
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, kiosk_env

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 100, 32
SEEDS = (1, 7, 2024, 65537)
EVENTS_PER_SEED = 500
BATCH = 10
EVENT_GAP_S = 0.02
BATCH_GAP_S = 0.15
SCREEN_EVERY = 5
"""Read the screen every this many batches: capture-pane costs more than the liveness check."""

DIGITS = [str(n) for n in range(10)]
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
F_KEYS = [f"F{n}" for n in range(1, 13)]
MOVES = ["Tab", "BTab", "Up", "Down", "Left", "Right"]
PAGE_KEYS = ["PageUp", "PageDown", "Home", "End"]
# The ways out of, or to a halt in, a terminal app; a kiosk must ignore every one.
EXIT_KEYS = ["C-c", "C-q", "C-z", "C-\\", "C-d", "C-s"]

TRACEBACK = re.compile(r"Traceback|most recent call last|│ locals|\b\w+(Error|Exception)\b")
RESTART = re.compile(r"starts again|starter på nytt")
# The headings of the kiosk's screens, in both languages; and the help bar every screen draws.
KIOSK_SCREEN = re.compile(
    r"Welcome to the health kiosk|Velkommen til helsekiosken|Choose your language|Velg språk"
    r"|What do you want to do\?|Hva vil du gjøre\?|Sign in with your phone|Logg inn med mobilen"
    r"|F1.*Esc.*F2.*F3.*F4.*F10"
    # In any of the thirteen languages, and under a dialog that hides the help bar: a tile's
    # top edge, which only the kiosk draws (a traceback or a shell has none).
    r"|▊▔▔▔▔",
    re.DOTALL,
)


@dataclass(frozen=True)
class Event:
    """One citizen input: a tmux key name, or a mouse gesture at 0-based cells."""

    kind: str  # "key", "tap", "drag" or "wheel"
    key: str = ""
    x: int = 0
    y: int = 0
    to_x: int = 0
    to_y: int = 0

    def __str__(self) -> str:
        if self.kind == "key":
            return self.key
        if self.kind == "drag":
            return f"drag({self.x},{self.y}->{self.to_x},{self.to_y})"
        return f"{self.kind}({self.x},{self.y}{',' + self.key if self.key else ''})"


def random_cell(rng: random.Random) -> tuple[int, int]:
    # A quarter of the taps on the last two rows: the help bar and the caption line.
    row = rng.choice((HEIGHT - 2, HEIGHT - 1)) if rng.random() < 0.25 else rng.randrange(HEIGHT)
    return rng.randrange(WIDTH), row


def random_events(seed: int, count: int) -> list[Event]:
    """The same events for the same seed, on every machine."""
    rng = random.Random(seed)
    kinds: list[tuple[int, Callable[[], Event]]] = [
        # Digits pick tiles: weighted up, so the fuzz walks deep into the tasks.
        (35, lambda: Event("key", rng.choice(DIGITS))),
        (10, lambda: Event("key", "Enter")),
        (6, lambda: Event("key", "Escape")),
        (4, lambda: Event("key", "BSpace")),
        (8, lambda: Event("key", rng.choice(MOVES))),
        (5, lambda: Event("key", rng.choice(LETTERS))),
        (3, lambda: Event("key", "Space")),
        (5, lambda: Event("key", rng.choice(F_KEYS))),
        (2, lambda: Event("key", rng.choice(PAGE_KEYS))),
        (2, lambda: Event("key", rng.choice(EXIT_KEYS))),
        (18, lambda: Event("tap", "", *random_cell(rng))),
        (1, lambda: Event("drag", "", *random_cell(rng), *random_cell(rng))),
        (1, lambda: Event("wheel", rng.choice(("up", "down")), *random_cell(rng))),
    ]
    weights = [weight for weight, _ in kinds]
    makers = [make for _, make in kinds]
    return [rng.choices(makers, weights)[0]() for _ in range(count)]


def sgr(button: int, x: int, y: int, press: bool = True) -> str:
    """An xterm SGR mouse report for 0-based cell (x, y)."""
    return f"\x1b[<{button};{x + 1};{y + 1}{'M' if press else 'm'}"


class FuzzPane(Pane):
    """The booking test's pane, plus mouse reports and a look at the kiosk process."""

    def send_bytes(self, data: str) -> None:
        hex_bytes = [f"{byte:02x}" for byte in data.encode("ascii")]
        subprocess.run([*self.tmux, "send-keys", "-t", "kiosk", "-H", *hex_bytes],
                       check=True, timeout=30)

    def tap(self, x: int, y: int) -> None:
        self.send_bytes(sgr(0, x, y))
        self.send_bytes(sgr(0, x, y, press=False))

    def play(self, event: Event) -> None:
        if event.kind == "key":
            self.send(event.key)
        elif event.kind == "tap":
            self.tap(event.x, event.y)
        elif event.kind == "drag":
            # Press, move with the button held (32 = motion), release somewhere else.
            mid_x, mid_y = (event.x + event.to_x) // 2, (event.y + event.to_y) // 2
            self.send_bytes(sgr(0, event.x, event.y) + sgr(32, mid_x, mid_y))
            self.send_bytes(sgr(32, event.to_x, event.to_y)
                            + sgr(0, event.to_x, event.to_y, press=False))
        else:
            self.send_bytes(sgr(64 if event.key == "up" else 65, event.x, event.y))

    def process(self) -> tuple[bool, str, str]:
        """(pane dead, exit status if dead, the kiosk process's state letter from /proc)."""
        shown = subprocess.run(
            [*self.tmux, "display", "-p", "-t", "kiosk",
             "#{pane_dead} #{pane_dead_status} #{pane_pid}"],
            capture_output=True, text=True, timeout=30,
        ).stdout.split()
        dead = shown[:1] == ["1"]
        if dead:
            return True, " ".join(shown[1:-1]), ""
        # tmux runs the command through `sh -c`, which execs it: the pane's pid is the kiosk.
        try:
            stat = Path(f"/proc/{shown[-1]}/stat").read_text(encoding="ascii")
        except (OSError, IndexError):
            return False, "", "?"
        return False, "", stat.rsplit(")", 1)[1].split()[0]


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[FuzzPane]:
    env = kiosk_env(tmp_path)
    # The log names where an unexpected error happened: the failure message shows it.
    env["HELSELOS_LOG"] = str(tmp_path / "kiosk.log")
    command = [str(KIOSK), "run", "--no-speech", "--language", "en", "--demo-seed", "7"]
    pane = FuzzPane(command, env, tmp_path / "tmux.sock")
    try:
        yield pane
    finally:
        pane.close()


def log_tail(pane: FuzzPane) -> str:
    log = Path(pane.tmux[2]).parent / "kiosk.log"
    try:
        return "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
    except OSError:
        return "(no log)"


def test_a_tap_lands_where_it_is_aimed(kiosk: FuzzPane) -> None:
    kiosk.wait_for(r"Welcome to the health kiosk")
    start = kiosk.wait_for(r"(?m)^.*1  Start")
    kiosk.tap(start.group(0).index("Start"), kiosk.text()[:start.start()].count("\n"))
    kiosk.wait_for(r"Choose your language")
    screen = kiosk.text()
    lines = screen.splitlines()
    row = next(n for n, line in enumerate(lines) if "2  English" in line)
    # The first tile (Norwegian) has the focus: only a tap at the second one picks English.
    kiosk.tap(lines[row].index("2  English") + 3, row)
    kiosk.wait_for(r"What do you want to do\?")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("seed", SEEDS)
def test_random_keys_and_taps_leave_the_kiosk_running(kiosk: FuzzPane, seed: int) -> None:
    kiosk.wait_for(r"Welcome to the health kiosk")
    events = random_events(seed, EVENTS_PER_SEED)
    sent: list[Event] = []

    def fail(where: str, problem: str, screen: str) -> None:
        recent = " ".join(str(event) for event in sent[-20:])
        pytest.fail(f"seed {seed}, {where}: {problem}\nlast {min(20, len(sent))} of "
                    f"{len(sent)} events: {recent}\nscreen:\n{screen}\nlog:\n{log_tail(kiosk)}")

    def check(where: str, screen: str | None = None) -> None:
        dead, status, state = kiosk.process()
        if dead:
            fail(where, f"the kiosk exited (status {status})", kiosk.text())
        elif state in ("T", "t"):
            fail(where, "the kiosk process is stopped (suspended)", kiosk.text())
        elif screen is not None and TRACEBACK.search(screen):
            fail(where, "a traceback is on the screen", screen)
        elif screen is not None and RESTART.search(screen):
            fail(where, "the kiosk shows its restart line", screen)

    for start in range(0, len(events), BATCH):
        for event in events[start:start + BATCH]:
            kiosk.play(event)
            sent.append(event)
            time.sleep(EVENT_GAP_S)
        time.sleep(BATCH_GAP_S)
        batch = start // BATCH
        check(f"after batch {batch}", kiosk.text() if batch % SCREEN_EVERY == 0 else None)

    # Let the last events settle, then look: still a kiosk screen, and End starts over.
    time.sleep(1.0)
    screen = kiosk.text()
    check("after all events", screen)
    if not KIOSK_SCREEN.search(screen):
        fail("after all events", "not on a kiosk screen", screen)
    # End the visit as a citizen can from wherever the fuzz left off: Esc closes a dialog (the
    # app's F10 does not reach past one), then End (F10) starts over at the welcome screen.
    for _ in range(4):
        kiosk.send("Escape")
        time.sleep(0.5)
        kiosk.send("F10")
        deadline = time.monotonic() + 5
        while "Welcome to the health kiosk" not in (screen := kiosk.text()):
            check("after Esc and End (F10)", screen)
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        else:
            break
    else:
        fail("after Esc and End (F10), four times", "no welcome screen", screen)
    check("on the welcome screen", screen)
