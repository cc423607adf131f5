"""Headset detection: is a headset plugged into the kiosk's jack? Personal text is spoken only
into a headset, so a blind citizen hears their own screens once they plug one in.

The real sensor is the sound card's jack switch as ALSA reports it (``amixer -c N contents``
lists a read-only "Headphone Jack" control whose value is on or off). ``FileJack`` reads the
same on/off from a file, for a jack wired some other way (a udev rule writing the state) and
for tests on machines with no sound card. ``HeadsetWatch`` polls a sensor in a thread and
reports changes, so a slow sound card never holds up the screen.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"^numid=\d+,iface=(\w+),name='([^']*)'")
_VALUE = re.compile(r"^\s*: values=(\w+)")
_HEADPHONE = re.compile(r"\b(headphone|headset)\b.*\bjack\b", re.IGNORECASE)


class JackSensor(Protocol):
    """Whether a headset is plugged in; None when the sensor cannot tell."""

    description: str

    def plugged(self) -> bool | None: ...


class NoJack:
    """Nothing to ask: the kiosk assumes the loudspeaker."""

    description = "no headset detection"

    def plugged(self) -> bool | None:
        return None


def headphone_jacks(amixer_contents: str) -> list[bool]:
    """The state of every headphone or headset jack switch in ``amixer contents`` output."""
    states: list[bool] = []
    is_jack = False
    for line in amixer_contents.splitlines():
        control = _CONTROL.match(line)
        if control:
            is_jack = control.group(1) == "CARD" and bool(_HEADPHONE.search(control.group(2)))
            continue
        value = _VALUE.match(line)
        if value and is_jack:
            states.append(value.group(1) in ("on", "1"))
            is_jack = False
    return states


class AlsaJack:
    """The jack switch of ALSA card ``card``, read with ``amixer``."""

    def __init__(self, card: str = "0", amixer: str = "amixer", timeout_s: float = 2.0) -> None:
        self.card, self.amixer, self.timeout_s = card, amixer, timeout_s
        self.description = f"headphone jack of sound card {card}"

    def plugged(self) -> bool | None:
        try:
            done = subprocess.run([self.amixer, "-c", self.card, "contents"], capture_output=True,
                                  text=True, timeout=self.timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("headset: %s cannot be read (%s)", self.description, type(exc).__name__)
            return None
        if done.returncode != 0:
            return None
        states = headphone_jacks(done.stdout)
        return any(states) if states else None


class FileJack:
    """A file holding "on" or "off" (also 1/0, plugged/unplugged); missing means unknown."""

    _ON = frozenset({"on", "1", "plugged", "yes"})
    _OFF = frozenset({"off", "0", "unplugged", "no"})

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"headset state in {path}"

    def plugged(self) -> bool | None:
        try:
            word = self.path.read_text(encoding="ascii", errors="replace").strip().lower()
        except OSError:
            return None
        if word in self._ON:
            return True
        if word in self._OFF:
            return False
        return None


def open_jack(spec: str) -> JackSensor:
    """The sensor named by the ``headset_jack`` setting: "auto", "none", "alsa:N", "file:PATH".

    "auto" is card 0's jack when ``amixer`` is installed and that card has a headphone jack
    switch, else none.
    """
    if spec == "none":
        return NoJack()
    if spec == "auto":
        if shutil.which("amixer") is None:
            return NoJack()
        jack = AlsaJack("0")
        return jack if jack.plugged() is not None else NoJack()
    if spec.startswith("alsa:"):
        card = spec.removeprefix("alsa:").strip()
        if not card:
            raise ValueError("headset jack 'alsa:' needs a card number or name, e.g. 'alsa:0'")
        return AlsaJack(card)
    if spec.startswith("file:"):
        path = spec.removeprefix("file:").strip()
        if not path:
            raise ValueError("headset jack 'file:' needs a file, e.g. 'file:/run/helselos/jack'")
        return FileJack(Path(path).expanduser())
    raise ValueError(
        f"unknown headset jack {spec!r}: use 'auto', 'none', 'alsa:CARD' (the sound card's jack "
        "switch) or 'file:PATH' (a file saying on or off)"
    )


class HeadsetWatch:
    """Asks ``sensor`` every ``interval_s`` seconds in a thread; calls ``on_change(plugged)``
    (from that thread) when the answer changes, and once at start when it is known."""

    def __init__(self, sensor: JackSensor, on_change: Callable[[bool], None],
                 interval_s: float = 0.5) -> None:
        self.sensor, self.on_change, self.interval_s = sensor, on_change, interval_s
        self.state: bool | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if isinstance(self.sensor, NoJack) or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="headset-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def poll(self) -> None:
        """Ask once, and report a change."""
        state = self.sensor.plugged()
        if state is not None and state != self.state:
            self.state = state
            self.on_change(state)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception as exc:  # the watch must outlive a misbehaving sensor
                log.error("headset: watch failed (%s)", type(exc).__name__)
            self._stop.wait(self.interval_s)
