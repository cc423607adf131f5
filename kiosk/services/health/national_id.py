"""The Norwegian national identity number (fødselsnummer, D-number): check it, read the birth
date from it.

Eleven digits ``DDMMYY III K1 K2``: birth date, an individual number whose range gives the
century, and two mod-11 check digits. A D-number (given to people without a fødselsnummer)
adds 4 to the first digit of the day. Synthetic test numbers (the Norwegian Tax
Administration's test register) add 8 to the first digit of the month; they are accepted
because the practice service's fictional people have them, and a real health service knows no
one by such a number. Pure functions, no I/O; an ``NationalIdError`` carries a msgid saying
what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from translations.catalog import N_

NOT_DIGITS = N_("Please use digits only. A national ID number has 11 digits.")
WRONG_LENGTH = N_("A national ID number has 11 digits. You typed {count}.")
NOT_VALID = N_(
    "This is not a valid national ID number. Please check each digit and type it again."
)

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
D_NUMBER_DAY = 40
SYNTHETIC_MONTH = 80


class NationalIdError(ValueError):
    """The number cannot be used; ``msgid`` (with ``params``) says how to fix it."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class NationalId:
    value: str
    """The eleven digits, without spaces."""
    birth_date: date
    d_number: bool


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for ``digits``; None when the remainder leaves none (10)."""
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    digit = 0 if rest == 0 else 11 - rest
    return None if digit == 10 else digit


def century(year: int, individual: int) -> int | None:
    """The century the individual number gives a two-digit birth year; None: no such number."""
    if individual <= 499:
        return 1900
    if individual <= 749 and year >= 54:
        return 1800
    if year <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def parse(text: str) -> NationalId:
    """The number typed (spaces allowed), checked; NationalIdError saying what is wrong."""
    digits = "".join(text.split())
    if not digits.isascii() or not digits.isdigit():
        raise NationalIdError(NOT_DIGITS)
    if len(digits) != 11:
        raise NationalIdError(WRONG_LENGTH, count=len(digits))
    if (check_digit(digits[:9], _K1_WEIGHTS) != int(digits[9])
            or check_digit(digits[:10], _K2_WEIGHTS) != int(digits[10])):
        raise NationalIdError(NOT_VALID)
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    d_number = day > D_NUMBER_DAY
    if d_number:
        day -= D_NUMBER_DAY
    if month > SYNTHETIC_MONTH:
        month -= SYNTHETIC_MONTH
    start = century(year, int(digits[6:9]))
    if start is None:
        raise NationalIdError(NOT_VALID)
    try:
        born = date(start + year, month, day)
    except ValueError:
        raise NationalIdError(NOT_VALID) from None
    return NationalId(digits, born, d_number)
