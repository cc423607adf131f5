"""Snapping a free transcript (Whisper's) to one of the current screen's commands, or to none.

Whisper writes whatever it thinks it heard, in any words; the kiosk may act only on a command.
As wyoming-vosk's "corrected" mode does, the transcript is compared with every allowed phrase by
``rapidfuzz`` and the best one is taken only above a score cutoff. Three choices keep false
actions out, at the price of sometimes asking the citizen to repeat:

- The scorer is ``fuzz.ratio`` (similarity of the whole strings), not ``WRatio`` or
  ``partial_ratio``: those score a command that merely occurs inside a longer sentence as a near
  match ("no" in "I would like to know more" scores 90), which would turn chatter into actions.
- Two different phrases scoring within ``AMBIGUITY_MARGIN`` of each other means the transcript
  is between them ("an appointment" between "book ..." and "cancel an appointment"): no command.
- Filler words (common words that are no command) compete like commands; a transcript closest to
  a filler is not a command.

Digits are not spelled out here ("number 3" is not "number three"): that would need number words
for every language. The Whisper engine keeps digits out of its transcripts instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from speech.recognizer import normalise

DEFAULT_CUTOFF = 82.0
"""Lowest ``fuzz.ratio`` (0-100) that counts as a command. Measured on espeak-ng speech: one
wrong letter in a short word must not pass ("now" vs "no" scores 80), while a wrong vowel in a
longer phrase may ("bestill team" vs "bestill time" scores 83)."""

AMBIGUITY_MARGIN = 6.0
"""The best phrase must beat the runner-up by at least this many points."""


def match_command(
    transcript: str,
    commands: Sequence[str],
    *,
    cutoff: float = DEFAULT_CUTOFF,
    fillers: Sequence[str] = (),
) -> str | None:
    """The command (as given in ``commands``) that transcript confidently is, else None."""
    said = normalise(transcript)
    if not said:
        return None
    phrases: dict[str, str | None] = {normalise(filler): None for filler in fillers}
    for command in commands:
        key = normalise(command)
        # A command wins over a filler spelled the same (as in CommandSet.of); of two commands
        # that normalise alike, the first one given is the one returned.
        if phrases.get(key) is None:
            phrases[key] = command
    phrases.pop("", None)
    if not any(phrases.values()):
        return None
    best = process.extract(said, list(phrases), scorer=fuzz.ratio, limit=2)
    phrase, score, _ = best[0]
    if score < cutoff:
        return None
    if len(best) > 1 and score - best[1][1] < AMBIGUITY_MARGIN:
        return None
    return phrases[phrase]
