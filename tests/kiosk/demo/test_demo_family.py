"""The practice service's own family rules (``family.yaml``): checked on load with file:line
errors, and read independently of the kiosk's policy, yet agreeing with it on every question
the service answers, so a misreading on either side shows here."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.demo.access import AREA_EXTENSION, CONFIDENTIALITY, family_acts_for
from kiosk.demo.datafile import DataFileError
from kiosk.demo.family import FAMILY_FILE, ByAge, age_on, load_family
from kiosk.demo.store import Store
from kiosk.policy.access import ALL, ProxyGrant, area_names, load_rules, policy_for
from kiosk.policy.model import AgeBand

DAY = date(2026, 12, 1)
GOOD = FAMILY_FILE.read_text(encoding="utf-8")


def test_the_shipped_file_loads() -> None:
    family = load_family()
    assert set(family.countries) == {"NO", "SE"}
    assert family.country("NO").proxy is not None and family.country("SE").proxy is None
    with pytest.raises(ValueError, match="no family rules for country 'DK'"):
        family.country("DK")


def test_it_knows_every_country_and_area_the_kiosk_knows() -> None:
    family = load_family()
    assert family.areas == area_names()
    assert set(family.countries) == set(load_rules().countries)


def _steps(bands: tuple[AgeBand, ...]) -> ByAge:
    return ByAge(tuple((band.start, band.areas) for band in bands))


@pytest.mark.parametrize("country", ["NO", "SE"])
def test_parents_and_own_access_agree_with_the_kiosk_at_every_age(country: str) -> None:
    mine, policy = load_family().country(country), policy_for(country)
    born = date(2000, 3, 1)
    for age in range(0, 101):
        on = date(2000 + age, 3, 1)
        assert age_on(born, on) == age
        assert mine.parent.at(age) == policy.guardian(born, on).areas, (country, age)
        assert mine.own.at(age) == policy.own_access(born, on).areas, (country, age)


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(2012, 2, 29), date(2024, 2, 28), 11),
    (date(2012, 2, 29), date(2024, 2, 29), 12),
    (date(2012, 2, 29), date(2025, 2, 28), 12),
    (date(2012, 2, 29), date(2025, 3, 1), 13),
    (date(2010, 12, 2), DAY, 15),
    (date(2010, 12, 1), DAY, 16),
])
def test_ages_are_whole_years_and_a_birthday_counts(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def _person(pid: str, born: date, national_id: str, *, confidential: bool = False
            ) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient", "id": pid, "birthDate": born.isoformat(),
        "identifier": [{"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": national_id}]}
    if confidential:
        patient["meta"] = {"security": [{"system": CONFIDENTIALITY, "code": "R"}]}
    return patient


def _proxy(names: tuple[str, ...], end: date | None) -> dict[str, Any]:
    period = {"start": "2026-01-01", **({"end": end.isoformat()} if end else {})}
    return {"resourceType": "RelatedPerson", "id": "proxy", "active": True,
            "patient": {"reference": "Patient/giver"},
            "relationship": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                "code": "HPOWATT"}]}],
            "identifier": [{"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "22222222222"}],
            "extension": [{"url": AREA_EXTENSION, "valueCode": name} for name in names],
            "period": period}


def _kiosk_says(country: str, giver_age: int, proxy_age: int, names: tuple[str, ...],
                end: date | None, giver_secret: bool, proxy_secret: bool) -> frozenset[str]:
    policy = policy_for(country)
    chosen = [name for name in names if name in {ALL, *policy.proxy_choices}]
    if not chosen:
        return frozenset()
    grant = ProxyGrant(date(DAY.year - giver_age, 1, 1), date(DAY.year - proxy_age, 1, 1),
                       policy.proxy_areas(chosen), end,
                       giver_confidential_address=giver_secret,
                       proxy_confidential_address=proxy_secret)
    decision = policy.adult_proxy(grant, DAY)
    return decision.areas if decision.allowed else frozenset()


@pytest.mark.parametrize("country", ["NO", "SE"])
def test_proxies_agree_with_the_kiosk(country: str) -> None:
    """Every combination of ages around the limits, names (known, unknown, all), an end before
    or after the day, and a confidential address on either side: the service's reading gives
    what the kiosk's policy decides."""
    rules = load_family().country(country)
    acts_for = family_acts_for(rules, lambda: DAY)
    names_tried: list[tuple[str, ...]] = [
        ("all",), ("appointments",), ("records",), ("appointments", "messages"),
        ("vaccines",), ("records", "typo")]
    seen: set[frozenset[str]] = set()
    for giver_age, proxy_age, names, end, giver_secret, proxy_secret in itertools.product(
            (12, 14, 15, 16, 40), (17, 18, 30), names_tried,
            (None, date(2026, 11, 30), DAY), (False, True), (False, True)):
        store = Store(["Patient", "RelatedPerson"], ManualClock(), random.Random(1))
        store.put(_person("giver", date(DAY.year - giver_age, 1, 1), "11111111111",
                          confidential=giver_secret))
        store.put(_person("proxy-person", date(DAY.year - proxy_age, 1, 1), "22222222222",
                          confidential=proxy_secret))
        store.put(_proxy(names, end))
        case = (giver_age, proxy_age, names, end, giver_secret, proxy_secret)
        expected = _kiosk_says(country, *case)
        assert acts_for(store, "proxy-person").get("giver", frozenset()) == expected, case
        seen.add(expected)
    assert len(seen) > (3 if country == "NO" else 0)  # the grid reaches different answers


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "family.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("old", "new", "at", "field", "message"), [
    ("areas: [appointments,", "areas: [all, appointments,", "areas: [all", "areas.0",
     "not an area name"),
    ("countries:\n", "colour: red\ncountries:\n", "areas: [appointments", "(top)",
     "must hold exactly areas and countries"),
    ('  "SE":', '  "Sweden":', '"Sweden"', "countries.Sweden", "two capital letters"),
    ("      12: [appointments, vaccines, contacts]", "      12: [appointment]", "12: [appointment]",
     "countries.NO.parent.12.0", "'appointment' is not an area"),
    ("    parent:\n      0: all\n      13:", "    parent:\n      1: all\n      13:", "1: all",
     "countries.SE.parent.1", "the first age must be 0"),
    ("      16: []\n    own:\n      0: []\n      13: [appointments]\n",
     "      10: []\n    own:\n      0: []\n      13: [appointments]\n", "10: []",
     "countries.SE.parent.10", "ages must go up"),
    ("      12: [appointments, vaccines", "      twelve: [appointments, vaccines", "twelve",
     "countries.NO.parent.twelve", "not an age"),
    ("giver_min_age: 16", "giver_min_age: sixteen", "giver_min_age: sixteen",
     "countries.NO.proxy.giver_min_age", "not an age"),
    ("        records: [vaccines, contacts, records]", "        all: [vaccines]", "all: [vaccines]",
     "countries.NO.proxy.choices.all", "always offered by itself"),
    ("address: yes\n", "address: maybe\n",
     "blocked_by_confidential_address: maybe",
     "countries.NO.proxy.blocked_by_confidential_address",
     "must be yes or no"),
    ("    proxy: no", "    proxy: none", "proxy: none", "countries.SE.proxy", "must be no, or"),
    ("    own:\n      0: []\n      13: [appointments]", "    mine:\n      0: []\n      13: [a]",
     '"SE":', "countries.SE", "must hold exactly parent, own and proxy"),
    ("        messages: [messages]\n", "        messages: [messages]\n        messages: []\n",
     "        messages: []", "countries.NO.proxy.choices.messages", "given twice"),
    ("areas: [appointments,", "areas: [appointments, appointments,", "areas: [", "areas.1",
     "listed twice"),
])
def test_a_mistake_names_its_file_line_and_field(tmp_path: Path, old: str, new: str, at: str,
                                                 field: str, message: str) -> None:
    assert GOOD.count(old) == 1, old
    text = GOOD.replace(old, new)
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_family(path)
    error = caught.value
    line = line_of(text, at)
    assert (error.path, error.line, error.field) == (path, line, field), str(error)
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: field '{field}': ")


def test_a_proxy_choice_outside_the_proxy_s_areas_is_named(tmp_path: Path) -> None:
    text = GOOD.replace("      areas: all\n      choices:",
                        "      areas: [appointments, medicines, messages]\n      choices:")
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_family(path)
    assert caught.value.field == "countries.NO.proxy.choices.records.0"
    assert caught.value.line == line_of(text, "records: [vaccines")
    assert "a proxy cannot be given for 'vaccines'" in caught.value.message


def test_broken_yaml_and_a_missing_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        load_family(write(tmp_path, "areas: [unclosed\n"))
    assert caught.value.line == 2 and "YAML syntax" in caught.value.message
    with pytest.raises(DataFileError, match="cannot read"):
        load_family(tmp_path / "gone.yaml")
