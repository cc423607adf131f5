"""How a proxy is written and read: its areas as extensions, the proxy's national ID number as
identifier, a confidential address on the Patient, and a 403 while acting for someone."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.services.fhir import NO_NATIONAL_ID
from kiosk.services.health.proxies import (
    AREA_EXTENSION,
    CONFIDENTIALITY,
    NotAllowedForThem,
    acting_refusals,
    has_confidential_address,
    national_id_of,
    proxy_areas,
    register_proxy,
)
from kiosk.services.http import ServiceRejected

DAY = date(2026, 12, 1)


def test_areas_and_national_id_are_written() -> None:
    body = register_proxy("kari", "Ola", DAY, areas=["records", "appointments", "records"],
                          national_id="02888510128").resource
    assert body["extension"] == [{"url": AREA_EXTENSION, "valueCode": "appointments"},
                                 {"url": AREA_EXTENSION, "valueCode": "records"}]
    assert body["identifier"][1:] == [{"system": NO_NATIONAL_ID, "value": "02888510128"}]
    assert proxy_areas(body) == ("appointments", "records")
    assert national_id_of(body) == "02888510128"


def test_by_default_a_proxy_is_for_everything_and_names_no_number() -> None:
    body = register_proxy("kari", "Ola", DAY).resource
    assert proxy_areas(body) == ("all",)
    assert national_id_of(body) is None


@pytest.mark.parametrize(
    "changes",
    [{"areas": []}, {"areas": ["Records"]}, {"areas": ["two words"]},
     {"national_id": "0288851012"}, {"national_id": "028885 10128"}],
)
def test_areas_must_be_codes_and_the_number_eleven_digits(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        register_proxy("kari", "Ola", DAY, **changes)  # type: ignore[arg-type]


def test_other_extensions_are_not_areas() -> None:
    person = {"extension": [{"url": "https://example.org/x", "valueCode": "all"},
                            {"url": AREA_EXTENSION, "valueString": "all"},
                            {"url": AREA_EXTENSION, "valueCode": "medicines"}]}
    assert proxy_areas(person) == ("medicines",)
    assert proxy_areas({}) == ()


@pytest.mark.parametrize(
    ("security", "confidential"),
    [([{"system": CONFIDENTIALITY, "code": "R"}], True),
     ([{"system": CONFIDENTIALITY, "code": "V"}], True),
     ([{"system": CONFIDENTIALITY, "code": "N"}], False),
     ([{"system": "http://example.org/other", "code": "R"}], False),
     ([], False)],
)
def test_a_confidential_address_is_a_restricted_patient(security: list[dict[str, str]],
                                                        confidential: bool) -> None:
    assert has_confidential_address({"meta": {"security": security}}) is confidential
    assert has_confidential_address(None) is False


def test_a_403_while_acting_for_someone_says_so() -> None:
    with pytest.raises(NotAllowedForThem), acting_refusals(True):
        raise ServiceRejected(403, "acting for this patient does not cover the area 'medicines'")
    with pytest.raises(ServiceRejected) as own, acting_refusals(False):
        raise ServiceRejected(403)
    assert not isinstance(own.value, NotAllowedForThem)
    with pytest.raises(ServiceRejected) as other, acting_refusals(True):
        raise ServiceRejected(404)
    assert not isinstance(other.value, NotAllowedForThem)
