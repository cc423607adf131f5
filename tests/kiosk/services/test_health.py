"""The health task modules without a server: builders, checks, data files and parsing.

What the server does with the resources (read back, search, conditional create) is the contract
suite's job: tests/kiosk/services/test_fhir_contract.py.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.services.health import (
    consent,
    fhirdata,
    measurements,
    medicines,
    messages,
    proxies,
    questionnaire,
    submission,
)
from kiosk.services.health.datafile import DataFileError
from kiosk.services.http import BadResponse
from translations.catalog import load_catalog

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
UUID_VALUE = "urn:uuid:"


# ---- submissions -------------------------------------------------------------------------


def test_create_adds_a_fresh_identifier_and_the_matching_condition() -> None:
    one = submission.create("Task", {"status": "requested",
                                     "identifier": [{"system": "x", "value": "y"}]})
    two = submission.create("Task", {"status": "requested"})
    (mine, theirs) = one.resource["identifier"]
    assert mine["system"] == "urn:ietf:rfc:3986" and mine["value"].startswith(UUID_VALUE)
    assert theirs == {"system": "x", "value": "y"}
    assert one.if_none_exist == f"identifier=urn:ietf:rfc:3986|{mine['value']}"
    assert one.key == mine["value"] != two.key
    assert one.resource["resourceType"] == "Task" and one.update_id is None


def test_questionnaire_response_gets_a_single_identifier() -> None:
    sub = submission.create("QuestionnaireResponse", {"status": "completed"})
    assert sub.resource["identifier"]["value"] == sub.key


def test_submission_survives_json_and_refuses_damaged_json() -> None:
    sub = submission.create("Observation", {"status": "final", "note": [{"text": "blåbær"}]})
    change = consent.withdraw("abc-1")
    for original in (sub, change):
        assert submission.Submission.from_json(original.to_json()) == original
    assert "blåbær" in sub.to_json()
    data = json.loads(sub.to_json())
    bad = [
        "not json",
        json.dumps({**data, "extra": 1}),
        json.dumps({**data, "resource": []}),
        json.dumps({**data, "resource_type": 5}),
        json.dumps({**data, "if_none_exist": 3}),
        json.dumps({**data, "if_none_exist": None}),
        json.dumps({**data, "resource_type": "../Patient"}),
    ]
    for text in bad:
        with pytest.raises(ValueError):
            submission.Submission.from_json(text)


def test_a_change_names_its_resource_and_fields() -> None:
    change = consent.withdraw("abc-1")
    assert (change.resource_type, change.update_id, dict(change.resource)) == (
        "Consent", "abc-1", {"status": "inactive"})
    assert change.if_none_exist is None
    assert change.key == "Consent/abc-1:status"
    with pytest.raises(ValueError):
        submission.change("Consent", "abc", {})
    with pytest.raises(ValueError):
        submission.change("Consent", "abc", {"id": "other"})
    with pytest.raises(ValueError):
        submission.change("Consent", "../x", {"status": "inactive"})
    with pytest.raises(ValueError):
        replace(change, if_none_exist="identifier=a|b")


# ---- measurements ------------------------------------------------------------------------


def test_shipped_measurements_have_the_agreed_codes_and_units() -> None:
    kinds = measurements.kinds()
    bp = kinds["blood_pressure"]
    assert bp.loinc == ("85354-9",)
    assert [(r.key, r.loinc, r.unit) for r in bp.readings] == [
        ("systolic", "8480-6", "mm[Hg]"), ("diastolic", "8462-4", "mm[Hg]")]
    single = {key: (k.loinc, k.readings[0].unit) for key, k in kinds.items() if key != bp.key}
    assert single == {
        "pulse": (("8867-4",), "/min"),
        "weight": (("29463-7",), "kg"),
        "blood_glucose": (("15074-8",), "mmol/L"),
        "oxygen_saturation": (("2708-6", "59408-5"), "%"),
    }


def test_blood_pressure_is_one_observation_with_two_components() -> None:
    kind = measurements.kinds()["blood_pressure"]
    obs = measurements.measurement(kind, {"systolic": 131.4, "diastolic": 85}, "kari", NOW)
    body = obs.resource
    assert body["code"]["coding"][0]["code"] == "85354-9" and "valueQuantity" not in body
    assert body["category"][0]["coding"][0]["code"] == "vital-signs"
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]) for c in body["component"]] == [
        ("8480-6", {"value": 131, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                    "code": "mm[Hg]"}),
        ("8462-4", {"value": 85, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                    "code": "mm[Hg]"}),
    ]
    assert body["subject"] == {"reference": "Patient/kari"}
    assert body["effectiveDateTime"] == "2026-12-01T10:00:00+00:00"


def test_single_readings_are_rounded_to_their_decimals() -> None:
    kinds = measurements.kinds()
    glucose = measurements.measurement(kinds["blood_glucose"], {"glucose": Decimal("5.55")},
                                       "kari", NOW).resource
    assert glucose["valueQuantity"]["value"] == 5.6
    assert glucose["category"][0]["coding"][0]["code"] == "laboratory"
    spo2 = measurements.measurement(kinds["oxygen_saturation"], {"saturation": 96.5},
                                    "kari", NOW).resource
    assert spo2["valueQuantity"] == {"value": 97, "unit": "%",
                                     "system": "http://unitsofmeasure.org", "code": "%"}
    assert [c["code"] for c in spo2["code"]["coding"]] == ["2708-6", "59408-5"]


@pytest.mark.parametrize(("key", "reading", "low", "high"), [
    ("pulse", "pulse", 25, 250),
    ("weight", "weight", 2, 350),
    ("blood_glucose", "glucose", 1, 35),
    ("oxygen_saturation", "saturation", 50, 100),
])
def test_range_edges_are_inclusive(key: str, reading: str, low: int, high: int) -> None:
    kind = measurements.kinds()[key]
    assert measurements.check(kind, {reading: low}) == {reading: Decimal(low)}
    assert measurements.check(kind, {reading: high}) == {reading: Decimal(high)}
    for outside in (low - 1, high + 1):
        with pytest.raises(measurements.OutOfRange) as caught:
            measurements.check(kind, {reading: outside})
        assert caught.value.reading == reading
        assert caught.value.values == {"min": low, "max": high}
        assert caught.value.msgid.format(**caught.value.values).count(f" {high}") == 1
        assert "{min}" in caught.value.msgid and "{max}" in caught.value.msgid


def test_decimal_limits_read_plainly(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_KIND.replace("min: 25", "min: 2.5"))
    kind = measurements.load_kinds(path)["pulse"]
    with pytest.raises(measurements.OutOfRange) as caught:
        measurements.check(kind, {"pulse": 1})
    assert str(caught.value.values["min"]) == "2.5" and str(caught.value.values["max"]) == "250"


def test_blood_pressure_upper_must_exceed_lower() -> None:
    kind = measurements.kinds()["blood_pressure"]
    with pytest.raises(measurements.OutOfRange) as caught:
        measurements.check(kind, {"systolic": 80, "diastolic": 80})
    assert caught.value.reading == "systolic"
    assert "higher than the lower number" in caught.value.msgid
    with pytest.raises(measurements.OutOfRange) as caught:
        measurements.check(kind, {"systolic": 120, "diastolic": 20})
    assert caught.value.reading == "diastolic"


def test_wrong_readings_are_programming_errors() -> None:
    kind = measurements.kinds()["blood_pressure"]
    with pytest.raises(ValueError, match="needs exactly the readings"):
        measurements.check(kind, {"systolic": 120})
    with pytest.raises(ValueError, match="not a number"):
        measurements.check(kind, {"systolic": "high", "diastolic": 80})  # type: ignore[dict-item]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD_KIND = """\
