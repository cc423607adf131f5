"""What a citizen may say on the current view: its offers and the global commands, as phrases
in the view's language, each mapped to what it does.

Built from the same offers the view draws (kiosk.offers), so the recognizer listens for
exactly what the screen offers: each offer's label and voice words (a free time's are its
time as said aloud), "number N" (or N alone) for a numbered tile (in words, as the language
says it, and in digits), a number question's values, and the commands every screen shares
(help, repeat, back, stop, slower, faster, louder, softer, end). A phrase that would mean two
different things on the same screen is left out: an ambiguous command must not act. No Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from babel.dates import format_datetime
from num2words import num2words

from kiosk.offers import Offer, numbered
from speech.recognizer import normalise
from translations.catalog import KIOSK_TZ, N_, Localizer

GLOBAL_COMMANDS: dict[str, tuple[str, ...]] = {
    "help": (N_("help"), N_("staff")),
    "repeat": (N_("repeat"),),
    "back": (N_("back"),),
    "stop": (N_("stop"),),
    "slower": (N_("slower"),),
    "faster": (N_("faster"),),
    "louder": (N_("louder"),),
    "softer": (N_("softer"),),
    "end": (N_("end"),),
}
"""Command name -> the msgids of the words that say it."""

NUMBER_PHRASE = N_("number {number}")

# num2words knows Norwegian as "no"; both written forms say numbers the same way.
_NUM2WORDS_LANG = {"nb": "no", "nn": "no"}


def number_words(number: int | Decimal, lang: str) -> str:
    """A number as the language says it ("three", "seventy-two point five", "tre"); digits
    where the language has no number words."""
    try:
        return str(num2words(number, lang=_NUM2WORDS_LANG.get(lang, lang)))
    except (NotImplementedError, OverflowError):
        return str(number)


MAX_SPOKEN_VALUES = 5000
"""A number question's values are listened for one by one; beyond this many (a range too wide
for its decimals) it is answered by typing."""


def number_values(minimum: float, maximum: float, decimals: int, lang: str) -> dict[str, str]:
    """Every value a number question accepts, as said aloud -> as typed ("72.5")."""
    step = Decimal(1).scaleb(-min(decimals, 1))
    low, high = Decimal(str(minimum)), Decimal(str(maximum))
    if (high - low) / step > MAX_SPOKEN_VALUES:
        return {}
    values: dict[str, str] = {}
    value = low.quantize(step)
    while value <= high:
        whole = value == value.to_integral_value()
        typed = str(int(value)) if whole else str(value)
        values[number_words(int(value) if whole else value, lang)] = typed
        value += step
    return values


SPOKEN_HOUR = N_("{hour} o'clock")
SPOKEN_TIME = N_("{hour} {minute}")
"""How a time is said aloud, in number words: "ten o'clock", "ten thirty"."""


def spoken_times(when: datetime, l10n: Localizer) -> tuple[str, ...]:
    """A time as people say it, alone and after its weekday ("ten thirty", "tuesday ten
    thirty"), on the 24-hour clock and, in the afternoon, the 12-hour one. Two slots at the same
    time on different days make the time alone ambiguous; the grammar then keeps the weekday."""
    local = when.astimezone(KIOSK_TZ) if when.tzinfo is not None else when
    hours = dict.fromkeys([local.hour, (local.hour - 1) % 12 + 1])
    said = []
    for hour in hours:
        words = number_words(hour, l10n.lang)
        said.append(l10n.format(SPOKEN_HOUR, hour=words) if local.minute == 0 else
                    l10n.format(SPOKEN_TIME, hour=words,
                                minute=number_words(local.minute, l10n.lang)))
    weekday = format_datetime(local, "EEEE", locale=l10n.lang)
    return (*said, *(f"{weekday} {time}" for time in said))


@dataclass(frozen=True)
class Target:
    """What a phrase does: take an offer of the view, or run a global command."""

    kind: Literal["offer", "command", "value"]
    name: str
    """The offer's id, the command's name, or the value to enter (a number question)."""


@dataclass
class Grammar:
    """The phrases of one view in one language."""

    lang: str
    targets: dict[str, Target] = field(default_factory=dict)
    fillers: tuple[str, ...] = ()

    @property
    def phrases(self) -> list[str]:
        return list(self.targets)

    def only(self, *commands: str) -> Grammar:
        """The same grammar narrowed to some global commands (e.g. only "stop" while the kiosk
        speaks)."""
        kept = {p: t for p, t in self.targets.items()
                if t.kind == "command" and t.name in commands}
        return Grammar(self.lang, kept, self.fillers)


def grammar(offers: Iterable[Offer], l10n: Localizer,
            values: Mapping[str, str] | None = None) -> Grammar:
    """Every phrase that answers something on a view with these offers (and, for a question
    answered with a value, these spoken values -> typed values)."""
    found: dict[str, set[Target]] = {}

    def add(phrase: str, target: Target) -> None:
        said = normalise(phrase)
        if said:
            found.setdefault(said, set()).add(target)

    for offer in offers:
        target = Target("offer", offer.id)
        for phrase in (offer.label, *offer.voice):
            add(phrase, target)
        if offer.key is not None:
            # "number three", and as a recognizer may write it ("number 3"), and the number
            # alone: what is said to a screen that shows numbered tiles.
            for number in (number_words(offer.key, l10n.lang), str(offer.key)):
                add(l10n.format(NUMBER_PHRASE, number=number), target)
                add(number, target)
    for phrase, value in (values or {}).items():
        add(phrase, Target("value", value))
    for command, msgids in GLOBAL_COMMANDS.items():
        for msgid in msgids:
            add(l10n.gettext(msgid), Target("command", command))
    targets = {phrase: next(iter(said)) for phrase, said in found.items() if len(said) == 1}
    fillers = tuple(word for word in (normalise(w) for w in l10n.language.filler_words)
                    if word and word not in targets)
    return Grammar(l10n.lang, targets, fillers)


def everyday_phrases(l10n: Localizer) -> list[str]:
    """What a citizen says on almost every screen in l10n's language: the global commands, yes
    and no, and "number one" to "number nine" (in words and in digits)."""
    offers = numbered([Offer("yes", l10n.gettext("Yes")), Offer("no", l10n.gettext("No")),
                       *(Offer(f"tile-{n}", "") for n in range(3, 10))])
    return list(grammar(offers, l10n).phrases)
