"""Load a speech model in a child process and report what it can hear: how ``kiosk models add``
and ``kiosk doctor`` check a model without risking their own process.

Kaldi (inside Vosk) aborts the whole process on some damaged model files instead of raising, and
a model takes hundreds of MB that the checking command does not need afterwards; a child
process contains both. The child reads one JSON request on stdin and writes one JSON answer on
stdout; a child killed by a signal or out of time is reported as a ModelError in plain words.

``python -m speech.model_probe`` is that child; it is not an operator's command.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from speech.models import Engine
from speech.recognizer import ModelError

TIMEOUT_S = 300.0
"""Loading a large model from a slow card takes minutes, not more."""


@dataclass(frozen=True)
class Probe:
    """What one load of a model showed."""

    load_seconds: float
    unheard: tuple[str, ...]
    """The asked phrases the model could never hear (see ``Recognizer.unheard``)."""


def probe_model(path: Path, language: str, phrases: Sequence[str] = (),
                engine: Engine | None = None, timeout_s: float = TIMEOUT_S) -> Probe:
    """Load the model in path for language in a child process; raises ModelError when it does
    not load, crashes the engine or takes longer than timeout_s."""
    request = {"path": str(path), "language": language, "phrases": list(phrases),
               "engine": engine}
    try:
        done = subprocess.run([sys.executable, "-m", "speech.model_probe"],
                              input=json.dumps(request), capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ModelError(f"The speech model in {path} did not finish loading in "
                         f"{timeout_s:.0f} s.") from exc
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise ModelError(f"Loading the speech model in {path} crashed the speech engine "
                         f"({name}): its files are damaged or not for this engine.")
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise ModelError(f"Checking the speech model in {path} failed: "
                         f"{done.stderr.strip()[-300:] or 'no answer'}.") from exc
    if "error" in answer:
        raise ModelError(str(answer["error"]))
    return Probe(float(answer["load_seconds"]), tuple(answer["unheard"]))


def _answer(request: dict[str, object]) -> dict[str, object]:
    from speech.engines import open_model

    started = time.perf_counter()
    try:
        recognizer = open_model(Path(str(request["path"])), str(request["language"]),
                                cast("Engine | None", request.get("engine")))
    except ModelError as exc:
        return {"error": str(exc)}
    seconds = time.perf_counter() - started
    try:
        phrases = [str(p) for p in cast(list[object], request.get("phrases") or [])]
        return {"load_seconds": round(seconds, 3), "unheard": list(recognizer.unheard(phrases))}
    finally:
        recognizer.close()


def main() -> int:
    print(json.dumps(_answer(json.loads(sys.stdin.read())), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
