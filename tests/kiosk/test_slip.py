"""The "finish later" slip: what it says in each language, and that it says nothing about anyone.

The privacy test runs a real guide with private answers against a health service that does not
answer, builds the slip the way the error screen does, prints it into a file and reads the
bytes back.
"""

from __future__ import annotations

import dataclasses
import inspect
import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from hardware.printer import EscPosPrinter
from kiosk.guides.runner import GuideRunner
from kiosk.runtime import Runtime
from kiosk.services.http import ServiceError, ServiceUnavailable
from kiosk.slip import Slip, finish_later_slip
from tests.hardware.escpos_reader import read_receipts
from translations.catalog import Localizer

PORTAL = "https://helse.example.no/portal"
WHEN = datetime(2026, 3, 4, 10, 15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_slip_in_english() -> None:
    loc = Localizer("en")
    slip = finish_later_slip(
        loc, guide_title="Book an appointment",
        problem=loc.gettext(ServiceUnavailable.msgid), time=loc.when(WHEN), portal_url=PORTAL,
    )
    assert slip == Slip(
        title="To finish later",
        lines=(
            "You were doing: Book an appointment",
            "What happened: The health service is not answering. Try again in a minute, or ask "
            "a staff member for help.",
            "Time: Wednesday 4 March at 10:15",
            "Nothing about you is printed on this slip.",
            "Come back to the kiosk, or open the health portal on your phone with this code.",
            PORTAL,
        ),
        qr=PORTAL,
    )


def test_the_slip_in_norwegian() -> None:
    loc = Localizer("nb")
    slip = finish_later_slip(
        loc, guide_title="Bestill time", problem=loc.gettext(ServiceUnavailable.msgid),
        time=loc.when(WHEN), portal_url=PORTAL,
    )
    assert slip.title == "Gjør ferdig senere"
    assert slip.lines[0] == "Du holdt på med: Bestill time"
    assert slip.lines[1].startswith("Dette skjedde: Helsetjenesten svarer ikke.")
    assert slip.lines[2] == "Tidspunkt: onsdag 4. mars kl. 10:15"
    assert slip.lines[3:] == (
        "Ingenting om deg står på denne lappen.",
        "Kom tilbake til kiosken, eller åpne helseportalen på telefonen din med denne koden.",
        PORTAL,
    )
    assert slip.qr == PORTAL


@pytest.mark.parametrize("portal_url", [None, ""])
def test_without_a_portal_the_slip_has_no_code_and_says_come_back(portal_url: str | None) -> None:
    loc = Localizer("en")
    slip = finish_later_slip(loc, guide_title="Messages", problem="x", time="now",
                             portal_url=portal_url)
    assert slip.qr is None
    assert slip.lines[-1] == "Come back to the kiosk to finish."
    assert not any("code" in line for line in slip.lines)


def test_the_builder_takes_no_answers_names_or_ids() -> None:
    parameters = inspect.signature(finish_later_slip).parameters
    assert list(parameters) == ["loc", "guide_title", "problem", "time", "portal_url"]
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    assert [f.name for f in dataclasses.fields(Slip)] == ["title", "lines", "qr"]


def test_a_slip_after_a_guide_with_private_answers_reveals_none_of_them(
    make_runtime: Callable[..., Runtime], tmp_path: Path
) -> None:
    runtime = make_runtime(fhir_base_url=f"http://127.0.0.1:{free_port()}/fhir", http_retries=0,
                           http_timeout_s=2.0)
    secrets = ["Kari Nordmann", "patient-7f3c9", "token-s3cr3t", "Ola Hemmelig Halvorsen",
               "02888510128"]
    session = runtime.session
    session.begin()
    session.sign_in("patient-7f3c9", "Kari Nordmann", "token-s3cr3t")
    guide = next(g for g in runtime.guides if g.id == "proxy")
    runner = GuideRunner(guide, session, runtime.actions)  # signed in: starts at the questions
    runner.choose("give")
    runner.enter_text("Ola Hemmelig Halvorsen")
    runner.enter_text("02888510128")
    with pytest.raises(ServiceError) as failed:
        runner.perform()  # the health service does not answer
    assert session.answers, "the private answers are still in the session"

    loc = Localizer("nb")
    slip = finish_later_slip(
        loc, guide_title=loc.gettext(guide.title), problem=loc.gettext(failed.value.msgid),
        time=loc.when(runtime.clock.now()), portal_url=runtime.settings.portal_url or PORTAL,
    )
    device = tmp_path / "lp0"
    device.touch()
    EscPosPrinter(device).print_receipt(slip)
    data = device.read_bytes()
    (receipt,) = read_receipts(data)
    text = " ".join(receipt.text)
    assert loc.gettext(guide.title) in text and "Helsetjenesten svarer ikke" in text
    assert receipt.qr_codes[0].stored == PORTAL.encode()
    for secret in secrets:
        for word in secret.split():
            assert word not in text and word.encode() not in data, word
