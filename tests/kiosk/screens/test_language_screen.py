"""The language screen: every registered language reached by number keys across its pages, in
both text sizes; each tile says what the kiosk can do in that language; a drafted catalog says
so under the title of the language screen and of the first screen in it (the menu)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.screens import language
from kiosk.screens.language import DRAFT_NOTICE, LARGE_PAGE, PAGE
from translations.catalog import Localizer
from translations.languages import LANGUAGES
from translations.review import Review


async def test_every_language_is_reached_by_number_keys(kd: SimpleNamespace,
                                                        app: KioskApp) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        for code in LANGUAGES:
            await pilot.press(str(kd.view(app).query_one("#change-language").number))
            await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "langs")
            await kd.choose_language(pilot, code)
            await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
            assert app.l10n.lang == code


async def test_pages_keep_every_tile_on_a_key_in_both_text_sizes(kd: SimpleNamespace,
                                                                app: KioskApp) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        view = kd.view(app)
        shown = [o.value for o in view.offers() if o.id.startswith("lang-")]
        assert shown == list(LANGUAGES)[:PAGE]
        assert [o.id for o in view.offers()][-1] == "page-next"
        await pilot.press(str(PAGE + 1))  # More languages
        await pilot.pause()
        shown = [o.value for o in view.offers() if o.id.startswith("lang-")]
        assert shown == list(LANGUAGES)[PAGE:2 * PAGE]
        await pilot.press("f3")
        await pilot.pause()
        # The first language of the page stays in view in large text.
        shown = [o.value for o in view.offers() if o.id.startswith("lang-")]
        assert list(LANGUAGES)[PAGE] in shown and len(shown) <= LARGE_PAGE
        assert all(o.key is not None and o.key <= 9 for o in view.offers())


async def test_tiles_say_what_each_language_can_do(
    kd: SimpleNamespace, app: KioskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if only Apertium's nb->nn were installed (the office writes Bokmål).
    monkeypatch.setattr(language, "office_routes", lambda translator, office: (
        lambda code: (("nb", "nn"),) if code == "nn" else ()))
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        labels = {o.value: o.label for o in kd.view(app).offers()}
    # The tests run with speech off: nothing is spoken, and that is what the tiles say.
    assert labels["se"] == "Davvisámegiella (bare tekst, uten tale)"
    assert labels["nn"] == "Norsk nynorsk (bare tekst, uten tale) (meldinger kan maskinoversettes)"


async def test_a_drafted_catalog_says_so_on_the_language_screen_and_the_menu(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        assert kd.view(app).query_one("#draft-notice").spoken == Localizer("nb").gettext(
            DRAFT_NOTICE)
        await kd.choose_language(pilot, "uk")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        notice = kd.view(app).query_one("#draft-notice").spoken
        assert notice == "Цей текст ще не перевірив носій мови."
        assert notice in kd.view(app).speech_text()


async def test_a_reviewed_catalog_shows_no_notice(
    kd: SimpleNamespace, app: KioskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewed = Review("reviewed", "Kari Nordmann", dt.date(2027, 1, 15))
    monkeypatch.setitem(LANGUAGES, "en", dataclasses.replace(LANGUAGES["en"], review=reviewed))
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        assert not kd.view(app).query("#draft-notice")
