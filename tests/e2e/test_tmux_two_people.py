"""End to end: two people in a row at the real `kiosk` command in a real terminal (tmux 100x32).
The first signs in and does something personal, then leaves by Back, End, Done or the idle
timeout; the second walks up, and never sees, hears or can reach anything of the first.

Seen: every screen read while the second person uses the kiosk (after each key, and at each
poll while waiting) is checked for the first person's texts: the ones read off their own screens
(medicine lines, message lines, the booked time, names, a typed message, their sign-in code) and
a few known from the demo data. Screens read between two keys can miss a frame drawn for a
moment, so the terminal's whole output stream (tmux pipe-pane) is checked as well, for
everything drawn from the moment the first person's visit has ended. That check finds text
drawn whole (the test shows it finds each of the first person's texts in their own visit's
output); a line Textual only partly redraws (a caption changing a few letters) can come out in
pieces, which is why the screen reads stay the main check.

Heard: the kiosk speaks with espeak-ng into WAV files (``audio_output = file:DIR``) with a headset
"plugged in" (``headset_jack = file:PATH`` saying on), so private text is spoken in full and the
caption line (``♪ …``) shows what is heard. With ``--no-speech`` the caption would never be
drawn: each utterance's start and end arrive together and Textual draws only the empty one.
Checked: the first person's clips are deleted when the visit ends, and Repeat (F2) on the second
person's screens says that screen, never the first person's last words.

Reached: the second person tries the first one's task, and other personal tasks, and is asked to
sign in each time; Back from the sign-in and from the Welcome screen leads to nothing of the
first; signing in as someone else shows that person's data only.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, POLL_S, Pane, approve_on_phone, kiosk_env

pytestmark = pytest.mark.e2e

FIRST, SECOND = "kari", "ola"
"""Practice citizens offered on the phone's approval page (kiosk/demo/seed.yaml)."""
IDLE_TIMEOUT_S, IDLE_WARNING_S = 40, 20
"""The shortest idle time limit and warning the settings allow (kiosk/config.py)."""

MESSAGE = "Please call me about the lump on my left knee after the fall on the ice"
WELCOME = r"Welcome to the health kiosk"
MENU = r"What do you want to do\?"
SIGN_IN = r"Sign in with your phone"
USER_CODE = r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b"
TILE_TOP = re.compile(r"^\s+(┏|▊▔)")
# Terminal control sequences: CSI (cursor moves, colours, modes), OSC/DCS strings, charsets.
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)"
                     r"|\x1b[()][0-9A-Za-z]|\x1b[0-9A-Za-z=>]")


def flat(text: str) -> str:
    """Text with every run of white space as one space: a paragraph reads the same however it
    is wrapped, and terminal output reads as its words once the control sequences are gone."""
    return " ".join(text.split())


