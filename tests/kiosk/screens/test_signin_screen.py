"""The sign-in screen: its QR code, as drawn in the running app, is what a phone camera reads,
and approving on the "phone" (over HTTP, like a phone) signs the citizen in."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import requests

from kiosk.app import KioskApp
from kiosk.widgets.qr_code import QrCode
from tests.kiosk.widgets.qr_reader import read_qr


async def test_the_drawn_qr_code_opens_the_verification_page_and_sign_in_completes(
    kd: SimpleNamespace, app: KioskApp, tmp_path: Path
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInScreen"
                            and app.screen.auth is not None, "the sign-in codes")
        auth = app.screen.auth
        drawn = str(app.screen.query_one("#qr", QrCode).render()).splitlines()
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
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInScreen"
                            and app.screen.auth is not None, "the sign-in codes")
        await pilot.pause()
        screen_area = app.screen.region
        qr = app.screen.query_one("#qr", QrCode)
        code = app.screen.query_one("#user-code")
        for widget in (qr, code):
            region = widget.region
            assert region.area > 0 and screen_area.contains_region(region), widget.id
        drawn = str(qr.render()).splitlines()
        assert read_qr(drawn, tmp_path) == app.screen.auth.verification_uri_complete


async def test_two_backs_before_the_screen_is_gone_leave_it_once(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    """Found by the fuzz test: a second Esc while the sign-in screen was still closing answered
    its caller twice, and the kiosk restarted."""
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInScreen", "sign-in")
        below = app.screen_stack[-2]
        signin = app.screen
        signin.go_back()
        signin.go_back()
        await kd.wait_until(pilot, lambda: app.screen is below, "the screen before sign-in")
        for _ in range(5):
            await pilot.pause(0.05)
        assert app.screen is below and app.return_code is None
