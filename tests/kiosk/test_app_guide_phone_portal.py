"""The phone-portal walk-through through the real app, by keys only: a few plain screens, no
sign-in, and a finish screen whose drawn QR code (read back like a phone camera would) opens
the portal address from the kiosk's settings (in practice mode, the demo service's practice
portal page, which a phone can open). Also how guide files may write that address."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from kiosk.app import KioskApp
from kiosk.guides.loader import check_paths
from kiosk.runtime import Runtime
from kiosk.screens.finish import qr_address
from kiosk.widgets.qr_code import QrCode
from tests.kiosk.widgets.qr_reader import read_qr

WALK = ("intro", "camera", "sign_in")


async def test_walk_through_ends_with_a_qr_code_for_the_portal(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, tmp_path: Path
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "phone_portal")
        for step_id in WALK:
            await kd.at_step(pilot, "choice")
            assert kd.view(app).runner.step.id == step_id
            await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await pilot.pause()
        assert runtime.session.person is None, "practice needs no sign-in"
        drawn = str(kd.view(app).query_one("#finish-qr", QrCode).render()).splitlines()
        assert runtime.demo is not None
        portal = f"{runtime.demo.base_url}/portal"
        assert read_qr(drawn, tmp_path) == portal
        assert kd.shows(app, "Point your phone's camera at the square code.")
        assert kd.shows(app, portal)
        opened = await asyncio.to_thread(requests.get, portal, timeout=5)
        assert opened.status_code == 200
        assert "Practice health portal" in opened.text
        assert "nothing you do here is saved" in opened.text
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")


async def test_without_a_smartphone_the_finish_has_no_code(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "phone_portal")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await pilot.pause()
        assert not kd.view(app).query(QrCode)
        assert kd.shows(app, "Ask a staff member here to show you how.")


def test_an_address_naming_an_unset_setting_draws_no_code() -> None:
    assert qr_address("{portal_url}/start", {"portal_url": "http://kiosk.test"}) == (
        "http://kiosk.test/start")
    assert qr_address("{portal_url}", {}) is None
    assert qr_address(None, {"portal_url": "http://kiosk.test"}) is None


GUIDE = """\
id: try_qr
title: Try
description: Try it.
icon_label: A star
start: done
steps:
  - id: done
    kind: finish
    prompt: Scan the code.
    qr: {qr}
"""


@pytest.mark.parametrize("qr", ['"{portal_url}"', '"{portal_url}/login"',
                                "https://portal.example.org/start"])
def test_a_finish_step_may_show_a_web_address(tmp_path: Path, qr: str) -> None:
    path = tmp_path / "guide.yaml"
    path.write_text(GUIDE.replace("{qr}", qr), encoding="utf-8")
    assert check_paths([path], None, None) == []


@pytest.mark.parametrize(("qr", "complaint"), [
    ("ftp://portal.example.org", "is not a web address"),
    ("portal.example.org", "is not a web address"),
    ('"{fhir_base_url}"', "only a kiosk setting"),
    ('"https://x.org/{portal_url}"', "only a kiosk setting"),
])
def test_a_bad_address_is_named_with_its_line(tmp_path: Path, qr: str, complaint: str) -> None:
    path = tmp_path / "guide.yaml"
    path.write_text(GUIDE.replace("{qr}", qr), encoding="utf-8")
    [error] = check_paths([path], None, None)
    assert (error.line, error.field) == (10, "steps.done.qr")
    assert complaint in error.message
