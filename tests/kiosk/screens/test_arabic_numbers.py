"""A number question in Arabic, chosen on the language screen's second page: the citizen types
Eastern Arabic digits (٠-٩) and the answer is taken; a number that is not whole is refused
with the reason; the screen is drawn shaped and right to left while the kiosk speaks the text
as written."""

from __future__ import annotations

from types import SimpleNamespace

from textual.widgets import Input

from kiosk.app import KioskApp
from kiosk.guides.runner import NOT_WHOLE
from kiosk.runtime import Runtime
from translations.catalog import Localizer
from translations.display import RTL

PRESENTATION_FORMS = range(0xFB50, 0xFF00)
"""Arabic letters joined for drawing: on the screen, never in what is spoken."""


async def test_an_arabic_number_step_takes_eastern_arabic_digits(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "symptoms", language="ar")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        for question in ("cough", "breath", "feeling"):
            await pilot.press("1")
            await kd.wait_until(pilot, lambda q=question: kd.view(app).runner.step.id == q,
                                question)
        await kd.at_step(pilot, "number")
        view = kd.view(app)
        arabic_prompt = Localizer("ar").gettext("How unwell do you feel, from 0 to 10?")
        assert arabic_prompt != "How unwell do you feel, from 0 to 10?"

        # Spoken as written; drawn joined and right to left.
        spoken = view.speech_text()
        assert arabic_prompt in spoken.splitlines()
        assert not any(ord(c) in PRESENTATION_FORMS for c in spoken)
        assert RTL.show(arabic_prompt) in view.visible_text()

        # Seven and a half (٧٫٥) is refused: the question wants a whole number. (Textual's
        # pilot cannot press the Arabic decimal separator by its key name; a terminal sends
        # the character, and the field takes it through the same check.)
        field = view.query_one("#answer", Input)
        await pilot.press("٧", "x")
        field.insert_text_at_cursor("٫")
        await pilot.press("٥")
        assert field.value == "٧٫٥", "the field lets Arabic digits and marks through, not x"
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.view(app).query_one("#error").display, "error")
        error = kd.view(app).query_one("#error")
        assert error.spoken == Localizer("ar").gettext(NOT_WHOLE)
        assert runtime.session.answers.get("feeling") is None

        field = kd.view(app).query_one("#answer", Input)
        field.value = ""
        field.focus()
        await pilot.press("٧", "enter")
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "confirm", "confirm")
        assert runtime.session.answers["feeling"] == 7
