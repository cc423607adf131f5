"""Idle policy driven by a manual clock: warning, extension limit, expiry."""

from __future__ import annotations

import pytest

from kiosk.clock import ManualClock
from kiosk.idle import IdlePolicy


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_active_until_warning_time(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    clock.advance(89)
    assert policy.state().phase == "active"
    clock.advance(1)
    state = policy.state()
    assert state.phase == "warning"
    assert state.seconds_left == 30
    assert state.extensions_left == 10


def test_seconds_left_rounds_up(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    clock.advance(100.5)
    assert policy.state().seconds_left == 20


def test_touch_restarts_the_count(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    clock.advance(100)
    policy.touch()
    clock.advance(89)
    assert policy.state().phase == "active"


def test_expires_at_timeout(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    clock.advance(119.9)
    assert policy.state().phase == "warning"
    clock.advance(0.1)
    assert policy.state().phase == "expired"


def test_extend_only_during_warning(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    assert policy.extend() is False
    assert policy.extensions_used == 0


def test_extensions_are_limited_then_the_warning_says_so(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    for used in range(10):
        clock.advance(95)
        state = policy.state()
        assert state.phase == "warning"
        assert state.extensions_left == 10 - used
        assert state.can_extend
        assert policy.extend() is True
        assert policy.state().phase == "active"
    clock.advance(95)
    final = policy.state()
    assert final.phase == "warning"
    assert final.extensions_left == 0
    assert not final.can_extend
    assert policy.extend() is False
    clock.advance(25)
    assert policy.state().phase == "expired"


def test_reset_gives_a_new_citizen_all_extensions(clock: ManualClock) -> None:
    policy = IdlePolicy(clock, timeout_s=120, warning_s=30, max_extensions=10)
    clock.advance(95)
    policy.extend()
    policy.reset()
    assert policy.extensions_used == 0
    assert policy.extensions_left == 10


def test_warning_must_be_shorter_than_timeout(clock: ManualClock) -> None:
    with pytest.raises(ValueError):
        IdlePolicy(clock, timeout_s=30, warning_s=30, max_extensions=10)
