"""A preference card scanned at the kiosk: the pilot types it as a barcode scanner does (the
text, then Enter) on two different screens; its settings are used for the visit and wiped at
the end, no key of it presses a button, and a bad code changes nothing and says so. Where the
kiosk has a printer, the help bar's Settings card (F12) prints the visit's settings as a QR code
that works at the next visit."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk.app import CARD_NOT_READ, CARD_PRINTED, CARD_USED, KioskApp
from kiosk.runtime import Runtime
from kiosk.session import DEFAULT_RATE, RATES
from tests.hardware.escpos_reader import read_receipts
from translations.catalog import Localizer

NB_SLOW_LARGE = "HLP1;lang=nb;speech=1;rate=0;size=L;slow=1"
EN_FAST = "HLP1;lang=en;speech=0;rate=4;size=N;slow=0"


async def scan(pilot: Any, code: str) -> None:
    await pilot.press(*code, "enter")
    await pilot.pause()


async def test_a_card_applies_on_the_menu_and_on_a_step_and_is_wiped_at_the_end(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    timeout = runtime.settings.idle_timeout_s
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)  # in English
        await scan(pilot, NB_SLOW_LARGE)
        await kd.wait_until(pilot, lambda: app.l10n.lang == "nb", "Norwegian")
        prefs = runtime.session.prefs
        assert kd.screen_name(app) == "MenuView", "no key of the card pressed a button"
        assert (prefs.language, prefs.speech_rate, prefs.large_text, prefs.longer_time) == (
            "nb", RATES[0], True, True)
        assert app.has_class("large-text")
        assert runtime.voice.rate == RATES[0] and app.idle.timeout_s == 2 * timeout
        assert Localizer("nb").gettext(CARD_USED) in (runtime.voice.last_text or "")

        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        step = kd.view(app)
        await scan(pilot, EN_FAST)
        await kd.wait_until(pilot, lambda: app.l10n.lang == "en", "English")
        assert kd.view(app) is step and kd.step_kind(app) == "choice"
        assert not runtime.session.answers, "no key of the card answered the question"
        assert (prefs.speech, prefs.speech_rate, prefs.large_text, prefs.longer_time) == (
            False, RATES[4], False, False)
        assert not runtime.voice.enabled and not app.has_class("large-text")

        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle view")
        prefs = runtime.session.prefs
        assert (prefs.language, prefs.speech, prefs.speech_rate, prefs.longer_time) == (
            runtime.settings.default_language, True, DEFAULT_RATE, False)
        assert runtime.voice.enabled == runtime.settings.speech
        assert app.idle.timeout_s == timeout


async def test_a_card_on_the_welcome_view_starts_a_visit_in_its_language(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await scan(pilot, EN_FAST.replace("speech=0", "speech=1"))
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        assert app.l10n.lang == "en" and runtime.session.active


async def test_a_bad_or_foreign_code_changes_nothing_and_says_so(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        before = (runtime.session.prefs, app.l10n.lang, app.idle.timeout_s)
        for code in ("HLP1;lang=xx;speech=1;rate=0;size=L;slow=1",
                     "HLP7;lang=nb;speech=1;rate=0;size=L;slow=1"):
            runtime.voice.last_text = None
            await scan(pilot, code)
            await kd.wait_until(pilot, lambda: runtime.voice.last_text is not None, "a note")
            assert runtime.voice.last_text == app.l10n.gettext(CARD_NOT_READ)
            assert kd.screen_name(app) == "MenuView"
            assert (runtime.session.prefs, app.l10n.lang, app.idle.timeout_s) == before


async def test_the_settings_card_is_printed_and_works_at_the_next_visit(
    kd: SimpleNamespace, make_runtime: Any, tmp_path: Path
) -> None:
    paper = tmp_path / "lp0"
    paper.touch()
    runtime = make_runtime(printer_device=paper, printer_width=48)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)  # in English
        assert kd.shows(app, "Settings\ncard F12")  # wrapped on the help bar
        await pilot.press("f3", "f6")  # bigger text, slower speech
        await pilot.press("f12")
        await kd.wait_until(pilot, lambda: (runtime.voice.last_text or "").startswith(
            app.l10n.gettext(CARD_PRINTED)), "printed")
        assert "Your settings card" in (runtime.voice.last_text or ""), "the slip is said too"
        (slip,) = read_receipts(paper.read_bytes())
        code = "HLP1;lang=en;speech=1;rate=1;size=L;slow=0"
        assert [qr.stored for qr in slip.qr_codes] == [code.encode()]
        assert "Your settings card" in " ".join(slip.text)

        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle view")
        assert not runtime.session.prefs.large_text
        await scan(pilot, code)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        prefs = runtime.session.prefs
        assert (prefs.language, prefs.large_text, prefs.speech_rate) == ("en", True, RATES[1])


async def test_without_a_printer_the_help_bar_offers_no_card(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        assert not kd.shows(app, "Settings\ncard")
