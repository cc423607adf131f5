"""End of speech from per-block speech verdicts: when an utterance starts, ends and times out."""

from __future__ import annotations

import pytest

from speech.endpoint import EndpointState, UtteranceSegmenter

WAITING, SPEAKING = EndpointState.WAITING, EndpointState.SPEAKING
ENDED, TIMED_OUT = EndpointState.ENDED, EndpointState.TIMED_OUT


def feed(segmenter: UtteranceSegmenter, pattern: str, seconds: float = 0.1) -> list[str]:
    """Feed one block per character ("S" speech, "." silence); the state after each block."""
    return [segmenter.process(char == "S", seconds) for char in pattern]


def blocks(pattern: str) -> str:
    """"3S7." is three speech blocks then seven silent ones."""
    out, count = [], ""
    for char in pattern:
        if char.isdigit():
            count += char
        else:
            out.append(char * int(count or "1"))
            count = ""
    return "".join(out)


def test_silence_alone_keeps_waiting() -> None:
    segmenter = UtteranceSegmenter()
    assert set(feed(segmenter, blocks("50."))) == {WAITING}
    assert not segmenter.started and not segmenter.done


def test_speech_starts_after_0_3_s() -> None:
    segmenter = UtteranceSegmenter()
    assert feed(segmenter, blocks("5.3S")) == [WAITING] * 7 + [SPEAKING]
    assert segmenter.started


def test_a_0_2_s_blip_does_not_start_and_is_forgotten() -> None:
    segmenter = UtteranceSegmenter()
    # Two blips of 0.2 s with a silent block between: 0.4 s of speech, but not consecutive.
    assert set(feed(segmenter, blocks("2S.2S5."))) == {WAITING}
    assert not segmenter.started
    # And the blip does not count towards the next real start.
    assert feed(segmenter, blocks("2S.3S"))[-1] == SPEAKING
    assert feed(UtteranceSegmenter(), blocks("2S.2S"))[-1] == WAITING


def test_0_7_s_of_silence_ends_the_utterance() -> None:
    segmenter = UtteranceSegmenter()
    states = feed(segmenter, blocks("3S10S7."))
    assert states[-2] == SPEAKING
    assert states[-1] == ENDED
    assert segmenter.done and segmenter.started


def test_0_6_s_of_silence_does_not_end_it_and_speech_restarts_the_count() -> None:
    segmenter = UtteranceSegmenter()
    assert set(feed(segmenter, blocks("5S6.S6.S6.S"))[4:]) == {SPEAKING}
    assert feed(segmenter, blocks("6."))[-1] == SPEAKING
    assert feed(segmenter, ".") == [ENDED]


def test_the_state_stays_ended_until_reset() -> None:
    segmenter = UtteranceSegmenter()
    feed(segmenter, blocks("3S7."))
    assert set(feed(segmenter, blocks("20S20."))) == {ENDED}
    segmenter.reset()
    assert segmenter.state == WAITING and not segmenter.started and segmenter.elapsed_s == 0
    assert feed(segmenter, blocks("2S")) == [WAITING, WAITING]
    assert feed(segmenter, blocks("S7.")) == [SPEAKING] + [SPEAKING] * 6 + [ENDED]


def test_nothing_said_times_out_at_15_s() -> None:
    segmenter = UtteranceSegmenter()
    states = feed(segmenter, "." * 150)
    assert states[148] == WAITING
    assert states[149] == TIMED_OUT
    assert not segmenter.started
    assert segmenter.elapsed_s == pytest.approx(15.0)


def test_endless_speech_times_out_at_15_s_since_the_first_block() -> None:
    segmenter = UtteranceSegmenter()
    states = feed(segmenter, blocks("20.130S"))
    assert states[-2] == SPEAKING
    assert states[-1] == TIMED_OUT
    assert segmenter.started
    assert feed(segmenter, ".......") == [TIMED_OUT] * 7


def test_a_pause_completing_on_the_last_block_is_an_ended_utterance() -> None:
    segmenter = UtteranceSegmenter()
    assert feed(segmenter, blocks("143S7."))[-1] == ENDED


def test_reset_gives_a_fresh_time_limit() -> None:
    segmenter = UtteranceSegmenter()
    feed(segmenter, "." * 149)
    segmenter.reset()
    assert set(feed(segmenter, "." * 149)) == {WAITING}
    assert feed(segmenter, ".") == [TIMED_OUT]


@pytest.mark.parametrize("seconds", [0.01, 0.02, 0.03, 0.05, 0.25])
def test_blocks_of_other_durations_keep_the_same_times(seconds: float) -> None:
    # Start, pause and time-out fall on the first block that reaches each threshold.
    start = -(-30 // round(seconds * 100))
    end = -(-70 // round(seconds * 100))
    segmenter = UtteranceSegmenter()
    states = feed(segmenter, "S" * start, seconds)
    assert states[-1] == SPEAKING and set(states[:-1]) <= {WAITING}
    states = feed(segmenter, "." * end, seconds)
    assert states[-1] == ENDED and set(states[:-1]) <= {SPEAKING}
    assert segmenter.elapsed_s == pytest.approx((start + end) * seconds)


def test_a_one_second_block_can_start_and_end_at_once() -> None:
    segmenter = UtteranceSegmenter()
    assert segmenter.process(True, 1.0) == SPEAKING
    assert segmenter.process(False, 1.0) == ENDED


def test_thresholds_are_parameters() -> None:
    segmenter = UtteranceSegmenter(speech_s=0.5, silence_s=1.25, timeout_s=3.0)
    assert feed(segmenter, blocks("4S"))[-1] == WAITING
    assert feed(segmenter, "S") == [SPEAKING]
    assert feed(segmenter, blocks("12."))[-1] == SPEAKING
    assert feed(segmenter, ".") == [ENDED]
    segmenter.reset()
    assert feed(segmenter, blocks("30S"))[-1] == TIMED_OUT


def test_states_compare_as_plain_strings() -> None:
    segmenter = UtteranceSegmenter()
    assert segmenter.process(False) == "waiting"
    assert {state.value for state in EndpointState} == {
        "waiting", "speaking", "ended", "timed_out"}


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan"), float("inf")])
def test_nonsense_durations_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="positive number of seconds"):
        UtteranceSegmenter(silence_s=bad)
    with pytest.raises(ValueError, match="block's duration"):
        UtteranceSegmenter().process(True, bad)
