"""Printed slips: what goes on paper, with nothing on it about the citizen.

A slip is left behind at the printer as often as it is taken home, so it may only hold what
anyone may read: which task it was, what went wrong, when, and how to go on. The builders take
exactly those texts and nothing else; they never see the Session, answers, names or ids.
``hardware.printer`` prints a ``Slip`` (it is a ``Receipt``).
"""

from __future__ import annotations

from dataclasses import dataclass

from translations.catalog import N_, Localizer

FINISH_LATER_TITLE = N_("To finish later")
TASK_LINE = N_("You were doing: {task}")
PROBLEM_LINE = N_("What happened: {problem}")
TIME_LINE = N_("Time: {time}")
NEXT_STEP_WITH_CODE = N_(
    "Come back to the kiosk, or open the health portal on your phone with this code."
)
NEXT_STEP_KIOSK = N_("Come back to the kiosk to finish.")
NOTHING_ABOUT_YOU = N_("Nothing about you is printed on this slip.")
CONTINUE_ON_PHONE = N_("Continue on my phone")
CARD_TITLE = N_("Your settings card")
CARD_HOW = N_("Scan this code at any Helselos kiosk to use your settings again: language, "
              "speech, text size and time. It holds nothing else.")


@dataclass(frozen=True)
class Slip:
    """A heading, paragraphs of text and an optional QR code payload, all already translated."""

    title: str
    lines: tuple[str, ...]
    qr: str | None = None


def finish_later_slip(
    loc: Localizer, *, guide_title: str, problem: str, time: str, portal_url: str | None
) -> Slip:
    """The slip a citizen takes when a health service fails in the middle of a task.

    ``guide_title`` and ``problem`` are already translated (the guide's title and the error's
    msgid), ``time`` is formatted by the caller (e.g. ``loc.when(now)``), and ``portal_url`` is
    the configured health portal; without one the slip has no code and says to come back.
    """
    lines = [
        loc.format(TASK_LINE, task=guide_title),
        loc.format(PROBLEM_LINE, problem=problem),
        loc.format(TIME_LINE, time=time),
        loc.gettext(NOTHING_ABOUT_YOU),
    ]
    # The address is printed too, under the words that lead to the code printed below it.
    if portal_url:
        lines += [loc.gettext(NEXT_STEP_WITH_CODE), portal_url]
    else:
        lines.append(loc.gettext(NEXT_STEP_KIOSK))
    return Slip(title=loc.gettext(FINISH_LATER_TITLE), lines=tuple(lines), qr=portal_url or None)


def settings_card_slip(loc: Localizer, code: str) -> Slip:
    """The portable preference card: the code (kiosk.prefcard) and what it is for."""
    return Slip(title=loc.gettext(CARD_TITLE), lines=(loc.gettext(CARD_HOW),), qr=code)


def handoff_slip(loc: Localizer, *, guide_title: str, link: str) -> Slip:
    """The task handed over to the citizen's phone on paper: which task, and the portal's own
    page for it (kiosk.handoff) as a code and as an address; nothing about the citizen."""
    lines = (loc.format(TASK_LINE, task=guide_title), loc.gettext(NOTHING_ABOUT_YOU),
             loc.gettext(NEXT_STEP_WITH_CODE), link)
    return Slip(title=loc.gettext(CONTINUE_ON_PHONE), lines=lines, qr=link)


def spoken(slip: Slip) -> str:
    """What a printed slip says, read aloud after it comes out: every slip is also spoken, for a
    citizen who cannot read it (its code is for a phone, and is not read out)."""
    return "\n".join((slip.title, *slip.lines))
