"""Continue on my phone, through the real app and demo backend: a task with a page in the health
portal (``portal_links``) offers it on the help bar (Shift+F12) and in the helper panel; the
dialog shows the QR code and the address and says them; a task without a link offers nothing;
the address is the configured one and holds nothing of the citizen, whatever they entered; the
panel's Print a slip prints the hand-off slip with the link as a QR code."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from textual.widgets import Button

from kiosk.app import KioskApp
from kiosk.config import ConfigError, Settings
from kiosk.handoff import link_problem
from kiosk.screens.error import PRINTED
from kiosk.screens.phone_handoff import OPENS_THIS_TASK, PhoneHandoffScreen
from kiosk.slip import CONTINUE_ON_PHONE
from kiosk.widgets.qr_code import QrCode, render_lines
from tests.hardware.escpos_reader import read_receipts
from tests.kiosk.test_app_helper_panel import STAFF, at, panel, type_in, unlock

LINKS = {"appointment": "https://portal.example.no/timebestilling",
         "proxy": "https://portal.example.no/fullmakt"}
OLA_ID = "02888510128"


@pytest.mark.parametrize(("task", "url"), [
    ("appointment", "http://portal.example.no/timebestilling"),
    ("appointment", "https://user:pw@portal.example.no/"),
    ("appointment", "https:///timebestilling"),
    ("appointment", "https://portal.example.no/{patient}"),
    ("Appointment!", "https://portal.example.no/"),
])
def test_a_link_that_is_not_plain_https_is_refused(tmp_path: Path, task: str, url: str) -> None:
    assert link_problem(task, url) is not None
    with pytest.raises(ConfigError, match="portal_links"):
        Settings(state_dir=tmp_path, portal_links={task: url})


def qr_shows(app: KioskApp, link: str) -> bool:
    qr = app.screen.query_one("#handoff-qr", QrCode)
    return str(qr.content) == "\n".join(render_lines(link))


async def test_the_task_goes_to_the_phone_with_nothing_of_the_citizen(
    kd: SimpleNamespace, make_runtime: Any
) -> None:
    runtime = make_runtime(portal_links=LINKS)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "proxy")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # give a proxy
        await type_in(pilot, "Ola Nordmann")
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "relative_id",
                            "the relative's id")
        await pilot.press(*OLA_ID)
        await pilot.pause()
        await kd.wait_until(pilot, lambda: bool(app.frame.query("#help-phone")), "the help bar")
        runtime.voice.last_text = None
        await pilot.press("f24")  # Shift+F12
        await kd.wait_until(pilot, lambda: isinstance(app.screen, PhoneHandoffScreen), "hand-off")
        link = LINKS["proxy"]
        assert qr_shows(app, link) and kd.shows(app, link)
        await kd.wait_until(pilot, lambda: link in (runtime.voice.last_text or ""), "said")
        assert app.l10n.gettext(OPENS_THIS_TASK) in (runtime.voice.last_text or "")
        person = runtime.session.person
        assert person is not None
        citizen = {"Ola", "Nordmann", OLA_ID, person.patient_id, *person.display_name.split(),
                   *runtime.session.labels.values()}
        assert urlsplit(link).query == "" and not any(part in link for part in citizen)
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StepView", "the task")
        assert kd.view(app).runner.step.id == "relative_id", "the task kept its place"


async def test_a_task_without_a_link_offers_nothing(kd: SimpleNamespace,
                                                   make_runtime: Any) -> None:
    runtime = make_runtime(portal_links={"proxy": LINKS["proxy"]})
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "appointment")
        await kd.at_step(pilot, "choice")
        assert not app.frame.query("#help-phone")
        await pilot.press("f24")
        await pilot.pause()
        assert kd.screen_name(app) == "StepView"


async def test_the_helper_panel_hands_over_and_prints_the_slip(
    kd: SimpleNamespace, make_runtime: Any, tmp_path: Path
) -> None:
    paper = tmp_path / "lp0"
    paper.touch()
    runtime = make_runtime(portal_links=LINKS, printer_device=paper)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await unlock(kd, pilot)
        await kd.open_task(pilot, "appointment")
        await at(kd, pilot, "what")
        await kd.wait_until(pilot, lambda: bool(panel(app).query("#panel-print")), "print")
        label = str(panel(app).query_one("#panel-phone", Button).label)
        assert STAFF.gettext(CONTINUE_ON_PHONE) in label
        await pilot.click("#panel-print")
        await kd.wait_until(pilot, lambda: (runtime.voice.last_text or "").startswith(
            app.l10n.gettext(PRINTED)), "printed")
        assert "Continue on my phone" in (runtime.voice.last_text or ""), "the slip is said"
        (slip,) = read_receipts(paper.read_bytes())
        link = LINKS["appointment"]
        assert [qr.stored for qr in slip.qr_codes] == [link.encode()]
        assert "Continue on my phone" in " ".join(slip.text)
        await pilot.click("#panel-phone")
        await kd.wait_until(pilot, lambda: isinstance(app.screen, PhoneHandoffScreen), "hand-off")
        assert qr_shows(app, link)


def test_the_hand_off_dialog_snapshot(snap_compare: Any, kd: SimpleNamespace,
                                      make_runtime: Any) -> None:
    app = KioskApp(make_runtime(portal_links=LINKS))

    async def run_before(pilot: Any) -> None:
        await kd.open_task(pilot, "appointment")
        await kd.at_step(pilot, "choice")
        await kd.wait_until(pilot, lambda: bool(app.frame.query("#help-phone")), "help bar")
        await pilot.press("f24")
        await kd.wait_until(pilot, lambda: isinstance(app.screen, PhoneHandoffScreen), "hand-off")
        await pilot.pause()
        app.runtime.voice.wait_idle(5)
        await pilot.pause()

    assert snap_compare(app, terminal_size=kd.SIZE, run_before=run_before)


def test_a_link_for_a_task_that_does_not_exist_stops_the_kiosk(make_runtime: Any) -> None:
    with pytest.raises(ConfigError, match="apointment"):
        make_runtime(portal_links={"apointment": LINKS["appointment"]})
