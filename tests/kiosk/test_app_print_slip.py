"""A health service fails mid-task and the citizen takes a printed slip to finish later: the
error screen offers it only where the kiosk has a printer, the slip (real ESC/POS bytes on the
printer's device file, read back) names the task, what happened and the way on, and nothing
about the citizen; a printer that fails says so; the task is still there to try again."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from tests.hardware.escpos_reader import read_receipts
from tests.loopback import closed_port_url

SERVICE_AWAY = "The health service is not answering."


async def until_the_service_fails(kd: SimpleNamespace, pilot: Any, runtime: Runtime) -> str:
    """Book (key 1) and sign in as Kari; then, with the service gone, take the first offer on
    every question until the error screen. Returns the service's address, to bring it back."""
    await kd.open_guide(pilot)
    await pilot.press("1")
    await kd.approve_by_phone(pilot, "kari")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StepView"
                        and not kd.view(pilot.app).query("#working"), "the first question")
    service = kd.fhir_http(runtime).base_url
    kd.fhir_http(runtime).base_url = closed_port_url()
    for _ in range(6):
        await pilot.press("y" if kd.step_kind(pilot.app) == "confirm" else "1")
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "ErrorScreen" or (
            kd.screen_name(pilot.app) == "StepView"
            and not kd.view(pilot.app).query("#working")), "a question or the error")
        if kd.screen_name(pilot.app) == "ErrorScreen":
            await kd.wait_until(pilot, lambda: kd.shows(pilot.app, SERVICE_AWAY), "the reason")
            return service
    raise AssertionError("the service never failed")


async def test_the_slip_names_the_task_and_the_way_on_and_nothing_about_the_citizen(
    kd: SimpleNamespace, make_runtime: Any, tmp_path: Path
) -> None:
    paper = tmp_path / "lp0"
    paper.touch()
    runtime = make_runtime(printer_device=paper, printer_width=48)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        service = await until_the_service_fails(kd, pilot, runtime)
        assert kd.shows(app, "Print a slip for later")
        await pilot.press("3")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Your slip is printed."), "printed")
        assert kd.screen_name(app) == "ErrorScreen", "the citizen can still try again"
        # The slip is said as well as printed, for a citizen who cannot read it.
        await kd.wait_until(pilot, lambda: "To finish later" in (runtime.voice.last_text or ""),
                            "the slip said")
        (slip,) = read_receipts(paper.read_bytes())
        printed = " ".join(slip.text)
        assert "To finish later" in printed
        assert "Book, move or cancel an appointment" in printed
        assert SERVICE_AWAY in printed
        assert [qr.stored for qr in slip.qr_codes] == [f"{runtime.demo.base_url}/portal".encode()]
        assert slip.cut is not None
        person = runtime.session.person
        assert person is not None
        for personal in ("Kari", "Nordmann", person.patient_id, person.access_token):
            assert personal not in printed

        kd.fhir_http(runtime).base_url = service
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StepView", "the task again")


async def test_a_failing_printer_says_so_and_keeps_the_error_screen(
    kd: SimpleNamespace, make_runtime: Any, tmp_path: Path
) -> None:
    # A printer that takes nothing: a pipe with no reader at the other end.
    jammed = tmp_path / "lp0"
    os.mkfifo(jammed)
    runtime = make_runtime(printer_device=jammed)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await until_the_service_fails(kd, pilot, runtime)
        await pilot.press("3")
        await kd.wait_until(pilot, lambda: kd.shows(
            app, "The printer is not working. Please ask a staff member for help."), "the fault")
        assert kd.screen_name(app) == "ErrorScreen"
        assert kd.view(app).query("#retry") and kd.view(app).query("#error-help")


async def test_without_a_printer_no_slip_is_offered(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert not runtime.printer.available
    async with app.run_test(size=kd.SIZE) as pilot:
        await until_the_service_fails(kd, pilot, runtime)
        assert not kd.view(app).query("#print-slip")
        assert not kd.shows(app, "Print a slip")