@dataclass
class Kiosk:
    """The kiosk in tmux, with what it writes to its terminal and the clips it "plays"."""

    pane: Pane
    drawn: Path
    audio: Path
    forbidden: list[str] = field(default_factory=list)
    """The first person's texts, once the second person is at the kiosk: no screen read may
    show any of them."""

    def screen(self) -> str:
        text = self.pane.text()
        if "Pane is dead" in text:
            pytest.fail(f"the kiosk has exited; its last screen:\n{text}")
        shown = flat(text)
        for secret in self.forbidden:
            if secret in shown:
                pytest.fail(f"the second person's screen shows the first person's {secret!r}:"
                            f"\n{text}")
        return text

    def send(self, *keys: str) -> None:
        self.pane.send(*keys)

    def wait_for(self, pattern: str, timeout_s: float = 30.0) -> re.Match[str]:
        """The first match of pattern on the screen, white space flattened (so a match may span
        wrapped lines); every screen read meanwhile is checked like any other."""
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.screen()
            found = re.search(pattern, flat(text))
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout_s} s for {pattern!r}; the screen shows:\n{text}")
            time.sleep(POLL_S)

    def press(self, key: str, then: str, timeout_s: float = 30.0) -> str:
        """Press key and wait until the screen shows then; returns that screen."""
        self.send(key)
        self.wait_for(then, timeout_s)
        return self.screen()

    def clips(self) -> set[str]:
        """The WAV files the kiosk has played and not yet deleted."""
        return {p.name for p in self.audio.glob("*.wav")} if self.audio.is_dir() else set()

    def caption(self) -> str:
        """What the caption line says is being heard now ("" when the kiosk is silent)."""
        captions = re.findall(r"^ ♪ (.*)$", self.screen(), re.MULTILINE)
        return str(captions[-1]) if captions else ""

    def repeat(self, says: str) -> None:
        """Press Repeat (F2) on a screen whose speech starts with says, and wait until the
        kiosk plays it again (the caption line holds its first 95 or so characters)."""
        # First the screen's own speech, so that F2 repeats it and is not cut off by it.
        deadline = time.monotonic() + 5
        while not self.caption().startswith(says) and time.monotonic() < deadline:
            time.sleep(POLL_S)
        before = self.clips()
        self.send("F2")
        deadline = time.monotonic() + 20
        heard = ""
        while not (self.clips() - before and (heard := self.caption()).startswith(says)):
            if time.monotonic() > deadline:
                pytest.fail(f"Repeat (F2) did not say {says!r} again in 20 s; the caption says "
                            f"{heard!r}; the screen:\n{self.screen()}")
            time.sleep(POLL_S)

    def drawn_size(self) -> int:
        return self.drawn.stat().st_size if self.drawn.exists() else 0

    def drawn_words(self, start: int, end: int | None = None) -> str:
        """The text the kiosk drew between two offsets of its output, control sequences gone."""
        stream = self.drawn.read_bytes()[start:end].decode("utf-8", errors="replace")
        return flat(CONTROL.sub(" ", stream))

    def assert_never_drawn_since(self, offset: int) -> None:
        """None of the forbidden texts is anywhere in what the kiosk drew after offset."""
        time.sleep(0.5)  # tmux hands the last bytes to the pipe a moment after drawing them
        words = self.drawn_words(offset)
        for secret in self.forbidden:
            at = words.find(secret)
            assert at < 0, (f"the kiosk drew the first person's {secret!r} for the second "
                            f"person: …{words[max(0, at - 300):at + 300]}…")


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    audio, jack, drawn = tmp_path / "audio", tmp_path / "headset", tmp_path / "drawn.log"
    jack.write_text("on\n", encoding="ascii")
    # TOML literal strings: a temporary path holds no single quote.
    env = kiosk_env(tmp_path, f"idle_timeout_s = {IDLE_TIMEOUT_S}\n"
                              f"idle_warning_s = {IDLE_WARNING_S}\n"
                              f"audio_output = 'file:{audio}'\n"
                              f"headset_jack = 'file:{jack}'\n")
    command = [str(KIOSK), "run", "--language", "en", "--demo-seed", "7"]
    pane = Pane(command, env, tmp_path / "tmux.sock")
    try:
        # Every byte the kiosk writes to its terminal, kept in a file by tmux itself.
        subprocess.run([*pane.tmux, "pipe-pane", "-t", "kiosk", f"cat >> '{drawn}'"],
                       check=True, timeout=30)
        yield Kiosk(pane, drawn, audio)
    finally:
        pane.close()


def sign_in(kiosk: Kiosk, patient: str) -> str:
    """Sign in on the sign-in screen showing now, as patient; returns the code it showed."""
    kiosk.wait_for(SIGN_IN)
    page = kiosk.wait_for(r"Or open (http://127\.0\.0\.1:\d+/device) on your phone").group(1)
    code = kiosk.wait_for(USER_CODE).group(1)
    approve_on_phone(page, code, patient)
    return code


