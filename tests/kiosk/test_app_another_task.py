"""One visit, several tasks: after a finished task, "Another task" goes back to the menu (its
first page) still signed in, so the next task needs no new sign-in; the finished task's answers
are forgotten at once; Done still ends the visit and forgets everything."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.runtime import Runtime


async def test_another_task_keeps_the_sign_in_and_forgets_the_answers(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot, "kari")
        await kd.at_step(pilot, "list")
        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        assert runtime.session.answers
        await kd.wait_until(pilot, lambda: kd.shows(app, "Another task"), "the button")
        await pilot.press("2")

        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        session = runtime.session
        assert session.person is not None and session.person.patient_id == "kari"
        assert session.answers == {} and session.labels == {} and session.fetched == {}

        await kd.pick_task(pilot, "vaccines")
        # Signed in already: the guide's sign-in step is passed at once.
        await kd.at_step(pilot, "list")
        assert kd.shows(app, "Influenza")
        for step_id in ("recommended", "alerts"):
            await pilot.press("1")
            await kd.wait_until(
                pilot,
                lambda step_id=step_id: kd.view(app).runner.step.id == step_id
                and not kd.view(app).query("#working"),
                step_id,
            )
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
    assert runtime.session.person is None and runtime.session.answers == {}


async def test_another_task_shows_the_menu_from_its_first_page(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "phone_portal")  # the last task, on the menu's last page
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Another task"), "the button")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView"
                            and bool(kd.view(app).query("#guide-appointment")), "the first page")
        assert kd.view(app).page == 0
