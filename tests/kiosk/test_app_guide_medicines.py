"""The "my medicines" guide through the real app, demo backend and sign-in, by keys only: see
the list, ask to renew a medicine and read the request back; a medicine already awaiting
renewal is not asked for twice; with the service away, the request waits on the kiosk, the
citizen is told so, and it reaches the service once it is back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from kiosk.services.health.medicines import DEFAULT_RENEWAL_CODE
from tests.loopback import closed_port_url

BACKOFF_S = 60
"""Long enough for the outbox's first retry to be due."""

LEVOTHYROXINE = "Levothyroxine 50 microgram tablet"
ATORVASTATIN = "Atorvastatin 20 mg tablet"


def renewals(runtime: Runtime) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [t for t in runtime.demo.resources("Task")
            if DEFAULT_RENEWAL_CODE.marks(t) and t["for"]["reference"] == "Patient/kari"]


async def to_renewal_list(kd: SimpleNamespace, pilot: Any) -> None:
    """From the idle screen: open the guide, sign in, read the list, choose to renew."""
    await kd.open_task(pilot, "medicines")
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "list")
    await pilot.press("1")
    await kd.at_step(pilot, "choice")
    await pilot.press("1")
    await kd.at_step(pilot, "slot")


async def finish(kd: SimpleNamespace, pilot: Any) -> str:
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "the end")
    text = str(kd.view(pilot.app).text)
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "IdleView", "idle")
    return text


async def test_renew_a_medicine_by_keys_only(kd: SimpleNamespace, app: KioskApp,
                                             runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "list")
        assert kd.shows(app, "One tablet every morning")
        assert kd.shows(app, ATORVASTATIN)
        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        await pilot.press("1")
        await kd.at_step(pilot, "slot")
        await pilot.press("2")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, f"You are asking your GP office to renew {LEVOTHYROXINE}.")
        await pilot.press("y")
        text = await finish(kd, pilot)
    assert f"Your GP office has got your request to renew {LEVOTHYROXINE}." in text
    (task,) = renewals(runtime)
    assert task["status"] == "requested"
    assert task["focus"]["reference"] == "MedicationRequest/kari-levothyroxine-rx"


async def test_only_looking_sends_nothing(kd: SimpleNamespace, app: KioskApp,
                                          runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "list")
        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        await pilot.press("2")
        assert "You are done" in await finish(kd, pilot)
    assert renewals(runtime) == []


async def test_a_medicine_awaiting_renewal_is_not_asked_for_twice(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    async with app.run_test(size=kd.SIZE) as pilot:
        await to_renewal_list(kd, pilot)
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        await finish(kd, pilot)

        # Only levothyroxine is left to renew; while the citizen confirms, it is asked for
        # from elsewhere (e.g. the citizen's phone): the kiosk says so instead of asking again.
        await to_renewal_list(kd, pilot)
        assert not kd.shows(app, ATORVASTATIN)
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        asked_elsewhere(runtime, "renew-from-phone", "MedicationRequest/kari-levothyroxine-rx")
        await pilot.press("y")
        reason = "You have already asked your GP office to renew this medicine."
        await kd.wait_until(pilot, lambda: kd.step_kind(app) == "confirm"
                            and kd.shows(app, reason), "the reason on the question")
        await pilot.press("n")
        await kd.at_step(pilot, "slot")
        assert kd.shows(app, "There is no medicine you can ask to renew now.")
    assert len(renewals(runtime)) == 2


def asked_elsewhere(runtime: Runtime, task_id: str, medicine: str) -> None:
    """A renewal the citizen asked for from elsewhere (e.g. their phone), still open."""
    assert runtime.demo is not None
    runtime.demo.put({
        "resourceType": "Task", "id": task_id, "status": "requested", "intent": "order",
        "code": DEFAULT_RENEWAL_CODE.concept(), "focus": {"reference": medicine},
        "for": {"reference": "Patient/kari"},
    })


async def test_nothing_left_to_renew_is_said(kd: SimpleNamespace, app: KioskApp,
                                             runtime: Runtime) -> None:
    asked_elsewhere(runtime, "asked-1", "MedicationRequest/kari-levothyroxine-rx")
    asked_elsewhere(runtime, "asked-2", "MedicationStatement/kari-atorvastatin")
    async with app.run_test(size=kd.SIZE) as pilot:
        await to_renewal_list(kd, pilot)
        assert kd.shows(app, "There is no medicine you can ask to renew now.")
        assert not kd.shows(app, LEVOTHYROXINE)
    assert len(renewals(runtime)) == 2


async def test_with_the_service_away_the_request_waits_on_the_kiosk_until_it_is_back(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    assert runtime.delivery is not None
    async with app.run_test(size=kd.SIZE) as pilot:
        await to_renewal_list(kd, pilot)
        await pilot.press("2")
        await kd.at_step(pilot, "confirm")
        service = kd.fhir_http(runtime).base_url
        kd.fhir_http(runtime).base_url = closed_port_url()
        await pilot.press("y")
        text = await finish(kd, pilot)
    assert f"Your request to renew {LEVOTHYROXINE} is saved on this kiosk." in text
    assert renewals(runtime) == []
    (waiting,) = runtime.outbox.items()
    assert waiting.submission.resource["resourceType"] == "Task"
    kd.fhir_http(runtime).base_url = service
    clock.advance(BACKOFF_S)
    runtime.delivery.run_once()
    (task,) = renewals(runtime)
    assert task["focus"]["reference"] == "MedicationRequest/kari-levothyroxine-rx"
    assert runtime.outbox.items() == []
