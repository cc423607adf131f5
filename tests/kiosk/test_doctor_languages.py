"""`kiosk doctor`'s languages table: a row per registered language, from the same list the
language screen shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from kiosk.config import Settings
from kiosk.doctor import OK, WARN
from kiosk.doctor_languages import check_languages, language_row
from translations.abilities import Abilities
from translations.languages import LANGUAGES, get_language
from translations.review import Review


def test_a_row_per_language_with_what_it_can_do(tmp_path: Path) -> None:
    rows = check_languages(Settings(state_dir=tmp_path, voice_input="off"))
    assert [row.name for row in rows] == [f"language {code}" for code in LANGUAGES]
    # Every catalog is drafted: each row says so, as a warning.
    assert {row.status for row in rows} == {WARN}
    arabic = next(row for row in rows if row.name == "language ar")
    assert re.fullmatch(r"العربية \(Arabic\), rtl; text drafted; (spoken|no voice: text only); "
                        r"no speech model; no MT", arabic.detail)


def test_a_reviewed_language_with_pairs() -> None:
    nynorsk = get_language("nn")
    reviewed = Review("reviewed", "Aslak Somby", dt.date(2027, 1, 15))
    row = language_row(Abilities(
        language=dataclasses.replace(nynorsk, review=reviewed),
        spoken=False, listens=True, mt_pairs=(("nb", "en"), ("en", "nn"))))
    assert row.status == OK
    assert row.detail == ("Norsk nynorsk (Norwegian Nynorsk), ltr; text reviewed by Aslak "
                          "Somby on 2027-01-15; no voice: text only; listens; "
                          "GP office's words by MT nb-en, en-nn")
