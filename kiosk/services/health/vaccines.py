"""My vaccines: those given (Immunization) and those recommended (ImmunizationRecommendation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.services.fhir import FhirClient
from kiosk.services.health.fhirdata import codes_of, parse_day, patient_query, text_of

DUE_CRITERION = "30980-7"
STATUS_SYSTEM = "http://terminology.hl7.org/CodeSystem/immunization-recommendation-status"
"""LOINC "Date vaccine due", the dateCriterion that says when a recommended dose is due."""


@dataclass(frozen=True)
class Vaccine:
    id: str
    name: str
    given: date | None
    status: str


@dataclass(frozen=True)
class VaccineRecommendation:
    name: str
    due: date | None
    status: str
    """forecastStatus as the server words it, e.g. "Due", "Overdue", "Complete"."""
    status_code: str | None = None
    """forecastStatus as an immunization-recommendation-status code, when it has one."""


def vaccines(fhir: FhirClient, token: str, patient_id: str) -> list[Vaccine]:
    """Vaccines given to the patient, newest first (entered-in-error ones left out)."""
    found = fhir.search(
        "Immunization", {"patient": patient_query(patient_id), "_count": 100}, token
    )
    given = [
        Vaccine(id=str(i.get("id")), name=text_of(i.get("vaccineCode")),
                given=parse_day(i.get("occurrenceDateTime"), "Immunization.occurrenceDateTime"),
                status=str(i.get("status") or ""))
        for i in found if i.get("status") != "entered-in-error"
    ]
    return sorted(given, key=lambda v: (v.given or date.min, v.id), reverse=True)


def recommendations(
    fhir: FhirClient, token: str, patient_id: str,
) -> list[VaccineRecommendation]:
    """Recommended vaccines, soonest due first; one entry per recommended vaccine."""
    found = fhir.search(
        "ImmunizationRecommendation", {"patient": patient_query(patient_id), "_count": 100},
        token,
    )
    listed: list[VaccineRecommendation] = []
    for resource in found:
        for item in resource.get("recommendation") or []:
            if not isinstance(item, dict):
                continue
            names = [text_of(code) for code in item.get("vaccineCode") or []]
            due = None
            for criterion in item.get("dateCriterion") or []:
                codes = {c.get("code") for c in (criterion.get("code") or {}).get("coding") or []}
                if due is None or DUE_CRITERION in codes:
                    due = parse_day(criterion.get("value"), "dateCriterion.value")
            listed.append(VaccineRecommendation(
                name=", ".join(n for n in names if n) or text_of(item.get("targetDisease")),
                due=due, status=text_of(item.get("forecastStatus")),
                status_code=min(codes_of(item.get("forecastStatus"), STATUS_SYSTEM), default=None),
            ))
    return sorted(listed, key=lambda r: (r.due or date.max, r.name))
