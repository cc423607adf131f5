"""List steps (read, then go on) and actions whose submission may only be queued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.guides.loader import load_guide
from kiosk.guides.model import ActionResult, Guide, Option
from kiosk.guides.runner import GuideRunner, WrongStep
from kiosk.guides.schema import GuideErrors
from kiosk.session import Session

DATA = Path(__file__).parent / "data"


class Vaccines:
    """The service boundary in memory: two vaccines, and a note that is sent or queued."""

    def __init__(self, *, connected: bool) -> None:
        self.connected = connected
        self.calls: list[str] = []

    def sources(self) -> frozenset[str]:
        return frozenset({"my_vaccines"})

    def actions(self) -> frozenset[str]:
        return frozenset({"send_note"})

    def options(self, source: str, session: Any) -> list[Option]:
        self.calls.append(source)
        return [Option(id="i1", label="Influenza"), Option(id="i2", label="Measles")]

    def perform(self, action: str, session: Any) -> ActionResult:
        self.calls.append(action)
        return ActionResult(ok=True, queued=not self.connected)


@pytest.fixture
def guide() -> Guide:
    return load_guide(DATA / "listing.yaml", known_sources={"my_vaccines"},
                      known_actions={"send_note"})


@pytest.mark.parametrize(("connected", "finish"), [(True, "sent"), (False, "saved")])
def test_list_then_an_honest_finish(guide: Guide, connected: bool, finish: str) -> None:
    port = Vaccines(connected=connected)
    runner = GuideRunner(guide, Session(default_language="en"), port)
    assert [o.label for o in runner.options()] == ["Influenza", "Measles"]
    runner.seen()
    assert runner.step.kind == "action"
    assert runner.perform().ok
    assert runner.step.id == finish
    assert port.calls == ["my_vaccines", "send_note"]


def test_a_list_step_is_only_read(guide: Guide) -> None:
    runner = GuideRunner(guide, Session(default_language="en"), Vaccines(connected=True))
    with pytest.raises(WrongStep):
        runner.pick("i1", "Influenza")
    runner.seen()
    with pytest.raises(WrongStep):
        runner.seen()


def test_queued_must_name_a_step(tmp_path: Path) -> None:
    text = (DATA / "listing.yaml").read_text(encoding="utf-8").replace("queued: saved",
                                                                        "queued: nowhere")
    broken = tmp_path / "listing.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(GuideErrors, match=r"listing\.yaml:19: field 'steps.send.queued'"):
        load_guide(broken)
