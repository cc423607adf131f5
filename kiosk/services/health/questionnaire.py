"""Symptom questionnaires: the citizen's answers as a QuestionnaireResponse, and reading them back.

Which questions are asked is the guide's business; this module records the answers to the
questionnaire (a canonical URL) by each question's ``linkId``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.fhirdata import (
    instant,
    parse_day,
    parse_instant,
    patient_query,
    patient_ref,
)

AnswerValue = bool | int | Decimal | str | date
_LINK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Answer:
    link_id: str
    value: AnswerValue
    question: str | None = None
    """The question as it was shown (English msgid), kept so the office sees what was asked."""


@dataclass(frozen=True)
class QuestionnaireRecord:
    id: str
    questionnaire: str
    authored: datetime | None
    answers: tuple[Answer, ...]


def _answer_value(value: AnswerValue) -> dict[str, Any]:
    # bool before int (True is an int), datetime before date (a datetime is a date).
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, Decimal):
        return {"valueDecimal": float(value)}
    if isinstance(value, datetime):
        raise ValueError("answer with a date, not a date and time")
    if isinstance(value, date):
        return {"valueDate": value.isoformat()}
    if isinstance(value, str) and value.strip():
        return {"valueString": value.strip()}
    raise ValueError(f"not an answer a questionnaire can hold: {value!r}")


def response(
    questionnaire: str, answers: Sequence[Answer], patient_id: str, now: datetime,
) -> submission.Submission:
    """A completed QuestionnaireResponse with one item per answer, in the order given."""
    if not questionnaire.startswith(("http://", "https://", "urn:")):
        raise ValueError("questionnaire must be a canonical URL")
    if not answers:
        raise ValueError("a questionnaire response needs at least one answer")
    items = []
    for answer in answers:
        if not _LINK_ID.match(answer.link_id):
            raise ValueError(f"not a linkId: {answer.link_id!r}")
        item: dict[str, Any] = {"linkId": answer.link_id}
        if answer.question:
            item["text"] = answer.question
        item["answer"] = [_answer_value(answer.value)]
        items.append(item)
    if len({i["linkId"] for i in items}) != len(items):
        raise ValueError("each question is answered once")
    return submission.create("QuestionnaireResponse", {
        "status": "completed",
        "questionnaire": questionnaire,
        "subject": patient_ref(patient_id),
        "authored": instant(now),
        "item": items,
    })


def _read_value(answer: dict[str, Any]) -> AnswerValue | None:
    if "valueBoolean" in answer:
        return bool(answer["valueBoolean"])
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    if "valueDecimal" in answer:
        return Decimal(str(answer["valueDecimal"]))
    if "valueDate" in answer:
        return parse_day(answer["valueDate"], "QuestionnaireResponse answer valueDate")
    if "valueString" in answer:
        return str(answer["valueString"])
    return None


def responses(fhir: FhirClient, token: str, patient_id: str) -> list[QuestionnaireRecord]:
    """The patient's questionnaire responses, newest first."""
    found = fhir.search(
        "QuestionnaireResponse", {"subject": patient_query(patient_id), "_count": 100}, token
    )
    records = []
    for qr in found:
        answers = []
        for item in qr.get("item") or []:
            for raw in (item or {}).get("answer") or []:
                value = _read_value(raw) if isinstance(raw, dict) else None
                if value is not None:
                    answers.append(Answer(str(item.get("linkId")), value, item.get("text")))
        records.append(QuestionnaireRecord(
            id=str(qr.get("id")), questionnaire=str(qr.get("questionnaire") or ""),
            authored=parse_instant(qr.get("authored"), "QuestionnaireResponse.authored"),
            answers=tuple(answers),
        ))
    records.sort(key=lambda r: r.authored.timestamp() if r.authored else 0.0, reverse=True)
    return records
