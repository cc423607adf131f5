"""Search parameters as a real R4 server reads them: tokens, references, dates with prefixes
and precision, strings, modifiers, _sort, _count and paging."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.demo.dates import parse_when
from kiosk.demo.params import load_params
from kiosk.demo.problem import Problem
from kiosk.demo.search import Search
from tests.kiosk.demo.builders import observation
from tests.kiosk.demo.conftest import Call

SEARCH = Search(load_params())
OBSERVATIONS = [
    {**observation("kari", 60, ident="a", when="2026-11-30T23:30:00+01:00"), "id": "a"},
    {**observation("kari", 70, ident="b", when="2026-12-01T08:00:00+01:00", code="29463-7"),
     "id": "b"},
    {**observation("ola", 80, ident="c", when="2026-12-02"), "id": "c"},
    {**observation("kari", 90, ident="d", when="2026-12-01T10:00:00Z"), "id": "d",
     "effectiveDateTime": None},
]
OBSERVATIONS[3].pop("effectiveDateTime")
OBSERVATIONS[3]["effectivePeriod"] = {"start": "2026-12-01T10:00:00Z",
                                      "end": "2026-12-01T11:00:00Z"}


def ids(query: dict[str, list[str]], kind: str = "Observation",
        resources: list[dict[str, Any]] = OBSERVATIONS) -> list[str]:
    found = SEARCH.sort(kind, SEARCH.filter(kind, resources, query), query)
    return [r["id"] for r in found]


@pytest.mark.parametrize(("query", "expected"), [
    ({"code": ["http://loinc.org|8867-4"]}, ["a", "c", "d"]),
    ({"code": ["8867-4"]}, ["a", "c", "d"]),
    ({"code": ["http://snomed.info/sct|8867-4"]}, []),
    ({"code": ["http://loinc.org|"]}, ["a", "b", "c", "d"]),
    ({"code": ["29463-7,9999-9"]}, ["b"]),
    ({"code:not": ["8867-4"]}, ["b"]),
    ({"identifier": ["urn:ietf:rfc:3986|b"]}, ["b"]),
    ({"status": ["final"], "_id": ["c,d"]}, ["c", "d"]),
    ({"subject": ["Patient/kari"]}, ["a", "b", "d"]),
    ({"subject": ["http://elsewhere/fhir/Patient/ola"]}, ["c"]),
    ({"patient": ["ola"]}, ["c"]),
    ({"subject:Patient": ["ola"]}, ["c"]),
    ({"subject:missing": ["true"]}, []),
    ({"performer:missing": ["true"]}, ["a", "b", "c", "d"]),
])
def test_tokens_and_references(query: dict[str, list[str]], expected: list[str]) -> None:
    assert ids(query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    (["2026-12-01"], ["b", "d"]),                      # the whole local day
    (["eq2026-12"], ["b", "c", "d"]),                  # the month; a is 30 November
    (["ge2026-12-01T09:00:00+01:00"], ["c", "d"]),     # c covers all of 2 December
    (["gt2026-12-01T08:00:00+01:00"], ["c", "d"]),
    (["lt2026-12-01T08:00:00+01:00"], ["a"]),
    (["le2026-12-01T08:00:00+01:00"], ["a", "b"]),
    (["ne2026-12-01"], ["a", "c"]),
    (["ge2026-12-01T10:30:00Z"], ["c", "d"]),          # d's period is still going on
    (["sa2026-12-01"], ["c"]),
    (["eb2026-12-01"], ["a"]),
    (["ge2026-12-01", "lt2026-12-02"], ["b", "d"]),   # two values: both must hold
    (["2026-12-01T08:00:00 01:00"], ["b"]),           # an unencoded + arrives as a space
])
def test_dates_with_prefixes_and_precision(query: list[str], expected: list[str]) -> None:
    assert ids({"date": query}) == expected


def test_sort_ascending_descending_and_by_two_keys() -> None:
    assert ids({"_sort": ["date"]}) == ["a", "b", "d", "c"]
    assert ids({"_sort": ["-date"]}) == ["c", "d", "b", "a"]
    assert ids({"_sort": ["subject,-date"]}) == ["d", "b", "a", "c"]
    assert ids({"_sort": ["code,_id"]}) == ["b", "a", "c", "d"]


def test_strings_match_the_start_ignoring_case_and_accents() -> None:
    people = [{"resourceType": "Practitioner", "id": "p",
               "name": [{"family": "Prøvesen", "given": ["Per"]}]},
              {"resourceType": "Practitioner", "id": "q", "name": [{"text": "Ève Lund"}]}]
    assert ids({"name": ["prø"]}, "Practitioner", people) == ["p"]
    assert ids({"name": ["EVE"]}, "Practitioner", people) == ["q"]
    assert ids({"name": ["vesen"]}, "Practitioner", people) == []
    assert ids({"name:contains": ["vesen"]}, "Practitioner", people) == ["p"]
    assert ids({"name:exact": ["per"]}, "Practitioner", people) == []


@pytest.mark.parametrize(("query", "text"), [
    ({"colour": ["red"]}, "unknown search parameter 'colour'"),
    ({"code:above": ["x"]}, "modifier :above"),
    ({"date": ["ge-yesterday"]}, "not a FHIR date"),
    ({"subject:missing": ["maybe"]}, "true or false"),
])
def test_what_it_cannot_do_is_refused_not_ignored(query: dict[str, list[str]],
                                                  text: str) -> None:
    with pytest.raises(Problem) as caught:
        ids(query)
    assert caught.value.status == 400 and text in caught.value.message


def test_unknown_parameters_are_left_out_unless_strict() -> None:
    query = {"colour": ["red"], "code": ["x"], "_sort": ["-date,colour"], "_count": ["5"],
             "_format": ["json"]}
    assert SEARCH.applied("Observation", query, strict=False) == {
        "code": ["x"], "_sort": ["-date"], "_count": ["5"]}
    for wrong in ({"colour": ["red"]}, {"_sort": ["colour"]}):
        with pytest.raises(Problem) as caught:
            SEARCH.applied("Observation", wrong, strict=True)
        assert "unknown search parameter 'colour'" in caught.value.message


def test_the_self_link_tells_what_was_applied(call: Call, kari: str) -> None:
    lenient = call("GET", "Observation?colour=red&status=final", kari)
    assert lenient.status_code == 200
    (self_link,) = [link["url"] for link in lenient.json()["link"]
                    if link["relation"] == "self"]
    assert "status=final" in self_link and "colour" not in self_link
    strict = call("GET", "Observation?colour=red", kari, Prefer="handling=strict")
    assert strict.status_code == 400


def test_parse_when_covers_the_precision_given() -> None:
    low, high = parse_when("2026-02")
    assert (low.day, high.month) == (1, 3)
    low, high = parse_when("2026-12-01T10:00:00.25Z")
    assert (high - low).total_seconds() == pytest.approx(1e-6)


def test_observations_by_subject_code_and_date_over_http(call: Call, kari: str) -> None:
    for value, when in ((61, "2026-11-28T08:00:00+01:00"), (62, "2026-11-29T08:00:00+01:00"),
                        (63, "2026-11-30T08:00:00+01:00")):
        assert call("POST", "Observation", kari,
                    observation(value=value, ident=f"v{value}", when=when)).status_code == 201
    bundle = call("GET", "Observation?subject=Patient/kari&code=http://loinc.org|8867-4"
                         "&date=ge2026-11-29&_sort=-date&_count=1", kari).json()
    assert bundle["total"] == 2
    assert [e["resource"]["valueQuantity"]["value"] for e in bundle["entry"]] == [63]
    (next_link,) = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
    assert "_offset=1" in next_link
    counted = call("GET", "Observation?subject=Patient/kari&_summary=count", kari).json()
    assert counted["total"] == 4 and counted["entry"] == []
