"""GuideRunner over the bundled appointment guide and a small practice guide.

``Practice`` below is an in-memory stand-in for the *service boundary* (ActionPort): it keeps a
list of free slots and booked appointments and changes them like the real services would.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from kiosk.guides.loader import bundled_guides_dir, load_guide
from kiosk.guides.model import ActionResult, Guide, Option
from kiosk.guides.runner import (
    EXAMPLE,
    NOT_A_CHOICE,
    NOT_A_NUMBER,
    NOT_AN_OPTION,
    NOT_WHOLE,
    NUMBER_EMPTY,
    OUT_OF_RANGE,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    TOO_MANY_DECIMALS,
    TOO_SMALL,
    AnswerError,
    GuideRunner,
    WrongStep,
)
from kiosk.session import Session

DATA = Path(__file__).parent / "data"
MON = datetime(2025, 12, 1, 9, 0)
TUE = datetime(2025, 12, 2, 10, 15)
WED = datetime(2025, 12, 3, 13, 30)
TIMES = {"s1": MON, "s2": TUE, "s3": WED}


class Practice:
    """A GP office in memory: free slots, booked appointments, and a log of calls."""

    def __init__(self) -> None:
        self.free = dict(TIMES)
        self.booked: dict[str, str] = {}  # appointment id -> slot id
        self.calls: list[str] = []
        self.refuse = False

    def sources(self) -> frozenset[str]:
        return frozenset({"free_slots", "free_slots_for_move", "my_appointments"})

    def actions(self) -> frozenset[str]:
        return frozenset(
            {"book_appointment", "move_appointment", "cancel_appointment", "send_note"}
        )

    def options(self, source: str, session: Any) -> list[Option]:
        self.calls.append(source)
        if source in ("free_slots", "free_slots_for_move"):
            return [Option(id=k, start=v) for k, v in sorted(self.free.items())]
        return [Option(id=a, start=TIMES[s]) for a, s in sorted(self.booked.items())]

    def perform(self, action: str, session: Any) -> ActionResult:
        self.calls.append(action)
        if self.refuse:
            return ActionResult(ok=False, error="The GP office did not answer. Please try again.")
        answers = session.answers
        if action == "book_appointment":
            appointment = f"a{len(self.booked) + 1}"
            self.booked[appointment] = answers["slot"]
            del self.free[answers["slot"]]
            return ActionResult(ok=True, values={"reference": appointment, "count": 1})
        if action == "move_appointment":
            old = self.booked[answers["appointment"]]
            self.booked[answers["appointment"]] = answers["slot"]
            self.free[old] = TIMES[old]
            del self.free[answers["slot"]]
            return ActionResult(ok=True)
        if action == "cancel_appointment":
            slot = self.booked.pop(answers["appointment"])
            self.free[slot] = TIMES[slot]
            return ActionResult(ok=True)
        return ActionResult(ok=True)


@pytest.fixture
def guide() -> Guide:
    return load_guide(bundled_guides_dir() / "appointment.yaml")


@pytest.fixture
def practice_guide() -> Guide:
    return load_guide(DATA / "practice.yaml")


@pytest.fixture
def session() -> Session:
    return Session(default_language="en")


def sign_in(session: Session) -> None:
    session.sign_in("patient-1", "Kari Nordmann", "token-1")


def label(option: Option) -> str:
    return option.start.strftime("%A %d %B at %H:%M")


def prompt(runner: GuideRunner) -> str:
    return runner.step.prompt.format(**runner.values())


def test_book_an_appointment(guide: Guide, session: Session) -> None:
    port = Practice()
    runner = GuideRunner(guide, session, port)
    assert runner.step.id == "what"
    assert not runner.can_go_back
    runner.choose("book")
    assert runner.step.id == "signin_book"
    with pytest.raises(WrongStep):
        runner.signed_in()
    sign_in(session)
    runner.signed_in()
    assert runner.step.id == "book_mode"
    runner.choose("video")
    assert runner.step.id == "book_video_slot"
    tuesday = runner.options()[1]
    runner.pick(tuesday.id, label(tuesday))
    assert runner.step.id == "book_video_confirm"
    assert prompt(runner) == (
        "You are booking a video appointment on Tuesday 02 December at 10:15. Is that right?")
    runner.confirm(True)
    assert runner.step.kind == "action"
    result = runner.perform()
    assert result.ok
    assert runner.finished
    assert not runner.can_go_back
    assert prompt(runner) == "Your video appointment is booked for Tuesday 02 December at 10:15."
    assert port.booked == {"a1": "s2"}
    assert (session.answers["mode"], session.answers["slot"]) == ("video", "s2")
    # Values the service reports back are kept for the finish text, as text.
    assert runner.values()["reference"] == "a1"
    assert runner.values()["count"] == "1"
    assert runner.values()["name"] == "Kari Nordmann"


def test_move_an_appointment(guide: Guide, session: Session) -> None:
    port = Practice()
    port.booked = {"a7": "s1"}
    del port.free["s1"]
    runner = GuideRunner(guide, session, port)
    runner.choose("move")
    sign_in(session)
    runner.signed_in()
    assert runner.step.id == "move_which"
    [mine] = runner.options()
    runner.pick(mine.id, label(mine))
    assert runner.step.id == "move_slot"
    assert [o.id for o in runner.options()] == ["s2", "s3"]
    runner.pick("s3", "Wednesday at 13:30")
    assert prompt(runner) == (
        "You are moving your appointment from Monday 01 December at 09:00 to Wednesday at"
        " 13:30. Is that right?"
    )
    runner.confirm(True)
    assert runner.perform().ok
    assert runner.step.id == "move_done"
    assert port.booked == {"a7": "s3"}
    assert sorted(port.free) == ["s1", "s2"]


def test_cancel_an_appointment(guide: Guide, session: Session) -> None:
    port = Practice()
    port.booked = {"a7": "s1"}
    runner = GuideRunner(guide, session, port)
    runner.choose("cancel")
    sign_in(session)
    runner.signed_in()
    runner.pick("a7", "Monday 1 December at 09:00")
    assert prompt(runner) == (
        "You are cancelling your appointment on Monday 1 December at 09:00. Is that right?"
    )
    assert runner.step.private
    runner.confirm(True)
    runner.perform()
    assert runner.step.id == "cancel_done"
    assert port.booked == {}


def test_no_appointments_gives_an_empty_list_and_the_empty_message(
    guide: Guide, session: Session
) -> None:
    runner = GuideRunner(guide, session, Practice())
    runner.choose("cancel")
    sign_in(session)
    runner.signed_in()
    assert runner.options() == []
    assert runner.step.empty == "You have no appointments booked."


def test_confirm_no_goes_to_the_no_step_and_back_skips_signin(
    guide: Guide, session: Session
) -> None:
    runner = GuideRunner(guide, session, Practice())
    runner.choose("book")
    sign_in(session)
    runner.signed_in()
    runner.choose("office")
    runner.pick("s1", "Monday")
    runner.confirm(False)
    assert runner.step.id == "book_slot"
    # "No" leads to an earlier question, which is like going back: back() from there goes to
    # the question before it, not to the confirm step.
    runner.back()
    assert runner.step.id == "book_mode"
    runner.back()
    assert runner.step.id == "what"
    assert not runner.can_go_back
    with pytest.raises(WrongStep):
        runner.back()


def test_back_from_confirm_and_signin_is_not_asked_again(guide: Guide, session: Session) -> None:
    runner = GuideRunner(guide, session, Practice())
    runner.choose("book")
    sign_in(session)
    runner.signed_in()
    runner.choose("office")
    runner.pick("s1", "Monday")
    runner.back()
    assert runner.step.id == "book_slot"
    runner.back()
    assert runner.step.id == "book_mode"
    runner.back()
    assert runner.step.id == "what"
    # Already signed in: the sign-in step of another task is passed by itself.
    runner.choose("cancel")
    assert runner.step.id == "cancel_which"
    runner.back()
    assert runner.step.id == "what"


def test_back_from_a_failed_action_returns_to_the_confirm_step(
    guide: Guide, session: Session
) -> None:
    port = Practice()
    runner = GuideRunner(guide, session, port)
    runner.choose("book")
    sign_in(session)
    runner.signed_in()
    runner.choose("office")
    runner.pick("s2", "Tuesday")
    runner.confirm(True)
    port.refuse = True
    result = runner.perform()
    assert not result.ok
    assert result.error == "The GP office did not answer. Please try again."
    assert runner.step.id == "book_do"
    assert runner.can_go_back
    runner.back()
    assert runner.step.id == "book_confirm"


def test_options_are_asked_once_per_visit(guide: Guide, session: Session) -> None:
    port = Practice()
    runner = GuideRunner(guide, session, port)
    runner.choose("book")
    sign_in(session)
    runner.signed_in()
    runner.choose("office")
    runner.options()
    runner.options()
    assert port.calls == ["free_slots"]
    runner.pick("s1", "Monday")
    runner.back()
    runner.options()
    assert port.calls == ["free_slots", "free_slots"]


def test_wrong_choice_and_wrong_option(guide: Guide, session: Session) -> None:
    runner = GuideRunner(guide, session, Practice())
    with pytest.raises(AnswerError) as caught:
        runner.choose("buy")
    assert caught.value.msgid == NOT_A_CHOICE
    runner.choose("book")
    sign_in(session)
    runner.signed_in()
    runner.choose("office")
    with pytest.raises(AnswerError) as caught:
        runner.pick("gone", "Friday")
    assert caught.value.msgid == NOT_AN_OPTION
    assert runner.step.id == "book_slot"


def test_method_for_another_kind_of_step_is_refused(guide: Guide, session: Session) -> None:
    runner = GuideRunner(guide, session, Practice())
    with pytest.raises(WrongStep, match="'what' is a choice step, not a confirm step"):
        runner.confirm(True)


def test_a_new_runner_forgets_earlier_answers(guide: Guide, session: Session) -> None:
    session.remember("slot", "s9", "Sunday")
    GuideRunner(guide, session, Practice())
    assert session.answers == {}
    assert session.labels == {}
    assert session.guide_id == "appointment"


@pytest.mark.parametrize(
    ("lang", "typed", "value", "shown"),
    [("en", "72", 72, "72"), ("en", "72.5", 72.5, "72.5"), ("nb", "72,5", 72.5, "72,5"),
     ("nb", " 72,50 ", 72.5, "72,50"), ("ar", "٧٢٫٥", 72.5, "٧٢٫٥")],
)
def test_number_is_read_in_the_citizens_language_and_kept_as_typed(
    practice_guide: Guide, session: Session, lang: str, typed: str, value: float, shown: str
) -> None:
    session.prefs.language = lang
    runner = GuideRunner(practice_guide, session, Practice())
    runner.enter_number(typed)
    assert session.answers["weight"] == value
    assert runner.values()["weight"] == shown
    assert runner.step.id == "visits"


@pytest.mark.parametrize(
    ("typed", "msgid", "params"),
    [
        ("", NUMBER_EMPTY, {}),
        ("   ", NUMBER_EMPTY, {}),
        ("seventy", NOT_A_NUMBER, EXAMPLE),
        ("72.5.1", NOT_A_NUMBER, EXAMPLE),
        ("72,5", NOT_A_NUMBER, EXAMPLE),
        ("72.55", TOO_MANY_DECIMALS, {"decimals": 1}),
        ("300", OUT_OF_RANGE, {"minimum": 30, "maximum": 250, "unit": "kg"}),
        ("29.9", OUT_OF_RANGE, {"minimum": 30, "maximum": 250, "unit": "kg"}),
    ],
)
def test_number_is_checked(
    practice_guide: Guide, session: Session, typed: str, msgid: str, params: dict[str, Any]
) -> None:
    runner = GuideRunner(practice_guide, session, Practice())
    with pytest.raises(AnswerError) as caught:
        runner.enter_number(typed)
    assert (caught.value.msgid, caught.value.params) == (msgid, params)
    assert runner.step.id == "weight"
    assert "weight" not in session.answers


def test_range_message_reads_well(practice_guide: Guide, session: Session) -> None:
    runner = GuideRunner(practice_guide, session, Practice())
    with pytest.raises(AnswerError) as caught:
        runner.enter_number("251")
    assert str(caught.value) == "Please enter a number between 30 and 250 kg."


def test_whole_number_and_minimum_only(practice_guide: Guide, session: Session) -> None:
    runner = GuideRunner(practice_guide, session, Practice())
    runner.enter_number("80")
    with pytest.raises(AnswerError) as caught:
        runner.enter_number("2.5")
    assert caught.value.msgid == NOT_WHOLE
    with pytest.raises(AnswerError) as caught:
        runner.enter_number("-1")
    assert caught.value.msgid == TOO_SMALL
    assert str(caught.value) == "Please enter a number of at least 0 times."
    runner.enter_number("4")
    assert session.answers["visits"] == 4
    assert runner.step.id == "note"


def test_text_is_checked(practice_guide: Guide, session: Session) -> None:
    runner = GuideRunner(practice_guide, session, Practice())
    runner.enter_number("80")
    runner.enter_number("2")
    with pytest.raises(AnswerError) as caught:
        runner.enter_text("  \n ")
    assert caught.value.msgid == TEXT_EMPTY
    with pytest.raises(AnswerError) as caught:
        runner.enter_text("I am allergic to penicillin")
    assert caught.value.msgid == TEXT_TOO_LONG
    assert caught.value.params == {"max_length": 20, "length": 27}
    runner.enter_text("  Bad knee  ")
    assert session.answers["note"] == "Bad knee"
    assert runner.step.id == "send"


def test_a_masked_answer_is_kept_but_never_labelled(practice_guide: Guide,
                                                    session: Session) -> None:
    masked = msgspec.structs.replace(practice_guide.step("note"), masked=True)
    guide = dataclasses.replace(practice_guide, steps={**practice_guide.steps, "note": masked})
    runner = GuideRunner(guide, session, Practice())
    runner.enter_number("80")
    runner.enter_number("2")
    runner.enter_text("15837110073")
    assert session.answers["note"] == "15837110073"
    assert "note" not in session.labels and "15837110073" not in runner.values().values()


def test_failed_action_goes_to_on_error(practice_guide: Guide, session: Session) -> None:
    port = Practice()
    port.refuse = True
    runner = GuideRunner(practice_guide, session, port)
    runner.enter_number("80")
    runner.enter_number("2")
    runner.enter_text("Bad knee")
    assert not runner.perform().ok
    assert runner.step.id == "sorry"
    assert runner.finished


def test_finish_text_uses_answers_and_name(practice_guide: Guide, session: Session) -> None:
    sign_in(session)
    runner = GuideRunner(practice_guide, session, Practice())
    runner.enter_number("72.5")
    runner.enter_number("2")
    runner.enter_text("Bad knee")
    runner.perform()
    assert prompt(runner) == "You weigh 72.5 kg. Thank you, Kari Nordmann!"


def test_every_step_kind_has_its_answer_in_one_registry() -> None:
    from kiosk.guides.model import STEP_TYPES, FinishStep
    from kiosk.guides.runner import ANSWERS

    assert set(ANSWERS) == set(STEP_TYPES)
    for kind, answer in ANSWERS.items():
        if kind is FinishStep:
            assert answer.method is None
        else:
            assert callable(getattr(GuideRunner, str(answer.method)))
    assert {k.kind for k, a in ANSWERS.items() if a.question} == {
        "choice", "confirm", "slot", "list", "number", "text"}
