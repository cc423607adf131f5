"""The demo's rule and seed files are data, checked on load: errors name file, line, field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.demo.access import load_access
from kiosk.demo.datafile import DataFileError
from kiosk.demo.params import load_params
from kiosk.demo.seed import load_seed
from kiosk.demo.validate import Validator, load_rules

RULES = Validator(load_rules())
PARAMS = load_params()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_files_load() -> None:
    assert {"Observation", "Consent", "CareTeam"} <= RULES.types
    assert set(PARAMS) <= RULES.types
    rules = load_access(PARAMS, RULES.types)
    assert "Observation" in rules.delivery_may_create
    assert load_seed(RULES, date(2026, 12, 1)).resources


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    ("Observation:\n  required: [status, Code]\n", 2, "Observation.required.1",
     "not an element path"),
    ("Observation:\n  required: []\n  codes: {status: []}\n", 3, "Observation.codes.status",
     "non-empty list"),
    ("Observation:\n  required: []\n  colour: red\n", 1, "Observation", "only required"),
    ("observation:\n  required: []\n", 1, "observation", "resource type"),
    ("Consent:\n  required: []\n  constraints:\n    - {key: ppc-1, human: x, any_of: [a]}\n",
     4, "Consent.constraints.0.any_of", "two or more"),
    ("A:\n  required: []\nA:\n  required: []\n", 3, "A", "given twice"),
    ("A: [unclosed\n", 2, None, "YAML syntax"),
])
def test_rule_file_errors(tmp_path: Path, text: str, line: int, field: str | None,
                          message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_rules(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert message in error.message
    where = f"{path}:{line}: field '{field}': " if field else f"{path}:{line}: "
    assert str(error).startswith(where)


@pytest.mark.parametrize(("text", "line", "field"), [
    ("common: {}\ntypes:\n  Slot:\n    start: {type: time, paths: [start]}\n", 4,
     "types.Slot.start.type"),
    ("common: {}\ntypes:\n  Slot:\n    start: {type: date, paths: []}\n", 4,
     "types.Slot.start.paths"),
    ("common: {}\ntypes:\n  Slot:\n    start: {type: date, paths: [start], target: Slot}\n",
     4, "types.Slot.start.target"),
    ("common: {_id: {type: token, paths: [id]}}\ntypes:\n  Slot:\n"
     "    _id: {type: token, paths: [id]}\n", 4, "types.Slot._id"),
    ("types: {}\n", 1, "(top)"),
])
def test_search_file_errors(tmp_path: Path, text: str, line: int, field: str) -> None:
    with pytest.raises(DataFileError) as caught:
        load_params(write(tmp_path, text))
    assert (caught.value.line, caught.value.field) == (line, field)


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    ("patient_compartment:\n  Observation: [colour]\nshared: []\ndelivery_may_create: []\n"
     "areas: {}\n",
     2, "patient_compartment.Observation.0", "not a search parameter"),
    ("patient_compartment: {}\nshared: [Pizza]\ndelivery_may_create: []\nareas: {}\n", 2,
     "shared.0",
     "not a resource type"),
    ("patient_compartment: {}\nshared: []\ndelivery_may_create: []\nareas: {}\n", 1, "(top)",
     "no access rule for"),
])
def test_access_file_errors(tmp_path: Path, text: str, line: int, field: str,
                            message: str) -> None:
    with pytest.raises(DataFileError) as caught:
        load_access(PARAMS, RULES.types, write(tmp_path, text))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert message in caught.value.message


SEED_HEAD = """\
sign_in_as: [kari]
schedule: {schedule: s, comment: Office, days_ahead: 3, day_start: "08:00",
           day_end: "09:00", slot_minutes: 20, booked_for: kari}
resources:
  - {resourceType: Schedule, id: s, actor: [{reference: Practitioner/gp}]}
  - {resourceType: Patient, id: kari}
"""


@pytest.mark.parametrize(("extra", "line", "field", "message"), [
    ("  - {resourceType: Observation, id: o, status: final}\n", 7, "resources.2",
     "Observation.code is required"),
    ("  - {resourceType: Observation, id: o, status: final, code: {text: x},\n"
     "     effectiveDateTime: \"@yesterday\"}\n", 8, "resources.2.effectiveDateTime",
     "@today"),
    ("  - {resourceType: Patient, id: kari}\n", 7, "resources.2.id", "given twice"),
    ("  - {resourceType: Pizza, id: p}\n", 7, "resources.2", "unknown resourceType"),
])
def test_seed_file_errors(tmp_path: Path, extra: str, line: int, field: str,
                          message: str) -> None:
    with pytest.raises(DataFileError) as caught:
        load_seed(RULES, date(2026, 12, 1), write(tmp_path, SEED_HEAD + extra))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert message in caught.value.message


@pytest.mark.parametrize(("old", "new", "field"), [
    ("booked_for: kari", "booked_for: nobody", "schedule.booked_for"),
    ('day_end: "09:00"', 'day_end: "07:00"', "schedule.day_end"),
    ("slot_minutes: 20", "slot_minutes: 0", "schedule.slot_minutes"),
    ("sign_in_as: [kari]", "sign_in_as: [ola]", "sign_in_as.0"),
])
def test_seed_schedule_errors(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(DataFileError) as caught:
        load_seed(RULES, date(2026, 12, 1), write(tmp_path, SEED_HEAD.replace(old, new)))
    assert caught.value.field == field


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        load_rules(tmp_path / "gone.yaml")
    assert caught.value.field is None and "cannot read" in caught.value.message


def test_a_small_seed_works(tmp_path: Path) -> None:
    seed = load_seed(RULES, date(2026, 12, 1), write(tmp_path, SEED_HEAD))
    assert seed.sign_in_as == ("kari",) and seed.schedule.slot_minutes == 20
