"""Consent: what the citizen has agreed to, giving a new consent and withdrawing one.

A consent is a base R4 Consent for one topic of consents.yaml. Withdrawing sets the Consent's
status to ``inactive`` (the record of what was agreed stays on the server).
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from kiosk.datafile import At, Says
from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.datafile import NAMES, Text, load, new_rules
from kiosk.services.health.fhirdata import (
    LOINC,
    codes_of,
    coding,
    instant,
    parse_instant,
    patient_query,
    patient_ref,
)
from translations.catalog import N_

TOPICS_FILE = Path(__file__).with_name("consents.yaml")
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
TITLES = {
    "research": N_("Take part in medical research"),
    "sharing": N_("Let other health services see my health information"),
}
"""What the citizen is shown for each topic of consents.yaml (text to translate lives in code)."""


@dataclass(frozen=True)
class ConsentTopic:
    key: str
    title: str
    scope: str
    category: str
    category_display: str
    policy_rule: str


@dataclass(frozen=True)
class ConsentRecord:
    """One Consent on the server. ``topic`` is None for a kind of consent the kiosk does not
    offer (it is still listed, so the citizen sees everything they agreed to)."""

    id: str
    topic: ConsentTopic | None
    status: str
    given: datetime | None

    @property
    def active(self) -> bool:
        return self.status == "active"


class TopicFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    scope: Annotated[Literal["adr", "research", "patient-privacy", "treatment"],
                     Says(wrong="must be a non-empty text",
                          bad="must be one of adr, research, patient-privacy, treatment")]
    category: Text
    category_display: Text
    policy_rule: Text


class TopicsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    topics: Annotated[dict[str, TopicFile], Meta(min_length=1),
                      Says(wrong=NAMES.wrong, bad="must hold at least one topic")]


RULES = new_rules()


@RULES.check(TopicsFile)
def every_topic_has_a_title(file: TopicsFile, at: At[None]) -> None:
    for key in file.topics:
        if key not in TITLES:
            at.error(f"no title for this topic in consent.py's TITLES "
                     f"(titles exist for: {', '.join(TITLES)})", "topics", key)


def load_topics(path: Path = TOPICS_FILE) -> dict[str, ConsentTopic]:
    """Every topic in the file, by key. Raises DataFileError naming line and field."""
    file = load(path, TopicsFile, RULES)
    return {key: ConsentTopic(
        key=key, title=TITLES[key], scope=topic.scope, category=topic.category,
        category_display=topic.category_display, policy_rule=topic.policy_rule,
    ) for key, topic in file.topics.items()}


@cache
def topics() -> dict[str, ConsentTopic]:
    """The shipped consent topics, loaded once."""
    return load_topics()


def give(topic: ConsentTopic, patient_id: str, now: datetime) -> submission.Submission:
    """The Consent recording that the patient agrees to ``topic`` from ``now``."""
    return submission.create("Consent", {
        "status": "active",
        "scope": {"coding": [coding(SCOPE_SYSTEM, topic.scope)]},
        "category": [{"coding": [coding(LOINC, topic.category, topic.category_display)]}],
        "patient": patient_ref(patient_id),
        "dateTime": instant(now),
        "policyRule": {"coding": [coding(ACT_CODE_SYSTEM, topic.policy_rule)]},
        "provision": {"type": "permit"},
    })


def withdraw(consent_id: str) -> submission.Submission:
    """Withdraw a consent: its status becomes inactive."""
    return submission.change("Consent", consent_id, {"status": "inactive"})


def _topic_of(consent: dict[str, Any], known: dict[str, ConsentTopic]) -> ConsentTopic | None:
    scopes = codes_of(consent.get("scope"), SCOPE_SYSTEM)
    categories = set().union(*(codes_of(c, LOINC) for c in consent.get("category") or []))
    return next((t for t in known.values()
                 if t.scope in scopes and t.category in categories), None)


def consents(fhir: FhirClient, token: str, patient_id: str) -> list[ConsentRecord]:
    """Every consent of the patient, active ones first, newest first within each."""
    found = fhir.search("Consent", {"patient": patient_query(patient_id), "_count": 100}, token)
    records = [
        ConsentRecord(id=str(c.get("id")), topic=_topic_of(c, topics()),
                      status=str(c.get("status") or ""),
                      given=parse_instant(c.get("dateTime"), "Consent.dateTime"))
        for c in found
    ]
    records.sort(key=lambda r: r.given.timestamp() if r.given else 0.0, reverse=True)
    records.sort(key=lambda r: not r.active)
    return records
