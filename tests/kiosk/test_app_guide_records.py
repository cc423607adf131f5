"""The vaccines-and-alerts and health-contacts guides through the real app, demo backend and
sign-in, by keys only: every list step shows what the demo service holds for the signed-in
citizen (dates in words), an empty list says so in words, and a refused one says what happened
and what to do."""

from __future__ import annotations

import asyncio
from datetime import date
from types import SimpleNamespace
from typing import Any

import requests

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.widgets.say import Say

STATUS = {"due": "due now", "overdue": "overdue"}
"""How the English screen says the seed's recommendation statuses."""
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def held(runtime: Runtime, kind: str, patient: str, field: str) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [r for r in runtime.demo.resources(kind)
            if r[field]["reference"] == f"Patient/{patient}"]


def in_english(day: str) -> str:
    """An ISO day as the English screen writes it: 3 October 2025."""
    moment = date.fromisoformat(day[:10])
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def shown_items(app: KioskApp) -> list[str]:
    return [say.text for say in app.screen.query(".list-item").results(Say)]


async def next_list(kd: SimpleNamespace, pilot: Any, step_id: str) -> None:
    await kd.at_step(pilot, "list")
    assert kd.view(pilot.app).runner.step.id == step_id
    assert kd.view(pilot.app).private, "personal records never go to the loudspeaker"


async def finish(kd: SimpleNamespace, pilot: Any) -> None:
    await pilot.press("1")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "finish")
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "IdleView", "idle")


async def test_kari_sees_her_vaccines_recommendations_and_alerts(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    given = sorted(held(runtime, "Immunization", "kari", "patient"),
                   key=lambda r: r["occurrenceDateTime"], reverse=True)
    recommended = [item for r in held(runtime, "ImmunizationRecommendation", "kari", "patient")
                   for item in r["recommendation"]]
    assert given and recommended
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "vaccines")
        await kd.approve_by_phone(pilot, "kari")
        await next_list(kd, pilot, "given")
        assert shown_items(app) == [
            f"{r['vaccineCode']['text']}, {in_english(r['occurrenceDateTime'])}" for r in given]
        assert kd.shows(app, shown_items(app)[0])

        await pilot.press("1")
        await next_list(kd, pilot, "recommended")
        assert shown_items(app) == [
            f"{item['vaccineCode'][0]['text']}, "
            f"{STATUS[item['forecastStatus']['coding'][0]['code']]}, "
            f"{in_english(item['dateCriterion'][0]['value'])}" for item in recommended]

        await pilot.press("1")
        await next_list(kd, pilot, "alerts")
        notices = sorted((c for c in held(runtime, "Communication", "kari", "subject")
                          if c.get("category")), key=lambda c: c["sent"], reverse=True)
        assert notices
        assert shown_items(app) == [
            f"{c['payload'][0]['contentString']}, Demo GP office, {in_english(c['sent'])}"
            for c in notices]
        await finish(kd, pilot)
    assert runtime.session.person is None and not runtime.session.fetched


async def test_no_recommendations_are_said_in_words(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    # The operator files fatima's recommendations under her daughter: none are left hers.
    for recommendation in held(runtime, "ImmunizationRecommendation", "fatima", "patient"):
        runtime.demo.put({**recommendation, "patient": {"reference": "Patient/sara"}})
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "vaccines")
        await kd.approve_by_phone(pilot, "fatima")
        await next_list(kd, pilot, "given")
        assert len(shown_items(app)) == len(held(runtime, "Immunization", "fatima", "patient"))
        await pilot.press("1")
        await next_list(kd, pilot, "recommended")
        assert shown_items(app) == []
        assert kd.shows(app, "No vaccines are recommended for you right now.")
        await pilot.press("1")
        await next_list(kd, pilot, "alerts")
        assert shown_items(app) == []
        assert kd.shows(app, "You have no notices from the health service.")
        await finish(kd, pilot)


async def test_kari_sees_her_health_contacts(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    members = [p for team in held(runtime, "CareTeam", "kari", "subject")
               for p in team["participant"] if team["status"] == "active"]
    assert members
    expected = []
    for participant in members:
        kind, _, rid = participant["member"]["reference"].partition("/")
        member = next(r for r in runtime.demo.resources(kind) if r["id"] == rid)
        phones = [t["value"] for t in member.get("telecom", []) if t["system"] == "phone"]
        expected.append(", ".join([participant["member"]["display"],
                                   participant["role"][0]["text"], *phones[:1]]))
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "contacts")
        await kd.approve_by_phone(pilot, "kari")
        await next_list(kd, pilot, "contacts")
        assert shown_items(app) == expected
        assert all(kd.shows(app, item) for item in expected)
        await finish(kd, pilot)


async def test_a_refused_list_says_what_happened_and_keeps_the_place(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "vaccines")
        await kd.approve_by_phone(pilot, "kari")
        await next_list(kd, pilot, "given")
        person = runtime.session.person
        assert person is not None
        # The health service ends the sign-in (as when a token is withdrawn) mid-visit.
        revoked = await asyncio.to_thread(
            requests.post, f"{runtime.demo.base_url}/oauth/revoke",
            data={"token": person.access_token, "client_id": runtime.settings.client_id},
            timeout=5,
        )
        assert revoked.status_code == 200
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen", "the error")
        assert kd.shows(app, "You are no longer signed in. Please sign in again.")
        assert kd.view(app).query("#retry") and kd.view(app).query("#error-help")
        assert kd.shows(app, "Sign in again")
