"""The national ID number check: length, digits, both mod-11 check digits, D-numbers, and the
century the individual number gives. The numbers here were worked out by hand from the rules,
not produced by the code under test."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.services.health.national_id import (
    NOT_DIGITS,
    NOT_VALID,
    WRONG_LENGTH,
    NationalIdError,
    parse,
)


@pytest.mark.parametrize(
    ("number", "born", "d_number"),
    [
        ("01017512338", date(1975, 1, 1), False),   # individual 123: 1900s
        ("31129949980", date(1999, 12, 31), False),  # 499 is the last of 1900-1999 for all
        ("01010000110", date(1900, 1, 1), False),
        ("12037550025", date(1875, 3, 12), False),   # 500-749 with 54-99: 1854-1899
        ("15036060082", date(1860, 3, 15), False),
        ("01010850181", date(2008, 1, 1), False),    # 500-999 with 00-39: 2000-2039
        ("29020050088", date(2000, 2, 29), False),   # 2000 is a leap year
        ("01015090045", date(1950, 1, 1), False),    # 900-999 with 40-99: 1940-1999
        ("31126895049", date(1968, 12, 31), False),
        ("41017512321", date(1975, 1, 1), True),     # D-number: 4 added to the day's first digit
        ("45129900443", date(1999, 12, 5), True),
        ("15837110073", date(1971, 3, 15), False),   # synthetic test numbers: month + 80
        ("04891350037", date(2013, 9, 4), False),
    ],
)
def test_valid_numbers_give_the_birth_date(number: str, born: date, d_number: bool) -> None:
    found = parse(number)
    assert (found.value, found.birth_date, found.d_number) == (number, born, d_number)


def test_spaces_are_allowed_anywhere() -> None:
    assert parse(" 010175 123 38 ").value == "01017512338"


@pytest.mark.parametrize(
    ("typed", "msgid", "params"),
    [
        ("0101751233", WRONG_LENGTH, {"count": 10}),
        ("010175123381", WRONG_LENGTH, {"count": 12}),
        ("010175-12338", NOT_DIGITS, {}),
        ("O1017512338", NOT_DIGITS, {}),
        ("０１０１７５１２３３８", NOT_DIGITS, {}),   # full-width digits are not ASCII digits
        ("", NOT_DIGITS, {}),
    ],
)
def test_what_is_wrong_with_the_form_is_said(typed: str, msgid: str,
                                             params: dict[str, int]) -> None:
    with pytest.raises(NationalIdError) as caught:
        parse(typed)
    assert (caught.value.msgid, caught.value.params) == (msgid, params)


@pytest.mark.parametrize(
    "number",
    [
        "01017512339",  # second check digit wrong
        "01017512348",  # first check digit wrong
        "10017512338",  # two digits swapped: the check digits catch it
        "01017511200",  # the first check digit would be 10: no such number
        "01017510670",  # the second check digit would be 10: no such number
        "29029950170",  # 1899 had no 29 February
        "29020150260",  # nor had 2001
        "15036080008",  # 750-899 is never used with a year from 40 to 99
        "15039076052",
        "00017512560",  # day 0
        "01137512366",  # month 13
    ],
)
def test_a_number_that_cannot_exist_is_not_valid(number: str) -> None:
    with pytest.raises(NationalIdError) as caught:
        parse(number)
    assert caught.value.msgid == NOT_VALID


def test_the_message_has_the_count_filled_in() -> None:
    with pytest.raises(NationalIdError, match="You typed 3"):
        parse("123")
