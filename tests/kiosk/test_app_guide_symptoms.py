"""The symptom questionnaire through the real app, real demo backend and real sign-in, by keys
only: the answers read back from the server as a QuestionnaireResponse; saying no at the end
asks the questions again; and, with the service unreachable, the answers saved on the kiosk and
the citizen told so."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.services.tasks.symptoms import QUESTIONNAIRE
from tests.loopback import closed_port_url

SENT = "Your answers are sent to your GP office."
SAVED = ("Your answers are saved on this kiosk. They will be sent to your GP office when the "
         "connection is back.")
YES, NO = "1", "2"


def responses(runtime: Runtime) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [r for r in runtime.demo.resources("QuestionnaireResponse")
            if r["subject"]["reference"] == "Patient/kari"]


async def answer_all(kd: SimpleNamespace, pilot: Any, fever: str, cough: str, breath: str,
                     feeling: str) -> None:
    """Answer the four questions by keys; ends on the confirm step."""
    for key in (fever, cough, breath):
        await kd.at_step(pilot, "choice")
        step_id = kd.view(pilot.app).runner.step.id
        await pilot.press(key)
        await kd.wait_until(pilot, lambda was=step_id: kd.view(pilot.app).runner.step.id != was,
                            f"the answer to {step_id} taken")
    await kd.at_step(pilot, "number")
    await pilot.press(*feeling, "enter")
    await kd.at_step(pilot, "confirm")


async def test_answers_by_keys_are_read_back(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = len(responses(runtime))
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "symptoms")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        assert kd.shows(app, "Do you have a fever?")
        await answer_all(kd, pilot, YES, YES, NO, "3")
        # No: every question is asked again, and the new answers are the ones sent.
        await pilot.press("n")
        await kd.at_step(pilot, "choice")
        assert kd.view(app).runner.step.id == "fever"
        await answer_all(kd, pilot, NO, YES, YES, "7")
        assert kd.shows(app, "You are sending your answers to your GP office. You feel 7 out "
                             "of 10. Is that right?")
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        assert str(kd.view(app).text) == SENT
    after = responses(runtime)
    assert len(after) == before + 1
    stored = after[-1]
    assert (stored["status"], stored["questionnaire"]) == ("completed", QUESTIONNAIRE)
    assert [(i["linkId"], i["answer"]) for i in stored["item"]] == [
        ("fever", [{"valueBoolean": False}]),
        ("cough", [{"valueBoolean": True}]),
        ("breath", [{"valueBoolean": True}]),
        ("feeling", [{"valueInteger": 7}]),
    ]


async def test_unreachable_service_saves_the_answers_on_the_kiosk(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = len(responses(runtime))
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "symptoms")
        await kd.approve_by_phone(pilot)
        await answer_all(kd, pilot, NO, NO, NO, "0")
        kd.fhir_http(runtime).base_url = closed_port_url()
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView"
                            and kd.shows(app, SAVED), "the saved-on-this-kiosk finish drawn")
    assert len(responses(runtime)) == before
    (item,) = runtime.outbox.items()
    assert item.submission.resource_type == "QuestionnaireResponse"
    assert item.submission.resource["item"][3]["answer"] == [{"valueInteger": 0}]
