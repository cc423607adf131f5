"""End to end in a practice's real topology: the real `kiosk` command in tmux, told only the FHIR
base URL of a Medplum server (at /fhir/R4) that names oidc-provider, on another origin, as its
identity provider. The citizen signs in on their phone at the provider and books a time; the
Appointment and the busy Slot are then read back from Medplum with the citizen's own token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.terminal import KIOSK, Pane, kiosk_env
from tests.servers.two_origins import TwoOrigins

pytestmark = pytest.mark.e2e

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def pane(tmp_path: Path, two_origins: TwoOrigins) -> Iterator[Pane]:
    config = f'fhir_base_url = "{two_origins.fhir.fhir_base}"\n'
    command = [str(KIOSK), "run", "--no-speech", "--language", "en"]
    pane = Pane(command, kiosk_env(tmp_path, config), tmp_path / "tmux.sock")
    try:
        yield pane
    finally:
        pane.close()


def seed_office(origins: TwoOrigins) -> tuple[str, str]:
    """A patient and tomorrow's free times at their GP office: (patient id, first Slot id)."""
    patient = origins.create({"resourceType": "Patient",
                              "name": [{"family": "Topologi", "given": ["Siri"]}]})
    doctor = origins.create({"resourceType": "Practitioner",
                             "name": [{"family": "Lege", "given": ["Lise"]}]})
    schedule = origins.create({"resourceType": "Schedule",
                               "actor": [{"reference": f"Practitioner/{doctor['id']}"}]})
    tomorrow = (datetime.now(OSLO) + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                                  microsecond=0)
    slots = [origins.create({
        "resourceType": "Slot", "schedule": {"reference": f"Schedule/{schedule['id']}"},
        "status": "free", "start": (tomorrow + timedelta(minutes=20 * n)).isoformat(),
        "end": (tomorrow + timedelta(minutes=20 * (n + 1))).isoformat(),
    }) for n in range(3)]
    return str(patient["id"]), str(slots[0]["id"])


def test_book_at_a_practice_whose_identity_provider_is_elsewhere(
        pane: Pane, two_origins: TwoOrigins) -> None:
    patient_id, first_slot = seed_office(two_origins)
    pane.wait_for(r"Welcome to the health kiosk")
    pane.send("Enter")
    pane.wait_for(r"Choose your language")
    pane.send("2")
    pane.wait_for(r"What do you want to do\?")
    pane.send("1")
    pane.wait_for(r"1  Book a new appointment")
    pane.send("1")

    pane.wait_for(r"Sign in with your phone")
    issuer = two_origins.oidc.base_url.replace(".", r"\.")
    page = pane.wait_for(rf"Or open ({issuer}/device) on your phone").group(1)
    code = pane.wait_for(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b").group(1)
    two_origins.oidc.approve(f"{page}?user_code={code}", login=patient_id)
    pane.wait_for(r"How do you want to meet the doctor\?", timeout_s=40)
    pane.send("1")  # at the GP office

    first_time = pane.wait_for(r"1  (\w+ \d{1,2} \w+ at 09:00)", timeout_s=40).group(1)
    pane.send("1")
    pane.wait_for(r"at the GP office on (.+)\. Is that right\?")
    pane.send("1")  # Yes
    booked = pane.wait_for(r"at the GP office is booked for (.+)\.", timeout_s=40).group(1)
    assert booked == first_time

    token = two_origins.citizen_token(patient_id)
    found = two_origins.read(f"Appointment?patient=Patient/{patient_id}", token)
    [appointment] = [e["resource"] for e in found["entry"]]
    assert appointment["status"] == "booked"
    assert appointment["slot"] == [{"reference": f"Slot/{first_slot}"}]
    slot = two_origins.read(f"Slot/{first_slot}", token)
    assert slot["status"] == "busy"
    assert appointment["start"] == slot["start"]

    pane.send("1")  # Done
    pane.wait_for(r"Welcome to the health kiosk")
