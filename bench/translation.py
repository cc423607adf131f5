"""Machine-translation overhead: the kiosk's translation call against CTranslate2 called
directly, on the same package and sentences, in one run.

The packages are random-weight en->xx ones built with the tests' builder (tests/translations/
tiny_argos.py) in a temporary folder: their words are gibberish, so this measures what the kiosk
adds around the engine (the route, Argos's sentence splitter and tokenizer, the engine lock),
never translation quality. Two sizes: the tests' tiny model (1 layer, d=16), where CTranslate2
takes almost no time and the overhead shows as large as it can be, and a model of the
transformer-base size (6+6 layers, d=512, ff=2048; common Argos packages are about this size),
where the ratio is what a citizen's wait would see.

- **plain**: ``ctranslate2.Translator`` on the package's model with sentencepiece in and out and
  the decoding Argos uses (beam 4, one hypothesis, length penalty 0.2), one thread as the kiosk;
- **kiosk**: ``MachineTranslator([Argos(state_dir)]).translate(text, "en", "xx")`` with no
  cache, as a step's worker calls it for a text it has not seen in the visit;
- **cache hit**: the same call with the visit's cache holding the text (the second time a
  citizen opens the same message).

The two are interleaved sentence by sentence; printed: the median time per sentence of each,
the ratio kiosk / plain (the aim is at most 1.10), the cache hit, and the kiosk's memory (RSS)
with its modules imported and no model, with the tiny model, and with the base-sized one.

    .venv/bin/python bench/translation.py --rounds 30 --base-rounds 3
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from translations.mt import MachineTranslator  # noqa: E402

# Both sides decode in float32, so neither gains from an int8 kernel the CPU happens to have.
os.environ.setdefault("ARGOS_COMPUTE_TYPE", "float32")

SENTENCES = [
    "Your appointment is on Monday.",
    "Take one tablet daily with water.",
    "Call the clinic today if the fever does not go down.",
    "The pharmacy is open until eight.",
    "The doctor wants to see you again in two weeks.",
    "Please bring your list of medicines.",
    "The nurse will call you tomorrow morning.",
    "Your test results are normal.",
    "Help is available at the front desk.",
    "Drink plenty of water and rest.",
]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Plain:
    """CTranslate2 as its own documentation uses it, with Argos's decoding options."""

    def __init__(self, folder: Path) -> None:
        import ctranslate2  # type: ignore[import-untyped]
        import sentencepiece

        self.pieces = sentencepiece.SentencePieceProcessor(
            model_file=str(folder / "sentencepiece.model"))
        self.translator = ctranslate2.Translator(
            str(folder / "model"), device="cpu", compute_type="float32", inter_threads=1,
            intra_threads=1)

    def translate(self, text: str) -> str:
        tokens = self.pieces.encode(text, out_type=str)
        result = self.translator.translate_batch(
            [tokens], beam_size=4, num_hypotheses=1, length_penalty=0.2,
            replace_unknowns=True, return_scores=True)
        return str(self.pieces.decode(result[0].hypotheses[0])).strip()


def timed(call: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    call(text)
    return time.perf_counter() - started


def compare(translator: MachineTranslator, folder: Path, rounds: int) -> tuple[float, float]:
    """Median seconds per sentence through CTranslate2 directly and through the kiosk, the two
    interleaved sentence by sentence so both see the same machine load."""
    plain = Plain(folder)
    pair = ("en", folder.name.removeprefix("translate-en_"))

    def through_kiosk(text: str) -> str:
        return translator.translate(text, *pair).text

    for text in SENTENCES:  # warm both: first calls allocate buffers
        plain.translate(text), through_kiosk(text)
    plain_s: list[float] = []
    kiosk_s: list[float] = []
    for _ in range(rounds):
        for text in SENTENCES:
            plain_s.append(timed(plain.translate, text))
            kiosk_s.append(timed(through_kiosk, text))
    return statistics.median(plain_s), statistics.median(kiosk_s)


def report(title: str, rounds: int, plain_s: float, kiosk_s: float) -> None:
    print(f"{title}: {len(SENTENCES)} sentences x {rounds} rounds, interleaved")
    print(f"  plain CTranslate2    {plain_s * 1e3:.2f} ms per sentence (median)")
    print(f"  kiosk translate      {kiosk_s * 1e3:.2f} ms per sentence (median)")
    print(f"  ratio kiosk / plain  {kiosk_s / plain_s:.3f} (aim: at most 1.10); the kiosk adds "
          f"{(kiosk_s - plain_s) * 1e3:.2f} ms per sentence")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30,
                        help="times each sentence is translated each way (default 30)")
    parser.add_argument("--base-rounds", type=int, default=3,
                        help="the same with the transformer-base-sized model (default 3)")
    args = parser.parse_args(argv)
    importlib.import_module("kiosk.app")  # the kiosk's modules, as a running kiosk holds them
    from kiosk.session import Session
    from tests.translations.tiny_argos import BASE, build_argosmodel
    from translations.mt_argos import Argos, add_package, installed

    print("random-weight packages built here: the kiosk's overhead, not translation quality")
    with tempfile.TemporaryDirectory(prefix="helselos-bench-") as root:
        state = Path(root) / "state"
        add_package(build_argosmodel(Path(root), "en", "xx"), state)
        add_package(build_argosmodel(Path(root), "en", "yy", shape=BASE), state)
        translator = MachineTranslator([Argos(state)])
        no_model = rss_mb()
        translator.translate(SENTENCES[0], "en", "xx")  # loads Argos, CTranslate2, the model
        tiny_model = rss_mb()
        tiny = compare(translator, installed(state)[("en", "xx")], args.rounds)
        session = Session()
        for text in SENTENCES:
            translator.translate(text, "en", "xx", session.translated)
        hit_s = [timed(lambda t: translator.translate(t, "en", "xx", session.translated), text)
                 for _ in range(args.rounds) for text in SENTENCES]
        report("tiny model (1 layer, d=16)", args.rounds, *tiny)
        print(f"  cache hit            {statistics.median(hit_s) * 1e6:.1f} µs (median)")
        before_base = rss_mb()
        translator.translate(SENTENCES[0], "en", "yy")
        base_model = rss_mb()
        base = compare(translator, installed(state)[("en", "yy")], args.base_rounds)
        report("transformer-base size (6+6 layers, d=512; 64-piece vocabulary)",
               args.base_rounds, *base)
    print(f"kiosk RSS  {no_model:.0f} MB without a model; {tiny_model:.0f} MB with the tiny "
          f"model loaded (+{tiny_model - no_model:.0f} MB: Argos, CTranslate2, onnxruntime); "
          f"+{base_model - before_base:.0f} MB more with the base-sized model "
          f"({base_model:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
