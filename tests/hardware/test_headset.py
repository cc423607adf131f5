"""Headset detection: the ALSA jack switch as ``amixer`` reports it (a sound card cannot exist
here, so a stand-in ``amixer`` prints what a real HDA card printed), a state file, the setting
that picks one, and the watch thread that reports plugging in and out."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from hardware.headset import (
    AlsaJack,
    FileJack,
    HeadsetWatch,
    NoJack,
    headphone_jacks,
    open_jack,
)

# `amixer -c 0 contents` on a laptop's HDA Intel PCH card, trimmed to the jack switches.
HDA_CONTENTS = """\
numid=14,iface=CARD,name='Front Headphone Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values={front}
numid=13,iface=CARD,name='Mic Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=on
numid=12,iface=CARD,name='Line Out Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=on
numid=2,iface=MIXER,name='Headphone Playback Switch'
  ; type=BOOLEAN,access=rw------,values=2
  : values=on,on
numid=15,iface=CARD,name='Headset Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values={headset}
"""


def test_only_headphone_and_headset_jack_switches_count() -> None:
    assert headphone_jacks(HDA_CONTENTS.format(front="off", headset="off")) == [False, False]
    assert headphone_jacks(HDA_CONTENTS.format(front="off", headset="on")) == [False, True]
    assert headphone_jacks("numid=1,iface=MIXER,name='Master Playback Volume'\n"
                           "  : values=87\n") == []


def fake_amixer(tmp_path: Path, output: str, status: int = 0) -> str:
    """An ``amixer`` that prints what the sound card would report."""
    (tmp_path / "contents.txt").write_text(output)
    script = tmp_path / "amixer"
    script.write_text(f"#!/bin/sh\ncat '{tmp_path / 'contents.txt'}'\nexit {status}\n")
    script.chmod(0o755)
    return str(script)


def test_the_alsa_jack_reads_the_card_through_amixer(tmp_path: Path) -> None:
    amixer = fake_amixer(tmp_path, HDA_CONTENTS.format(front="off", headset="off"))
    jack = AlsaJack("0", amixer=amixer)
    assert jack.plugged() is False
    (tmp_path / "contents.txt").write_text(HDA_CONTENTS.format(front="on", headset="off"))
    assert jack.plugged() is True


def test_a_card_without_a_jack_switch_or_amixer_failing_is_unknown(tmp_path: Path) -> None:
    assert AlsaJack("0", amixer=fake_amixer(tmp_path, "", status=1)).plugged() is None
    assert AlsaJack("0", amixer=fake_amixer(tmp_path, "numid=1,iface=MIXER,name='PCM'\n"
                                                      "  : values=on\n")).plugged() is None
    assert AlsaJack("0", amixer=str(tmp_path / "no-such-amixer")).plugged() is None


def test_the_real_amixer_without_a_sound_card_is_unknown() -> None:
    if not Path("/usr/bin/amixer").exists():
        pytest.skip("alsa-utils is not installed")
    assert AlsaJack("99").plugged() is None


@pytest.mark.parametrize(("word", "state"), [("on\n", True), ("1", True), ("plugged", True),
                                             ("off", False), ("0\n", False), ("??", None)])
def test_a_state_file_says_on_or_off(tmp_path: Path, word: str, state: bool | None) -> None:
    (tmp_path / "jack").write_text(word)
    assert FileJack(tmp_path / "jack").plugged() is state


def test_a_missing_state_file_is_unknown(tmp_path: Path) -> None:
    assert FileJack(tmp_path / "jack").plugged() is None


def test_the_setting_picks_the_sensor(tmp_path: Path) -> None:
    assert isinstance(open_jack("none"), NoJack)
    assert isinstance(open_jack("alsa:1"), AlsaJack)
    jack = open_jack(f"file:{tmp_path / 'jack'}")
    assert isinstance(jack, FileJack) and jack.path == tmp_path / "jack"
    # No sound card here: "auto" finds no jack switch to read.
    assert isinstance(open_jack("auto"), NoJack)
    for wrong in ("alsa:", "file:", "bluetooth"):
        with pytest.raises(ValueError, match="headset jack"):
            open_jack(wrong)


def test_the_watch_reports_each_change_once(tmp_path: Path) -> None:
    state = tmp_path / "jack"
    state.write_text("off")
    seen: list[bool] = []
    changed = threading.Event()

    def on_change(plugged: bool) -> None:
        seen.append(plugged)
        changed.set()

    watch = HeadsetWatch(FileJack(state), on_change, interval_s=0.01)
    watch.start()
    try:
        for word, expected in (("off", [False]), ("on", [False, True]),
                               ("off", [False, True, False])):
            state.write_text(word)
            assert changed.wait(5), f"no change reported for {word}"
            changed.clear()
            assert seen == expected
    finally:
        watch.stop()
    assert not watch._thread


def test_a_watch_on_no_sensor_starts_no_thread() -> None:
    watch = HeadsetWatch(NoJack(), lambda plugged: None)
    watch.start()
    assert watch._thread is None
    watch.stop()


def test_the_watch_outlives_a_failing_sensor(tmp_path: Path) -> None:
    class Broken:
        description = "broken"
        calls = 0

        def plugged(self) -> bool | None:
            Broken.calls += 1
            raise OSError(os.strerror(5))

    watch = HeadsetWatch(Broken(), lambda plugged: None, interval_s=0.01)
    watch.start()
    try:
        for _ in range(500):
            if Broken.calls >= 3:
                break
            threading.Event().wait(0.01)
    finally:
        watch.stop()
    assert Broken.calls >= 3