def paragraphs(screen: str, after: str) -> list[str]:
    """The paragraphs between the first line containing after and the first tile (or the help
    bar) below it: the items of a list step, each as one line however it is wrapped."""
    lines = screen.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) + 1
    found: list[str] = []
    current: list[str] = []
    for line in lines[start:]:
        if TILE_TOP.match(line) or "Get staff" in line:
            break
        if line.strip():
            current.append(line)
        elif current:
            found.append(flat(" ".join(current)))
            current = []
    if current:
        found.append(flat(" ".join(current)))
    return found


def tiles(screen: str) -> dict[str, str]:
    """Each numbered tile's label and its number key."""
    return {label: number
            for number, label in re.findall(r"[┃▊]  (\d)  (.+?)\s{2,}[┃▎]", screen)}


def begin(kiosk: Kiosk) -> None:
    """Walk up: Start, English, the menu."""
    kiosk.wait_for(WELCOME)
    kiosk.press("Enter", r"Choose your language")  # Start has the focus
    kiosk.press("2", MENU)


# -- what the first person does, and the texts of theirs it shows ----------------------------------

def first_reads_medicines(kiosk: Kiosk) -> list[str]:
    begin(kiosk)
    kiosk.send("2")  # My medicines
    code = sign_in(kiosk, FIRST)
    kiosk.wait_for(r"These are your medicines\..*\b1 Next\b", timeout_s=40)
    items = paragraphs(kiosk.screen(), "Read the list. Then touch Next.")
    assert any("Levothyroxine 50 microgram tablet" in item for item in items), items
    assert any("Atorvastatin 20 mg tablet" in item for item in items), items
    # Heard in full, through the headset: the hearing checks below are not vacuous.
    kiosk.wait_for(r"♪ These are your medicines\. .*(Atorvastatin|Levothyroxine)")
    return [*items, code, "Levothyroxine", "Atorvastatin"]


def first_reads_and_writes_messages(kiosk: Kiosk) -> list[str]:
    begin(kiosk)
    kiosk.send("3")  # Message my GP office
    code = sign_in(kiosk, FIRST)
    kiosk.wait_for(r"1 Write a message", timeout_s=40)
    kiosk.press("2", r"These are your messages and the replies.*\b1 Next\b")
    items = paragraphs(kiosk.screen(), "Read the list. Then touch Next.")
    assert any("thyroid tablet" in item for item in items), items
    kiosk.press("Escape", r"1 Write a message")
    kiosk.press("1", r"Write your message to your GP office\.")
    kiosk.send("-l", MESSAGE)
    kiosk.wait_for(re.escape(MESSAGE[-20:]))
    kiosk.send("Enter")
    start = kiosk.wait_for(r"Your message starts: (.+?)\. Do you want to send it\?").group(1)
    assert MESSAGE.startswith(start.rstrip("…")), start
    # The whole message is never on the screen at once (the field scrolls): its pieces are.
    return [*items, code, MESSAGE, start, MESSAGE[-20:], "left knee", "Kari Nordmann",
            "thyroid"]


def first_books_a_time(kiosk: Kiosk) -> list[str]:
    begin(kiosk)
    kiosk.press("1", r"1 Book a new appointment")
    kiosk.send("1")
    code = sign_in(kiosk, FIRST)
    kiosk.wait_for(r"How do you want to meet the doctor\?", timeout_s=40)
    kiosk.press("1", r"1 (\w+ \d{1,2} \w+ at \d{2}:\d{2})", timeout_s=40)  # at the GP office
    kiosk.press("1", r"Is that right\?")
    kiosk.send("1")  # Yes
    booked = kiosk.wait_for(r"at the GP office is booked for (.+?)\.", timeout_s=40).group(1)
    return [booked, f"booked for {booked}", code]


