"""One real espeak-ng synthesizer shared by the speech tests (starting espeak is per process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from speech.synth import Synthesizer


@pytest.fixture(scope="session")
def synth() -> Iterator[Synthesizer]:
    with Synthesizer() as synthesizer:
        yield synthesizer
