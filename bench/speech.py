"""Speaking speed: how soon the kiosk's voice starts a screen, and how fast it stops.

- **Start**: from ``Voice.say(screen text)`` to the first audio handed to the output, against
  pyttsx3 (espeak-ng) synthesising the screen's first sentence directly, in the same run. The
  ratio kiosk / direct is what the kiosk's voice adds before a citizen hears anything (aim: at
  most 1.2).
- **Stop**: from ``Voice.stop()`` (what every key press calls) to the output no longer playing
  (aim: under 100 ms).

Audio goes to a private file sink (this machine has no sound card); the sink plays each clip for
its real duration, so stopping is measured against something that is still playing.

    python bench/speech.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.audio import FileSink
from speech.synth import Synthesizer
from speech.voice import Voice

SCREENS = [
    "Welcome to the health kiosk\nHere you can book, move or cancel an appointment at your GP "
    "office. Staff can help you.\nTouch the screen or press any key to start.\n1 Start",
    "How do you want to meet the doctor?\nTouch one of the buttons.\n1 At the GP office\n"
    "2 By video\n3 By phone",
    "You are sending blood pressure 140 over 90. Is that right?\nSay yes to send it. Say no to "
    "type the numbers again.\n1 Yes\n2 No",
]


def first_sentence(text: str) -> str:
    return text.split("\n")[0]


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError("the voice never got there")
        time.sleep(0.001)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="times each screen is said")
    args = parser.parse_args(argv)
    starts_direct: list[float] = []
    starts_kiosk: list[float] = []
    stops: list[float] = []
    with Synthesizer() as synth:
        sink = FileSink.private()
        voice = Voice(synth, sink)
        try:
            for _ in range(args.runs):
                for text in SCREENS:
                    started = time.perf_counter()
                    synth.synthesize(first_sentence(text), "en").unlink()
                    starts_direct.append(time.perf_counter() - started)

                    before = len(sink.played)
                    started = time.perf_counter()
                    voice.say(text, "en")
                    wait_for(lambda before=before: len(sink.played) > before)
                    starts_kiosk.append(time.perf_counter() - started)

                    wait_for(sink.is_playing)
                    started = time.perf_counter()
                    voice.stop()
                    wait_for(lambda: not sink.is_playing())
                    stops.append(time.perf_counter() - started)
                    voice.wait_idle(5)
        finally:
            voice.close()
            sink.close()
    direct, kiosk = statistics.median(starts_direct), statistics.median(starts_kiosk)
    print(f"start: direct synthesis of the first sentence  median {direct * 1000:6.1f} ms")
    print(f"start: the kiosk's voice, whole screen         median {kiosk * 1000:6.1f} ms")
    print(f"ratio kiosk / direct  {kiosk / direct:.2f}")
    print(f"stop: voice.stop() to silence  median {statistics.median(stops) * 1000:.1f} ms, "
          f"max {max(stops) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