def first_acts_for_her_child(kiosk: Kiosk) -> list[str]:
    """The first person opens her son's record (a banner then names him on every screen) and
    reads his vaccines."""
    begin(kiosk)
    kiosk.press("5", r"2 Use the record of someone I help")  # More tasks
    kiosk.send("2")
    code = sign_in(kiosk, FIRST)
    kiosk.wait_for(r"Whose record do you want to use\?.*Emil Nordmann", timeout_s=40)
    whose = tiles(kiosk.screen())
    assert {"Kari Nordmann", "Emil Nordmann"} <= set(whose), whose
    kiosk.press(whose["Emil Nordmann"], r"You are now using the health record of Emil Nordmann")
    banner = kiosk.wait_for(r"You are using the health record of: Emil Nordmann").group(0)
    kiosk.press("2", MENU)  # Another task
    kiosk.press("5", r"1 Let a relative help me")
    kiosk.press("5", r"1 See my vaccines and alerts")
    kiosk.press("1", r"These are the vaccines you have had\..*\b1 Next\b", timeout_s=40)
    items = paragraphs(kiosk.screen(), "Each line shows the vaccine and the day you had it.")
    assert any("MMR vaccine" in item for item in items), items
    return [*whose, banner, *items, code, "Emil", "MMR"]


# -- the ways a visit ends -------------------------------------------------------------------------

def leave_by_back(kiosk: Kiosk) -> None:
    """Back (Esc), screen by screen, until the Welcome screen."""
    passed = []
    for _ in range(8):
        title = kiosk.screen().strip().splitlines()[0]
        passed.append(title.strip())
        kiosk.send("Escape")
        deadline = time.monotonic() + 10
        while (now := kiosk.screen()).strip().splitlines()[0] == title:
            if time.monotonic() > deadline:
                pytest.fail(f"Back (Esc) changed nothing after {passed}; the screen:\n{now}")
            time.sleep(POLL_S)
        if re.search(WELCOME, now):
            return
    pytest.fail(f"Back (Esc) never reached the Welcome screen: {passed}")


def leave_by_end(kiosk: Kiosk) -> None:
    kiosk.press("F10", WELCOME, timeout_s=10)


def leave_by_done(kiosk: Kiosk) -> None:
    kiosk.wait_for(r"1 Done")
    kiosk.press("1", WELCOME, timeout_s=10)


def leave_by_walking_away(kiosk: Kiosk) -> None:
    """No key at all: the warning comes, then the visit ends."""
    kiosk.wait_for(r"Are you still there\? Your visit ends in \d+ seconds?",
                   timeout_s=IDLE_TIMEOUT_S - IDLE_WARNING_S + 10)
    kiosk.wait_for(WELCOME, timeout_s=IDLE_WARNING_S + 10)


# -- what the second person does: the same task, as someone else -----------------------------------

def second_reads_medicines(kiosk: Kiosk) -> None:
    kiosk.send("2")
    sign_in(kiosk, SECOND)
    kiosk.wait_for(r"These are your medicines\..*\b1 Next\b", timeout_s=40)
    items = paragraphs(kiosk.screen(), "Read the list. Then touch Next.")
    assert any("Salbutamol" in item for item in items), items


def second_reads_and_writes_messages(kiosk: Kiosk) -> None:
    kiosk.send("3")
    sign_in(kiosk, SECOND)
    kiosk.wait_for(r"1 Write a message", timeout_s=40)
    kiosk.press("2", r"These are your messages and the replies.*\b1 Next\b")
    items = paragraphs(kiosk.screen(), "Read the list. Then touch Next.")
    assert any("My inhaler is almost empty" in item for item in items), items
    kiosk.press("Escape", r"1 Write a message")
    # The text field starts empty: the screen check finds no word of the first person's draft.
    kiosk.press("1", r"Write your message to your GP office\.")


def second_looks_for_appointments(kiosk: Kiosk) -> None:
    kiosk.press("1", r"1 Book a new appointment")
    kiosk.press("1", SIGN_IN)  # Book: sign in first, not the first person's way to meet
    kiosk.press("Escape", r"1 Book a new appointment")
    kiosk.send("2")  # Move an appointment: lists the signed-in person's appointments
    sign_in(kiosk, SECOND)
    kiosk.wait_for(r"Which appointment do you want to move\?.*You have no appointments booked\.",
                   timeout_s=40)


