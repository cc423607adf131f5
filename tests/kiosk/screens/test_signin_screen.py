"""The sign-in screen: its QR code, as drawn in the running app, is what a phone camera reads,
and approving on the "phone" (over HTTP, like a phone) signs the citizen in. In practice mode
its practice button approves through the practice service's typed call instead."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import requests

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from kiosk.services.http import ServiceUnavailable
from kiosk.widgets.qr_code import QrCode
from tests.kiosk.widgets.qr_reader import read_qr


async def test_the_drawn_qr_code_opens_the_verification_page_and_sign_in_completes(
    kd: SimpleNamespace, app: KioskApp, tmp_path: Path
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                            and kd.view(app).auth is not None, "the sign-in codes")
        auth = kd.view(app).auth
        drawn = str(kd.view(app).query_one("#qr", QrCode).render()).splitlines()
        url = read_qr(drawn, tmp_path)
        assert url == auth.verification_uri_complete
        page = requests.get(url, timeout=5)
        assert page.status_code == 200
        assert auth.user_code in page.text

        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")  # how to meet the doctor: signed in, the guide goes on
        person = app.runtime.session.person
        assert person is not None and person.patient_id == "kari"


async def test_qr_code_and_user_code_stay_whole_on_screen_with_large_text(
    kd: SimpleNamespace, app: KioskApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("f3")
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                            and kd.view(app).auth is not None, "the sign-in codes")
        await pilot.pause()
        screen_area = app.screen.region
        qr = kd.view(app).query_one("#qr", QrCode)
        code = kd.view(app).query_one("#user-code")
        for widget in (qr, code):
            region = widget.region
            assert region.area > 0 and screen_area.contains_region(region), widget.id
        drawn = str(qr.render()).splitlines()
        assert read_qr(drawn, tmp_path) == kd.view(app).auth.verification_uri_complete


async def test_two_backs_before_the_screen_is_gone_leave_it_once(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    """Found by the fuzz test: a second Esc while the sign-in screen was still closing answered
    its caller twice, and the kiosk restarted."""
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView", "sign-in")
        below = app.flow.views[-2]
        signin = kd.view(app)
        signin.go_back()
        signin.go_back()
        await kd.wait_until(pilot, lambda: kd.view(app) is below, "the screen before sign-in")
        for _ in range(5):
            await pilot.pause(0.05)
        assert kd.view(app) is below and app.return_code is None


async def test_the_practice_button_signs_in_as_the_first_practice_citizen(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                            and bool(kd.view(app).query("#practice-approve")),
                            "the practice button")
        await pilot.click("#practice-approve")
        await kd.at_step(pilot, "choice")  # signed in, the guide goes on
        assert runtime.demo is not None
        first = runtime.demo.citizens[0][0]
        person = app.runtime.session.person
        assert person is not None and person.patient_id == first


async def test_the_practice_button_on_an_expired_code_shows_the_service_unavailable(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                            and bool(kd.view(app).query("#practice-approve")),
                            "the practice button")
        # Stop polling first, so the screen cannot see the code expire before the button does.
        signin = kd.view(app)
        polling = [w for w in app.workers if w.node is signin and w.group == "signin"]
        app.workers.cancel_group(signin, "signin")
        await kd.wait_until(pilot, lambda: all(w.is_finished for w in polling), "polling stops")
        clock.advance(24 * 3600)
        await pilot.click("#practice-approve")
        message = app.l10n.gettext(ServiceUnavailable.msgid)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen"
                            and kd.shows(app, message), "the error")
        assert app.runtime.session.person is None


async def test_the_code_is_spelled_and_said_again_on_request(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    """A blind citizen types the code into their own phone by ear: letter by letter."""
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                            and kd.view(app).auth is not None, "the sign-in codes")
        code = kd.view(app).auth.user_code
        spelled = " ".join(code)
        assert spelled in kd.view(app).speech_text()
        assert kd.shows(app, code)
        again = kd.view(app).query_one("#code-again")
        await pilot.press(str(again.number))
        await kd.wait_until(pilot, lambda: runtime.voice.last_text == spelled, "the code again")
