"""What the helper panel may show, on the bundled proxy guide: its own non-private answers,
never a private or masked one (not even inside a step's text), nothing of a sign-in, and the
step's hint for staff."""

from __future__ import annotations

import msgspec

from helper_mode.panel import HIDDEN, PRIVATE_NOTE, SIGN_IN_NOTE, StaffView, staff_view
from kiosk.guides.loader import bundled_guides_dir, load_guide

PROXY = load_guide(bundled_guides_dir() / "proxy.yaml")
LABELS = {"what": "Give a relative a proxy", "relative": "Ola Nordmann",
          "relative_id": "02888510128", "proxy_id": "RelatedPerson/42"}


def test_only_the_guides_own_shown_answers_pass() -> None:
    view = staff_view(PROXY, PROXY.step("scope"), LABELS)
    assert view.answers == ("Give a relative a proxy",)
    assert view.note == PRIVATE_NOTE and view.step == ""


def test_a_shown_steps_text_never_carries_a_private_answer() -> None:
    step = PROXY.step("what")
    view = staff_view(PROXY, step, LABELS)
    assert view.step == "What do you want to do?"
    assert view.hint == step.staff_hint
    assert view.hint.startswith("A proxy lets a relative")
    naming = msgspec.structs.replace(step, prompt="Check {relative} and {what}")
    faked = staff_view(PROXY, naming, LABELS)
    assert faked.values == {"relative": HIDDEN, "what": "Give a relative a proxy"}


def test_sign_in_shows_nothing_but_the_note() -> None:
    assert staff_view(PROXY, PROXY.step("signin"), LABELS) == StaffView(
        title=PROXY.title, note=SIGN_IN_NOTE)
    assert staff_view(PROXY, PROXY.step("what"), LABELS, signing_in=True) == StaffView(
        title=PROXY.title, note=SIGN_IN_NOTE)


def test_outside_a_task_there_is_nothing() -> None:
    assert staff_view(None, None, LABELS) == StaffView()
