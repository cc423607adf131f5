"""Msgid extraction from Python and guide YAML, and the gate: shipped catalogs cover it all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from translations.extract import (
    ROOT,
    default_sources,
    extract_msgids,
    main,
    missing_in_catalog,
    unused_in_catalog,
)
from translations.languages import LANGUAGES

SAMPLE_PY = '''\
from translations.catalog import N_, Localizer

GREETING = N_("Hello there.")


class Refused(Exception):
    msgid = "The service said no."


def show(loc: Localizer, count: int) -> str:
    title = N_("Book an appointment")
    body = loc.gettext("Pick a time.")
    line = loc.format("You have {count} appointments.", count=count)
    raise_it(msgid="Try again later.")
    not_this = "{count} things".format(count=count)
    nor_this = loc.gettext(title)
    return gettext("Done.") + title + body + line + not_this + nor_this
'''

SAMPLE_YAML = """\
id: sample
title: Renew a prescription
description: Ask your GP for a new prescription.
icon_label: Prescription
order: 3
steps:
  - id: which
    kind: choice
    prompt: Which medicine?
    help: Choose one.
    choices:
      - id: same
        label: The same as last time
        voice: [same, "the same"]
        next: done
      - id: other
        label: Another one
        voice: other
        next: done
  - id: slot
    kind: slot
    empty: There are no free times.
    unit: kg
    minimum: 3
  - id: done
    kind: finish
    prompt: "Done: {medicine}."
"""


def test_python_calls_and_markers(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(SAMPLE_PY, encoding="utf-8")
    found = extract_msgids([tmp_path])
    assert found == {
        "Hello there.": [f"{source}:3"],
        "The service said no.": [f"{source}:7"],
        "Book an appointment": [f"{source}:11"],
        "Pick a time.": [f"{source}:12"],
        "You have {count} appointments.": [f"{source}:13"],
        "Try again later.": [f"{source}:14"],
        "Done.": [f"{source}:17"],
    }


def test_guide_yaml_text_fields_at_any_depth(tmp_path: Path) -> None:
    guide = tmp_path / "sample.yaml"
    guide.write_text(SAMPLE_YAML, encoding="utf-8")
    found = extract_msgids([guide])
    assert set(found) == {
        "Renew a prescription",
        "Ask your GP for a new prescription.",
        "Prescription",
        "Which medicine?",
        "Choose one.",
        "The same as last time",
        "same",
        "the same",
        "Another one",
        "other",
        "There are no free times.",
        "kg",
        "Done: {medicine}.",
    }
    assert found["Which medicine?"] == [f"{guide}:9"]
    assert found["other"] == [f"{guide}:18"]


def test_missing_in_catalog_reports_unknown_msgids(tmp_path: Path) -> None:
    source = tmp_path / "new_screen.py"
    source.write_text('N_("Choose your language")\nN_("A brand new sentence.")\n')
    assert missing_in_catalog("nb", [source]) == ["A brand new sentence."]


def test_unused_in_catalog_reports_msgids_no_source_uses(tmp_path: Path) -> None:
    source = tmp_path / "only_screen.py"
    source.write_text('N_("Back")\n')
    unused = unused_in_catalog("nb", [source])
    assert "Back" not in unused
    assert "Choose your language" in unused


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_shipped_catalog_holds_no_stale_msgids(lang: str) -> None:
    assert unused_in_catalog(lang) == []


def test_default_sources_include_code_and_bundled_guides() -> None:
    sources = default_sources()
    assert ROOT / "kiosk" in sources
    assert ROOT / "translations" in sources
    guides = [p for p in sources if p.suffix == ".yaml"]
    assert all(p.parent == ROOT / "kiosk" / "guides" / "content" for p in guides)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_shipped_catalog_covers_kiosk_and_bundled_guides(lang: str) -> None:
    # The gate: a new string in the code or a guide must be added to every catalog.
    assert missing_in_catalog(lang) == []


def test_check_command_lists_missing_msgids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new_screen.py"
    source.write_text('N_("Back")\nN_("A brand new sentence.")\n')
    assert main(["--check", str(source)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "nb: missing msgid 'A brand new sentence.'" in out
    assert "en: missing msgid 'A brand new sentence.'" in out
    assert not any("'Back'" in line for line in out)


def test_check_command_passes_when_covered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "screen.py"
    source.write_text('N_("Back")\n')
    assert main(["--check", str(source)]) == 0
    assert "catalogs complete: nb, en" in capsys.readouterr().out


def test_template_runs_as_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "translations.extract"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert "#: translations/catalog.py:" in result.stdout
    assert "msgid \"EEEE d MMMM 'at' HH:mm\"" in result.stdout


def test_broken_guide_yaml_is_skipped(tmp_path: Path) -> None:
    guide = tmp_path / "broken.yaml"
    guide.write_text("title: [unclosed\n", encoding="utf-8")
    assert extract_msgids([guide]) == {}


def test_yes_and_no_written_where_text_is_taken_are_words(tmp_path: Path) -> None:
    # YAML 1.1 reads a plain yes/no as a boolean; the guide loader reads it as the word
    # written, so it must be translated like any other word (it was left out before).
    guide = tmp_path / "yes_no.yaml"
    guide.write_text("choices:\n  - {id: yes, label: Yes, voice: [yes, sure], next: 3}\n"
                     "  - {id: no, label: No, voice: [no], minimum: 3}\n", encoding="utf-8")
    assert set(extract_msgids([guide])) == {"Yes", "yes", "sure", "No", "no"}
