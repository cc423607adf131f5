"""The Session's sign-in rules: a renewed sign-in by the same person keeps what they were doing;
another person signing in gets nothing of the first one's; signing out keeps the answers."""

from __future__ import annotations

from kiosk.session import Session


def kari_mid_task() -> Session:
    session = Session("en")
    session.remember("what", "book", "Book a new appointment")
    assert session.sign_in("kari", "Kari", "first-token")
    session.act_for("emil", "Emil")
    session.remember("slot", "slot-1", "Monday at 10:00")
    session.fetched["book_slot"] = ["slot-1"]
    return session


def test_the_same_person_signing_in_again_keeps_answers_and_whom_they_act_for() -> None:
    session = kari_mid_task()
    assert session.sign_in("kari", "Kari", "second-token")
    assert session.access_token == "second-token"
    assert session.acting_for is not None and session.acting_for.patient_id == "emil"
    assert session.answers == {"what": "book", "slot": "slot-1"}


def test_someone_else_signing_in_gets_nothing_of_the_first_person() -> None:
    session = kari_mid_task()
    assert not session.sign_in("ola", "Ola", "ola-token")
    assert session.acting_for is None
    assert session.answers == {} and session.labels == {} and session.fetched == {}
    assert session.person is not None and session.person.patient_id == "ola"


def test_a_first_sign_in_keeps_the_answers_given_before_it() -> None:
    session = Session("en")
    session.remember("what", "book", "Book a new appointment")
    assert session.sign_in("kari", "Kari", "token")
    assert session.answers == {"what": "book"}


def test_sign_out_forgets_the_person_and_whom_they_acted_for() -> None:
    session = kari_mid_task()
    session.sign_out()
    assert session.person is None and session.access_token is None
    assert session.acting_for is None


def test_speech_rate_and_volume_go_in_steps_and_stop_at_the_ends() -> None:
    from kiosk.session import DEFAULT_RATE, RATES, Preferences
    from speech.synth import DEFAULT_RATE as VOICE_DEFAULT

    assert DEFAULT_RATE == VOICE_DEFAULT  # a new visit starts at the voice's own pace
    prefs = Preferences()
    assert len(RATES) >= 4
    assert [prefs.step_rate(faster=False) for _ in range(4)] == [140, 120, 120, 120]
    assert [prefs.step_rate(faster=True) for _ in range(5)] == [140, 160, 185, 210, 210]
    assert prefs.step_volume(louder=True) > 0.7
    assert [prefs.step_volume(louder=False) for _ in range(5)][-1] == 0.4