def second_uses_own_record(kiosk: Kiosk) -> None:
    kiosk.press("5", r"2 Use the record of someone I help")
    kiosk.send("2")
    sign_in(kiosk, SECOND)
    kiosk.wait_for(r"Whose record do you want to use\?.*\bOla Nordmann\b", timeout_s=40)
    whose = tiles(kiosk.screen())
    assert set(whose) == {"Ola Nordmann"}, whose
    kiosk.press(whose["Ola Nordmann"], r"You are now using the health record of Ola Nordmann")
    screen = kiosk.press("2", MENU)  # Another task
    assert "You are using the health record of" not in screen, screen
    kiosk.press("5", r"1 Let a relative help me")
    kiosk.press("5", r"1 See my vaccines and alerts")
    kiosk.press("1", r"These are the vaccines you have had\..*\b1 Next\b", timeout_s=40)
    items = paragraphs(kiosk.screen(), "Each line shows the vaccine and the day you had it.")
    assert any("Tetanus vaccine" in item for item in items), items


def second_walks_up(kiosk: Kiosk) -> None:
    """Before signing in: Back on the Welcome screen, Repeat on every screen, and the personal
    tasks the first person may have left open, each only as far as its sign-in and back."""
    kiosk.wait_for(WELCOME)
    for key in ("Escape", "BSpace"):
        kiosk.send(key)
        time.sleep(0.5)
        kiosk.wait_for(WELCOME)
    kiosk.repeat("Welcome to the health kiosk")
    kiosk.press("Enter", r"Choose your language")
    kiosk.repeat("Choose your language")
    kiosk.press("2", MENU)
    kiosk.repeat("What do you want to do?")
    for key, asks in (("2", "Sign in with your phone to see your medicines"),
                      ("3", "Sign in with your phone to write or read messages")):
        kiosk.press(key, re.escape(asks))
        kiosk.wait_for(r"Waiting for you to say yes on your phone")
        kiosk.repeat(asks)
        kiosk.press("Escape", MENU)


First = Callable[[Kiosk], list[str]]
Step = Callable[[Kiosk], None]
SCENARIOS: dict[str, tuple[First, Step, Step]] = {
    "back": (first_reads_medicines, leave_by_back, second_reads_medicines),
    "end": (first_reads_and_writes_messages, leave_by_end, second_reads_and_writes_messages),
    "done": (first_books_a_time, leave_by_done, second_looks_for_appointments),
    "timeout": (first_acts_for_her_child, leave_by_walking_away, second_uses_own_record),
}


@pytest.mark.parametrize("ending", list(SCENARIOS))
def test_the_next_person_gets_nothing_of_the_last(kiosk: Kiosk, ending: str) -> None:
    first_visit, leave, second_visit = SCENARIOS[ending]

    secrets = first_visit(kiosk)
    assert all(secrets), secrets
    heard = kiosk.clips()
    assert heard, "the first person heard nothing: the hearing checks would be vacuous"

    leave(kiosk)
    kiosk.wait_for(WELCOME)
    kept = heard & kiosk.clips()
    assert not kept, f"the first person's speech is still on the kiosk: {sorted(kept)}"

    time.sleep(1.0)  # the first visit's last frames reach the stream file before the mark
    since = kiosk.drawn_size()
    secrets = sorted({flat(secret) for secret in secrets}, key=len, reverse=True)
    # The stream check below is only worth something if the first person's texts can be found
    # in the stream at all: each was drawn during their visit (the whole typed message never
    # is, the text field scrolls).
    before = kiosk.drawn_words(0, since)
    unseen = [secret for secret in secrets if secret not in before and secret != MESSAGE]
    assert not unseen, f"not found in the first visit's terminal output: {unseen}"

    # From here on, every screen read fails on any of the first person's texts.
    kiosk.forbidden = secrets
    second_walks_up(kiosk)
    second_visit(kiosk)
    kiosk.screen()
    kiosk.assert_never_drawn_since(since)
