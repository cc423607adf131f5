"""The measurement guide through the real app, real demo backend and real sign-in, by keys
only: blood pressure and weight sent and read back from the server; a typing error caught at
once; an upper number not above the lower one refused with the reason, then corrected; and,
with the service unreachable, the measurement saved on the kiosk and the citizen told so."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.services.health.fhirdata import UCUM
from kiosk.services.health.measurements import NOT_ABOVE
from tests.loopback import closed_port_url

SENT = "Your measurement is sent to your GP office."
SAVED = ("Your measurement is saved on this kiosk. It will be sent to your GP office when the "
         "connection is back.")


def new_observations(runtime: Runtime, before: set[str]) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [o for o in runtime.demo.resources("Observation")
            if o["subject"]["reference"] == "Patient/kari" and o["id"] not in before]


def observation_ids(runtime: Runtime) -> set[str]:
    assert runtime.demo is not None
    return {o["id"] for o in runtime.demo.resources("Observation")}


async def start(kd: SimpleNamespace, pilot: Any, kind_key: str) -> None:
    """Open the guide, sign in as Kari and choose what to report."""
    await kd.open_task(pilot, "measurements")
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")
    await pilot.press(kind_key)
    await kd.at_step(pilot, "number")


async def type_number(kd: SimpleNamespace, pilot: Any, text: str) -> None:
    step_id = kd.view(pilot.app).runner.step.id
    await pilot.press(*text, "enter")
    await kd.wait_until(pilot, lambda: kd.view(pilot.app).runner.step.id != step_id
                        or kd.view(pilot.app).error, f"the answer to {step_id} taken")
    await kd.settle(pilot)


async def finish_text(kd: SimpleNamespace, pilot: Any) -> str:
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "finish")
    return str(kd.view(pilot.app).text)


async def test_blood_pressure_by_keys_is_read_back(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = observation_ids(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "1")
        await type_number(kd, pilot, "135")
        await kd.at_step(pilot, "number")
        await type_number(kd, pilot, "85")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "You are sending blood pressure 135 over 85. Is that right?")
        await pilot.press("y")
        assert await finish_text(kd, pilot) == SENT
    (stored,) = new_observations(runtime, before)
    assert stored["code"]["coding"][0]["code"] == "85354-9"
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["code"],
             c["valueQuantity"]["system"], c["valueQuantity"]["value"])
            for c in stored["component"]] == [("8480-6", "mm[Hg]", UCUM, 135),
                                              ("8462-4", "mm[Hg]", UCUM, 85)]


async def test_a_typing_error_is_caught_at_once_then_weight_is_sent(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = observation_ids(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "3")
        await type_number(kd, pilot, "725")
        assert kd.view(app).runner.step.id == "weight"
        assert kd.shows(app, "Please enter a number between 2 and 350 kg.")
        await pilot.press(*["backspace"] * 3)
        await type_number(kd, pilot, "72.5")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "You are sending weight 72.5 kg. Is that right?")
        await pilot.press("y")
        assert await finish_text(kd, pilot) == SENT
    (stored,) = new_observations(runtime, before)
    assert stored["code"]["coding"][0]["code"] == "29463-7"
    assert (stored["valueQuantity"]["system"], stored["valueQuantity"]["code"],
            stored["valueQuantity"]["value"]) == (UCUM, "kg", 72.5)


async def test_upper_number_below_lower_is_refused_then_corrected(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = observation_ids(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "1")
        await type_number(kd, pilot, "80")
        await kd.at_step(pilot, "number")
        await type_number(kd, pilot, "90")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        # Back on the question before, with the reason shown: "no" leads to the numbers.
        await kd.wait_until(pilot, lambda: kd.step_kind(app) == "confirm"
                            and kd.shows(app, NOT_ABOVE["systolic"]), "the refusal drawn")
        assert new_observations(runtime, before) == []
        await pilot.press("n")
        await kd.at_step(pilot, "number")
        assert kd.view(app).runner.step.id == "systolic"
        await type_number(kd, pilot, "140")
        await kd.at_step(pilot, "number")
        await type_number(kd, pilot, "90")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "You are sending blood pressure 140 over 90. Is that right?")
        await pilot.press("y")
        assert await finish_text(kd, pilot) == SENT
    (stored,) = new_observations(runtime, before)
    assert [c["valueQuantity"]["value"] for c in stored["component"]] == [140, 90]


async def test_unreachable_service_saves_it_on_the_kiosk(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = observation_ids(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "2")
        await type_number(kd, pilot, "64")
        await kd.at_step(pilot, "confirm")
        kd.fhir_http(runtime).base_url = closed_port_url()
        await pilot.press("y")
        assert await finish_text(kd, pilot) == SAVED
    assert new_observations(runtime, before) == []
    (item,) = runtime.outbox.items()
    assert item.submission.resource["code"]["coding"][0]["code"] == "8867-4"
    assert item.submission.resource["valueQuantity"]["value"] == 64
