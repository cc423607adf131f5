"""Service errors in the real app: the citizen sees and hears what happened (translated), can
try again or get staff help, and nothing already answered is lost."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.screens.staff_help import StaffHelpScreen
from kiosk.services.appointments import SlotTaken
from kiosk.services.http import ServiceUnavailable
from tests.loopback import closed_port_url


async def test_action_error_offers_retry_and_keeps_the_answers(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # at the GP office
        await kd.at_step(pilot, "slot")
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        answers = dict(runtime.session.answers)
        fhir = kd.fhir_http(runtime)
        working_url, fhir.base_url = fhir.base_url, closed_port_url()
        await pilot.press("y")
        message = app.l10n.gettext(ServiceUnavailable.msgid)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen"
                            and kd.shows(app, message), "the error drawn")
        assert kd.view(app).speech_text().splitlines()[0] == message
        await kd.wait_until(pilot, lambda: runtime.voice.last_text == kd.view(app).speech_text(),
                            "the error spoken")
        assert runtime.session.person is not None
        assert answers.items() <= runtime.session.answers.items()

        fhir.base_url = working_url
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")


async def test_error_offers_staff_help(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        # The whole service is away: its FHIR server, where the kiosk finds its sign-in service
        # (not found yet: nobody has signed in), too.
        kd.fhir_http(runtime).base_url = closed_port_url()
        runtime.discovery.fhir_base_url = closed_port_url()
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen", "the error")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: isinstance(app.screen, StaffHelpScreen), "help")


async def test_a_time_taken_meanwhile_returns_to_the_question_with_the_reason(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # at the GP office
        await kd.at_step(pilot, "slot")
        taken = kd.view(app).options[0].id
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        assert runtime.demo is not None
        slot = next(s for s in runtime.demo.slots() if s["id"] == taken)
        runtime.demo.put({**slot, "status": "busy"})  # someone else booked it meanwhile
        await pilot.press("y")
        reason = app.l10n.gettext(SlotTaken.msgid)
        await kd.wait_until(pilot, lambda: kd.step_kind(app) == "confirm"
                            and kd.shows(app, reason), "the reason on the question")
        assert reason in kd.view(app).speech_text()
        await pilot.press("n")
        await kd.at_step(pilot, "slot")
        assert taken not in [o.id for o in kd.view(app).options], "the list must be asked again"


async def test_two_failures_at_once_show_one_dialog_that_retries_the_newest(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    from kiosk.messages import ServiceTrouble
    from kiosk.screens.error import ErrorScreen

    retried: list[str] = []
    async with app.run_test(size=kd.SIZE) as pilot:
        for which in ("first", "second"):
            app.post_message(ServiceTrouble("The health service is not answering.",
                                            lambda w=which: retried.append(w), "Try again"))
            await pilot.pause()
        assert [type(s) for s in app.screen_stack].count(ErrorScreen) == 1
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: not isinstance(app.screen, ErrorScreen), "closed")
    assert retried == ["second"]
