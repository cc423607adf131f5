"""Machine translation: the route (a direct pair, else through English), what happens without a
pair or when an engine fails, the per-visit cache; Apertium for real (nb->nn) and the real Argos
code path on a tiny random-weight package the test builds (its output is gibberish, so these
tests check which path was taken, never the quality)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kiosk.session import Session
from tests.translations.tiny_argos import build_argosmodel
from translations import mt_argos
from translations.mt import EngineFailed, Hop, MachineTranslator, NoPair, Pair, pairs_installed
from translations.mt_apertium import Apertium
from translations.mt_argos import Argos, PackageError, add_package

# Same output every run on any machine: no int8 kernels chosen by the CPU.
os.environ.setdefault("ARGOS_COMPUTE_TYPE", "float32")

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None or ("nb", "nn") not in Apertium().pairs(),
    reason="Debian apertium-nno-nob is not installed (./helselos.sh installs it)")


class Fake:
    """An engine with the given pairs that marks what it did, and records each call."""

    def __init__(self, name: str, pairs: set[Pair], fail: bool = False) -> None:
        self.name = name
        self._pairs = frozenset(pairs)
        self.fail = fail
        self.calls: list[tuple[str, str, str]] = []

    def pairs(self) -> frozenset[Pair]:
        return self._pairs

    def translate(self, text: str, source: str, target: str) -> str:
        self.calls.append((text, source, target))
        if self.fail:
            raise EngineFailed("broken") from RuntimeError("model crashed")
        return f"[{target}] {text}"


def test_a_direct_pair_is_used_before_a_pivot_and_earlier_engines_first() -> None:
    first, second = Fake("first", {("nb", "uk")}), Fake("second", {("nb", "uk"), ("nb", "en")})
    translator = MachineTranslator([first, second])
    result = translator.translate("Hei", "nb", "uk")
    assert result.text == "[uk] Hei" and result.route == (Hop("first", "nb", "uk"),)
    assert not result.pivot and second.calls == []


def test_without_a_direct_pair_it_pivots_through_english_across_engines() -> None:
    into, out = Fake("a", {("nb", "en")}), Fake("b", {("en", "uk")})
    result = MachineTranslator([into, out]).translate("Hei", "nb", "uk")
    assert result.pivot
    assert result.route == (Hop("a", "nb", "en"), Hop("b", "en", "uk"))
    assert result.text == "[uk] [en] Hei" and out.calls == [("[en] Hei", "en", "uk")]


def test_no_pair_says_so() -> None:
    translator = MachineTranslator([Fake("a", {("nb", "en")})])
    assert not translator.can_translate("nb", "uk")
    with pytest.raises(NoPair, match="no machine translation from 'nb' to 'uk'"):
        translator.translate("Hei", "nb", "uk")


def test_a_failing_engine_keeps_the_original_and_is_not_cached() -> None:
    broken = Fake("a", {("nb", "uk")}, fail=True)
    cache: dict = {}
    result = MachineTranslator([broken]).translate("Hei", "nb", "uk", cache)
    assert result.failed and result.text == "Hei" and cache == {}


def test_each_text_is_translated_once_per_visit_and_wiped_with_it() -> None:
    engine = Fake("a", {("nb", "uk")})
    translator = MachineTranslator([engine])
    session = Session()
    for _ in range(3):
        translator.translate("Hei", "nb", "uk", session.translated)
    assert len(engine.calls) == 1 and list(session.translated) == [("Hei", "nb", "uk")]
    session.wipe()
    assert session.translated == {}
    translator.translate("Hei", "nb", "uk", session.translated)
    assert len(engine.calls) == 2


@needs_apertium
def test_apertium_translates_bokmal_to_nynorsk() -> None:
    translator = MachineTranslator([Apertium()])
    result = translator.translate("Jeg har vondt i hodet og trenger å snakke med en lege",
                                  "nb", "nn")
    assert result.text == "Eg har vondt i hovudet og treng å snakka med ein lege"
    assert result.route == (Hop("apertium", "nb", "nn"),)
    assert {("nb", "sv"), ("sv", "nb"), ("nn", "nb")} <= Apertium().pairs()


@needs_apertium
def test_apertium_that_does_not_answer_in_time_is_an_engine_failure() -> None:
    with pytest.raises(EngineFailed):
        Apertium(timeout_s=0.000001).translate("Jeg har vondt i hodet " * 200, "nb", "nn")


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[Pair, Path]:
    """Tiny Argos packages nb->en and en->uk, built once (about half a second each)."""
    root = tmp_path_factory.mktemp("argosmodels")
    return {pair: build_argosmodel(root, *pair, seed=n)
            for n, pair in enumerate([("nb", "en"), ("en", "uk")])}


def test_argos_pivots_through_english_with_installed_packages(
        packages: dict[Pair, Path], tmp_path: Path) -> None:
    state = tmp_path / "state"
    for path in packages.values():
        add_package(path, state)
    assert Argos(state).pairs() == {("nb", "en"), ("en", "uk")}
    assert pairs_installed("uk", state) == [("en", "uk")]
    argos = Argos(state)
    calls: list[Pair] = []
    real = argos.translate

    def spy(text: str, source: str, target: str) -> str:
        calls.append((source, target))
        return real(text, source, target)

    argos.translate = spy  # type: ignore[method-assign]
    translator = MachineTranslator([Apertium(), argos])
    session = Session()
    result = translator.translate("Take one tablet daily.", "nb", "uk", session.translated)
    assert result.pivot and not result.failed
    assert result.route == (Hop("argos", "nb", "en"), Hop("argos", "en", "uk"))
    assert calls == [("nb", "en"), ("en", "uk")]
    assert result.text and result.text != result.original
    again = translator.translate("Take one tablet daily.", "nb", "uk", session.translated)
    assert again == result and len(calls) == 2, "the second time comes from the cache"
    session.wipe()
    assert session.translated == {}
    # Argos's own paragraph cache is never used: no translated text stays inside Argos.
    _package, translate = mt_argos._argos(state)
    assert translate.installed_translates == []


def test_argos_reads_its_settings_from_the_kiosk_and_never_phones_home(tmp_path: Path) -> None:
    xdg = {name: os.environ.get(name)
           for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    mt_argos._argos(tmp_path / "state")
    from argostranslate import settings

    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"
    # Under a kiosk state dir (the process's first: Argos reads its settings once), never ~;
    # and the rest of the process keeps its own XDG dirs.
    for folder in (settings.data_dir, settings.cache_dir):
        assert folder.parts[-4:-1] == ("state", "argos", folder.parent.name), folder
        assert not folder.is_relative_to(os.environ["HOME"]), "nothing under ~"
    assert {name: os.environ.get(name) for name in xdg} == xdg


def test_a_package_is_checked_before_it_is_installed(packages: dict[Pair, Path],
                                                     tmp_path: Path) -> None:
    state = tmp_path / "state"
    add_package(packages[("nb", "en")], state)
    with pytest.raises(PackageError, match="installed already"):
        add_package(packages[("nb", "en")], state)
    assert add_package(packages[("nb", "en")], state, replace=True) == ("nb", "en")
    not_zip = tmp_path / "x.argosmodel"
    not_zip.write_text("hello")
    with pytest.raises(PackageError, match=r"not an \.argosmodel"):
        add_package(not_zip, state)
    assert list(mt_argos.packages_dir(state).iterdir()) == [
        mt_argos.packages_dir(state) / "translate-nb_en"]
