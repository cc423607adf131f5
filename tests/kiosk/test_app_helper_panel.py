"""The helper panel beside the citizen's screen, through the real app and demo backend: it shows
the task, the step, a hint for staff and the answers given, in the kiosk's own language (the
staff member's; the citizen here chose English), but never a sign-in, a private step or a
private or masked answer; its actions go back, ask a step again, explain it aloud and change
the language while the task keeps its place; and a helped submission still waits for the
citizen's own press."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from helper_mode.panel import PRIVATE_NOTE, SIGN_IN_NOTE
from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.widgets.helper_panel import ACTIONS, CITIZEN_CONFIRMS, HANDOFF_ACTIONS, HelperPanel
from translations.catalog import Localizer

STAFF = Localizer("nb")
"""The panel speaks the kiosk's default language (the test runtime's: Norwegian)."""
OLA_ID = "02888510128"


def panel(app: KioskApp) -> HelperPanel:
    return app.frame.query_one(HelperPanel)


def panel_text(app: KioskApp) -> str:
    return "\n".join(str(line.content) for line in panel(app).query("Static"))


async def unlock(kd: SimpleNamespace, pilot: Any) -> None:
    await pilot.press("f1")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StaffHelpScreen", "PIN")
    await pilot.press(*kd.STAFF_PIN, "enter")
    await kd.wait_until(pilot, lambda: pilot.app.screen is pilot.app.frame
                        and panel(pilot.app).display, "the helper panel")


async def at(kd: SimpleNamespace, pilot: Any, step_id: str) -> None:
    app = pilot.app

    def ready() -> bool:
        return (kd.screen_name(app) == "StepView" and kd.view(app).runner.step.id == step_id
                and not kd.view(app).query("#working"))

    await kd.wait_until(pilot, ready, f"the step {step_id}")
    await pilot.pause()


async def panel_says(kd: SimpleNamespace, pilot: Any, msgid: str) -> None:
    text = STAFF.gettext(msgid)
    await kd.wait_until(pilot, lambda: text in panel_text(pilot.app), f"the panel: {text}")


async def type_in(pilot: Any, text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text), "enter")


async def to_the_id_number(kd: SimpleNamespace, pilot: Any) -> None:
    """Helper mode on, the proxy guide: sign-in, "give", the relative's name (private) and up
    to their national ID number (private and masked), checking the panel on the way."""
    app = pilot.app
    await unlock(kd, pilot)
    await kd.open_task(pilot, "proxy")
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                        and kd.view(app).auth is not None, "the sign-in codes")
    await panel_says(kd, pilot, SIGN_IN_NOTE)
    code = kd.view(app).auth.user_code
    assert code not in panel_text(app)
    assert not panel(app).query("#panel-step") and not panel(app).query("#panel-explain")
    await kd.approve_by_phone(pilot)
    await at(kd, pilot, "what")
    await panel_says(kd, pilot, "What do you want to do?")
    await panel_says(kd, pilot, "A proxy lets a relative use the citizen's health services. "
                     "The relative signs in as themselves.")
    await pilot.press("1")  # give a proxy
    await at(kd, pilot, "relative")
    await panel_says(kd, pilot, PRIVATE_NOTE)
    assert STAFF.gettext("What is the full name of the relative who will help you?") \
        not in panel_text(app)
    await type_in(pilot, "Ola Nordmann")
    await at(kd, pilot, "relative_id")
    await pilot.press(*OLA_ID)
    await pilot.pause()
    await panel_says(kd, pilot, "Give a relative a proxy")
    text = panel_text(app)
    assert "Ola Nordmann" not in text and OLA_ID not in text
    assert STAFF.gettext(PRIVATE_NOTE) in text


def test_the_panel_hides_sign_in_and_private_and_masked_answers(
    snap_compare: Any, kd: SimpleNamespace, runtime: Runtime
) -> None:
    app = KioskApp(runtime)

    async def run_before(pilot: Any) -> None:
        await to_the_id_number(kd, pilot)
        assert kd.shows(app, "What is the national ID number of Ola Nordmann?")
        assert kd.shows(app, f"A staff member is helping you: {kd.STAFF_NAME}")
        await pilot.pause()
        app.runtime.voice.wait_idle(5)
        for field in app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=kd.SIZE, run_before=run_before)


async def test_past_the_id_number_the_panel_still_shows_neither(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await to_the_id_number(kd, pilot)
        await pilot.press("enter")
        await at(kd, pilot, "scope")
        await pilot.pause()
        text = panel_text(app)
        assert "Ola Nordmann" not in text and OLA_ID not in text
        assert STAFF.gettext("Give a relative a proxy") in text


async def open_pulse(kd: SimpleNamespace, pilot: Any) -> None:
    await unlock(kd, pilot)
    await kd.open_task(pilot, "measurements")
    await kd.approve_by_phone(pilot)
    await at(kd, pilot, "kind")
    await panel_says(kd, pilot, "Ask which measurement the citizen took at home. Let them "
                     "choose it themselves.")
    await pilot.press("2")  # pulse
    await at(kd, pilot, "pulse")
    await panel_says(kd, pilot, "The citizen types the number from their own device. Do not "
                     "type it for them.")


def observations(runtime: Runtime) -> int:
    assert runtime.demo is not None
    return len(runtime.demo.resources("Observation"))


async def test_a_helped_submission_waits_for_the_citizens_own_yes(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = observations(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_pulse(kd, pilot)
        await type_in(pilot, "72")
        await at(kd, pilot, "confirm_pulse")
        await panel_says(kd, pilot, CITIZEN_CONFIRMS)
        # The panel offers no yes, confirm or send: only the kiosk's own help actions (no
        # hand-off here: this kiosk has no portal_links).
        offered = {button.id for button in panel(app).query("Button")}
        assert offered == {widget_id for widget_id, _msgid, _action in ACTIONS} - HANDOFF_ACTIONS
        assert not any("confirm" in action or "pick" in action for _i, _m, action in ACTIONS)
        # Every panel action that leaves the step in place, pressed: nothing is sent.
        for widget_id in ("panel-explain", "panel-bigger", "panel-bigger", "panel-slower",
                          "panel-faster", "panel-softer", "panel-louder"):
            await pilot.click(f"#{widget_id}")
            await pilot.pause()
        await kd.settle(pilot)
        assert kd.view(app).runner.step.id == "confirm_pulse"
        assert observations(runtime) == before
        # The citizen's own press on their side sends it.
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
    assert observations(runtime) == before + 1


async def test_explain_back_again_and_language_keep_the_task_in_place(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_pulse(kd, pilot)
        await pilot.click("#panel-explain")
        await pilot.pause()
        assert runtime.voice.last_text == \
            "Type the number of heartbeats in one minute and press Enter."
        await pilot.press("7")
        await pilot.click("#panel-restart")
        await kd.wait_until(pilot, lambda: kd.view(app).query("#answer")
                            and kd.view(app).query_one("#answer").value == "", "an empty field")
        assert kd.view(app).runner.step.id == "pulse"
        await pilot.click("#panel-back")
        await at(kd, pilot, "kind")
        await pilot.press("2")
        await at(kd, pilot, "pulse")
        await pilot.press("7")
        await pilot.click("#panel-language")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await pilot.press("1")  # Norsk bokmål
        await at(kd, pilot, "pulse")
        assert app.l10n.lang == "nb"
        assert kd.shows(app, "Hva er pulsen din?")
        assert kd.view(app).query_one("#answer").value == "7", "the draft kept its place"
        # Helper mode locks; the panel goes, the citizen's screen stays.
        await pilot.click("#panel-lock")
        await kd.wait_until(pilot, lambda: not panel(app).display, "the panel gone")
        assert runtime.helper.active_staff is None
        assert kd.view(app).runner.step.id == "pulse"