kinds:
  pulse:
    category: vital-signs
    loinc: ["8867-4"]
    display: Heart rate
    readings:
      pulse:
        unit: /min
        unit_text: beats/minute
        min: 25
        max: 250
        decimals: 0
"""


@pytest.mark.parametrize(("change", "line", "field", "message"), [
    (("max: 250", "max: 20"), 11, "kinds.pulse.readings.pulse.max", "greater than min"),
    (("max: 250", "max: lots"), 11, "kinds.pulse.readings.pulse.max", "must be a number"),
    (("decimals: 0", "decimals: 0.5"), 12, "kinds.pulse.readings.pulse.decimals",
     "whole number"),
    (("        decimals: 0\n", ""), 8, "kinds.pulse.readings.pulse.decimals", "missing"),
    (("      pulse:\n        unit", "      heartbeat:\n        unit"), 8,
     "kinds.pulse.readings.heartbeat", "no out-of-range text"),
    (("category: vital-signs", "category: vibes"), 3, "kinds.pulse.category", "must be one of"),
    (("unit: /min", "unit: /min\n        colour: red"), 9,
     "kinds.pulse.readings.pulse.colour", "unknown field"),
    (("loinc: [\"8867-4\"]", "loinc: []"), 4, "kinds.pulse.loinc", "non-empty list"),
    (("decimals: 0", "decimals: 0\n        above: pulse"), 13,
     "kinds.pulse.readings.pulse.above", "names no other reading"),
    (("    display: Heart rate\n", "    display: Heart rate\n    display: Pulse\n"), 6,
     "kinds.pulse.display", "given twice"),
])
def test_measurement_file_errors_name_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str, message: str,
) -> None:
    assert measurements.load_kinds(_write(tmp_path, GOOD_KIND))["pulse"].readings[0].key == "pulse"
    path = _write(tmp_path, GOOD_KIND.replace(*change))
    with pytest.raises(DataFileError) as caught:
        measurements.load_kinds(path)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: field '{field}': ")


def test_broken_or_missing_data_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="YAML syntax") as caught:
        measurements.load_kinds(_write(tmp_path, "kinds: [unclosed\n"))
    assert caught.value.line == 2
    with pytest.raises(DataFileError, match="empty"):
        measurements.load_kinds(_write(tmp_path, ""))
    with pytest.raises(DataFileError, match="cannot read"):
        measurements.load_kinds(tmp_path / "nowhere.yaml")
    with pytest.raises(DataFileError, match="missing"):
        consent.load_topics(_write(tmp_path, "other: 1\n"))


# ---- consent -----------------------------------------------------------------------------


def test_give_consent_builds_a_valid_r4_consent() -> None:
    research = consent.topics()["research"]
    body = consent.give(research, "kari", NOW).resource
    assert body["status"] == "active" and body["patient"] == {"reference": "Patient/kari"}
    assert body["scope"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}
    assert body["category"][0]["coding"][0]["code"] == "59284-0"
    assert body["policyRule"]["coding"][0]["code"] == "OPTIN"  # R4 ppc-1: policy or rule
    assert body["dateTime"] == "2026-12-01T10:00:00+00:00"


def test_consent_topic_file_errors(tmp_path: Path) -> None:
    text = """\
    topics:
      research:
        scope: gossip
        category: "59284-0"
        category_display: Patient Consent
        policy_rule: OPTIN
    """
    with pytest.raises(DataFileError) as caught:
        consent.load_topics(_write(tmp_path, text))
    assert (caught.value.line, caught.value.field) == (3, "topics.research.scope")
    with pytest.raises(DataFileError, match="no title") as caught:
        consent.load_topics(_write(tmp_path, text.replace("research:", "gossip:")
                                   .replace("gossip\n", "research\n")))
    assert (caught.value.line, caught.value.field) == (3, "topics.gossip")
    with pytest.raises(DataFileError, match="at least one topic"):
        consent.load_topics(_write(tmp_path, "topics: {}\n"))


# ---- other builders ----------------------------------------------------------------------


def test_renewal_request_is_a_task_focused_on_the_medicine() -> None:
    medicine = medicines.Medicine("m-1", "MedicationRequest", "Pill 5 mg", "", "active", False)
    body = medicines.renewal_request(medicine, "kari", NOW, "  by Friday ").resource
    assert body["focus"] == {"reference": "MedicationRequest/m-1", "display": "Pill 5 mg"}
    assert body["for"] == body["requester"] == {"reference": "Patient/kari"}
    assert (body["status"], body["intent"]) == ("requested", "order")
    assert body["note"] == [{"text": "by Friday"}]
    assert "note" not in medicines.renewal_request(medicine, "kari", NOW, " ").resource


def test_message_builder_checks_text_reply_and_recipient() -> None:
    body = messages.message("kari", " Hello ", NOW, in_response_to="c-1",
                            recipient="Organization/office").resource
    assert body["payload"] == [{"contentString": "Hello"}]
    assert body["inResponseTo"] == [{"reference": "Communication/c-1"}]
    assert body["recipient"] == [{"reference": "Organization/office"}]
    assert body["sender"] == body["subject"] == {"reference": "Patient/kari"}
    for bad in ({"text": "  "}, {"text": "x" * 2001}, {"recipient": "Patient/ola"},
                {"recipient": "Organization/../x"}, {"in_response_to": "a/b"}):
        with pytest.raises(ValueError):
            messages.message("kari", str(bad.pop("text", "Hi")), NOW, **bad)


def test_proxy_builder() -> None:
    body = proxies.register_proxy("kari", " Ola   Nordmann ", date(2026, 12, 1)).resource
    assert body["name"] == [{"text": "Ola Nordmann"}] and body["period"] == {"start": "2026-12-01"}
    assert body["relationship"][0]["coding"][0]["code"] == "HPOWATT"
    with pytest.raises(ValueError):
        proxies.register_proxy("kari", " ", date(2026, 12, 1))
    with pytest.raises(ValueError):
        proxies.register_proxy("kari", "Ola", date(2026, 12, 1), date(2026, 11, 30))
    with pytest.raises(ValueError):
        proxies.register_proxy("kari", "Ola", date(2026, 12, 1), relationship="spouse")


def test_questionnaire_builder_types_each_answer() -> None:
    answers = [questionnaire.Answer("a", True), questionnaire.Answer("b", 2),
               questionnaire.Answer("c", Decimal("1.5")), questionnaire.Answer("d", " x "),
               questionnaire.Answer("e", date(2026, 1, 2), "When?")]
    body = questionnaire.response("urn:uuid:q", answers, "kari", NOW).resource
    assert [i["answer"][0] for i in body["item"]] == [
        {"valueBoolean": True}, {"valueInteger": 2}, {"valueDecimal": 1.5},
        {"valueString": "x"}, {"valueDate": "2026-01-02"}]
    assert body["item"][4]["text"] == "When?" and "text" not in body["item"][0]
    for bad in ([], [questionnaire.Answer("a", "")], [questionnaire.Answer("a b", 1)],
                [questionnaire.Answer("a", NOW)], [answers[0], answers[0]]):
        with pytest.raises(ValueError):
            questionnaire.response("urn:uuid:q", bad, "kari", NOW)
    with pytest.raises(ValueError):
        questionnaire.response("symptoms", answers, "kari", NOW)


def test_patient_ids_cannot_change_a_reference() -> None:
    with pytest.raises(ValueError):
        messages.message("../Patient/ola", "Hi", NOW)
    with pytest.raises(ValueError):
        fhirdata.instant(datetime(2026, 12, 1, 10, 0))  # no time zone


# ---- reading FHIR data types ------------------------------------------------------------


def test_parse_day_and_instant() -> None:
    assert fhirdata.parse_day("2019", "x") == date(2019, 1, 1)
    assert fhirdata.parse_day("2019-05", "x") == date(2019, 5, 1)
    assert fhirdata.parse_day("2019-05-02T23:30:00+02:00", "x") == date(2019, 5, 2)
    assert fhirdata.parse_day(None, "x") is None
    assert fhirdata.parse_instant("2019-05-02", "x") is None
    assert fhirdata.parse_instant("2019-05-02T10:00:00Z", "x") == datetime(2019, 5, 2, 10,
                                                                          tzinfo=UTC)
    for bad_day in ("May 2019", "2019-13-01"):
        with pytest.raises(BadResponse):
            fhirdata.parse_day(bad_day, "x")
    for bad_instant in ("2019-05-02T10:00:00", "2019-05-02Tnoon"):
        with pytest.raises(BadResponse):
            fhirdata.parse_instant(bad_instant, "x")


def test_text_of_a_codeable_concept() -> None:
    assert fhirdata.text_of({"text": "T", "coding": [{"display": "D"}]}) == "T"
    assert fhirdata.text_of({"coding": [{"code": "c"}, {"display": "D"}]}) == "c"
    assert fhirdata.text_of({"coding": [{"system": "s"}, {"display": "D"}]}) == "D"
    assert fhirdata.text_of(None) == ""
    assert fhirdata.codes_of({"coding": [{"system": "a", "code": "1"},
                                         {"system": "b", "code": "2"}]}, "b") == {"2"}


# ---- what the citizen reads is in every catalog ----------------------------------------


def test_data_file_msgids_are_in_both_catalogs() -> None:
    texts = {topic.title for topic in consent.topics().values()}
    for kind in measurements.kinds().values():
        for reading in kind.readings:
            texts.add(reading.out_of_range)
            if reading.not_above:
                texts.add(reading.not_above)
    for lang in ("nb", "en"):
        catalog = load_catalog(lang)
        missing = sorted(t for t in texts if catalog.get(t) is None)
        assert missing == [], f"{lang}.po lacks {missing}"
        if lang == "nb":
            assert all(catalog.get(t).string for t in texts)
