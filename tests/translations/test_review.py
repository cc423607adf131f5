"""A catalog's review status in its header: drafted, or reviewed with who and when; anything
else stops the kiosk at start with the catalog's line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from translations.languages import load_languages
from translations.review import Review, ReviewError, read_review

HEADER = '''# {first}
msgid ""
msgstr ""
"Language: nb\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
{fields}
msgid "Back"
msgstr "Tilbake"
'''


def _po(tmp_path: Path, fields: str, first: str = "Norwegian catalog") -> Path:
    path = tmp_path / "nb.po"
    lines = "".join(f'"{field}\\n"\n' for field in fields.splitlines() if field)
    path.write_text(HEADER.format(first=first, fields=lines), encoding="utf-8")
    return path


def test_drafted(tmp_path: Path) -> None:
    review = read_review(_po(tmp_path, "X-Review-Status: drafted"))
    assert review == Review("drafted") and review.drafted
    assert review.describe() == "drafted"


def test_reviewed_names_who_and_when(tmp_path: Path) -> None:
    review = read_review(_po(tmp_path, "X-Review-Status: reviewed\n"
                                       "X-Reviewed-By: Aslak Somby <aslak@example.no>\n"
                                       "X-Review-Date: 2027-01-15"))
    assert review == Review("reviewed", "Aslak Somby <aslak@example.no>", dt.date(2027, 1, 15))
    assert not review.drafted
    assert review.describe() == "reviewed by Aslak Somby <aslak@example.no> on 2027-01-15"


@pytest.mark.parametrize(("fields", "first", "line", "field", "message"), [
    ("", "x", 4, "X-Review-Status", "missing"),
    ("X-Review-Status: checked", "x", 6, "X-Review-Status", "must be 'drafted' or 'reviewed'"),
    ("X-Review-Status: drafted\nX-Reviewed-By: Kari", "x", 7, "X-Reviewed-By",
     "names no reviewer"),
    ("X-Review-Status: reviewed\nX-Review-Date: 2027-01-15", "x", 6, "X-Reviewed-By",
     "names its fluent reviewer"),
    ("X-Review-Status: reviewed\nX-Reviewed-By: Kari", "x", 6, "X-Review-Date", "date"),
    ("X-Review-Status: reviewed\nX-Reviewed-By: Kari\nX-Review-Date: 15.01.2027", "x", 8,
     "X-Review-Date", "YYYY-MM-DD"),
    ("X-Review-Status: reviewed\nX-Reviewed-By: Kari\nX-Review-Date: 2027-01-15",
     "Draft: machine-assisted", 1, None, "still calls it a draft"),
])
def test_a_wrong_status_names_the_line(tmp_path: Path, fields: str, first: str, line: int,
                                       field: str | None, message: str) -> None:
    path = _po(tmp_path, fields, first)
    with pytest.raises(ReviewError) as excinfo:
        read_review(path)
    error = excinfo.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert message in error.message


def test_loading_the_languages_checks_each_catalog(tmp_path: Path) -> None:
    _po(tmp_path, "X-Review-Status: maybe")
    registry = tmp_path / "languages.yaml"
    registry.write_text("languages:\n  - code: nb\n    native_name: Norsk\n    english_name: "
                        "Norwegian\n    direction: ltr\n    espeak_voice: nb\n"
                        "    catalog: nb.po\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"nb.po:6: field 'X-Review-Status'"):
        load_languages(registry)
