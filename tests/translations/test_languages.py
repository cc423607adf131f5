"""The language registry: the shipped file, and errors that point at the line at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from translations.languages import (
    LANGUAGES,
    LanguageError,
    UnknownLanguage,
    get_language,
    load_languages,
)

GOOD_ENTRY = """\
  - code: nb
    native_name: Norsk bokmål
    english_name: Norwegian Bokmål
    direction: ltr
    espeak_voice: nb
    catalog: nb.po
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "nb.po").write_text('msgid ""\nmsgstr ""\n"X-Review-Status: drafted\\n"\n',
                                    encoding="utf-8")
    path = tmp_path / "languages.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_languages() -> None:
    # The thirteen languages of the language issue; Korean's catalog is drafted for the voice
    # tests, which register it themselves.
    assert list(LANGUAGES) == ["nb", "en", "nn", "se", "sv", "pl", "lt", "uk", "ar", "so", "ti",
                               "ur", "fa"]
    nb = get_language("nb")
    assert (nb.native_name, nb.english_name) == ("Norsk bokmål", "Norwegian Bokmål")
    assert (nb.direction, nb.espeak_voice) == ("ltr", "nb")
    assert nb.catalog.name == "nb.po" and nb.catalog.is_file()
    assert get_language("en").espeak_voice == "en"
    assert [c for c, lang in LANGUAGES.items() if lang.direction == "rtl"] == ["ar", "ur", "fa"]
    # Measured: espeak-ng 1.51 has no voice for these (Tigrinya's is in 1.52 only).
    assert [c for c, lang in LANGUAGES.items() if lang.espeak_voice is None] == [
        "nn", "se", "so", "ti"]
    assert all(lang.filler_words for lang in LANGUAGES.values())


def test_every_catalog_is_honestly_drafted() -> None:
    """Nobody fluent has reviewed any catalog yet, nb and en included."""
    assert {code: lang.review.status for code, lang in LANGUAGES.items()} == dict.fromkeys(
        LANGUAGES, "drafted")


def test_no_voice_is_written_none(tmp_path: Path) -> None:
    path = _write(tmp_path, "languages:\n" + GOOD_ENTRY.replace("voice: nb", "voice: none"))
    assert load_languages(path)["nb"].espeak_voice is None


def test_unknown_code() -> None:
    with pytest.raises(UnknownLanguage, match="unknown language 'ko'; known languages: nb, en"):
        get_language("ko")


def test_a_good_file_loads(tmp_path: Path) -> None:
    languages = load_languages(_write(tmp_path, "languages:\n" + GOOD_ENTRY))
    assert languages["nb"].catalog == (tmp_path / "nb.po").resolve()


@pytest.mark.parametrize(
    ("replace", "by", "line", "field", "message"),
    [
        ("direction: ltr", "direction: sideways", 5, "direction", "must be 'ltr' or 'rtl'"),
        ("    espeak_voice: nb\n", "", 2, "espeak_voice", "missing"),
        ("catalog: nb.po", "catalog: sv.po", 7, "catalog", "no such file"),
        ("code: nb", "code: Norsk", 2, "code", "BCP 47"),
        ("espeak_voice: nb", "espeak_voice: nb\n    voice: x", 7, "voice", "unknown field"),
        ("native_name: Norsk bokmål", "native_name: ''", 3, "native_name", "non-empty"),
    ],
)
def test_errors_name_line_and_field(
    tmp_path: Path, replace: str, by: str, line: int, field: str, message: str
) -> None:
    path = _write(tmp_path, "languages:\n" + GOOD_ENTRY.replace(replace, by))
    with pytest.raises(LanguageError) as excinfo:
        load_languages(path)
    error = excinfo.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: field '{field}': ")


def test_duplicate_code_points_at_second_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "languages:\n" + GOOD_ENTRY + GOOD_ENTRY)
    with pytest.raises(LanguageError, match=r":8: field 'code': 'nb' is listed twice"):
        load_languages(path)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "languages:\n  - code: nb\n   native_name: [oops\n")
    with pytest.raises(LanguageError, match=r"languages.yaml:3: field 'languages': not valid"):
        load_languages(path)


def test_empty_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LanguageError, match="must be a non-empty list"):
        load_languages(_write(tmp_path, "languages: []\n"))
