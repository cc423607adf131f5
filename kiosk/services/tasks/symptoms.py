"""Symptom tasks: send the answers of the symptom guide to the GP office as one
QuestionnaireResponse, through the outbox.

The guide is the questionnaire: every choice step of kiosk/guides/content/symptoms.yaml is a
yes/no question (choices "yes" and "no") and every number step a whole-number question. Each
becomes one answer, in the guide's order, with the step's answer name as linkId and its prompt
(the English msgid) as the question's text, so the office sees what was asked.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kiosk.guides.loader import bundled_guides_dir, load_guide
from kiosk.guides.model import ActionResult, Guide
from kiosk.services.health.questionnaire import Answer, response
from kiosk.services.tasks.common import TaskContext, answer, submit, who

GUIDE_FILE = bundled_guides_dir() / "symptoms.yaml"
QUESTIONNAIRE = "urn:helselos:questionnaire:symptoms"
"""The canonical name of the questionnaire the answers belong to."""
QUESTIONNAIRE_VERSION = "1"
QUESTION_KINDS = ("choice", "number")


@cache
def symptom_guide() -> Guide:
    """The symptom guide, loaded once: its question steps are the questionnaire's items."""
    return load_guide(GUIDE_FILE)


def symptom_questionnaire() -> dict[str, Any]:
    """The Questionnaire the answers belong to, built from the guide like the answers are: one
    required item per question step, with the same linkId and text. The GP office's FHIR server
    must hold it (``kiosk symptom-questionnaire`` prints it to load there); the practice service
    seeds the same resource."""
    items = []
    for step in symptom_guide().steps.values():
        if step.kind not in QUESTION_KINDS:
            continue
        item: dict[str, Any] = {
            "linkId": step.key, "text": step.prompt, "required": True,
            "type": "boolean" if step.kind == "choice" else "integer",
        }
        if step.kind == "number":
            item["extension"] = [
                {"url": f"http://hl7.org/fhir/StructureDefinition/{bound}",
                 "valueInteger": int(limit)}
                for bound, limit in (("minValue", step.minimum), ("maxValue", step.maximum))
                if limit is not None
            ]
        items.append(item)
    return {
        "resourceType": "Questionnaire", "id": "symptoms", "url": QUESTIONNAIRE,
        "version": QUESTIONNAIRE_VERSION, "name": "SymptomCheck",
        "title": "Short symptom check", "status": "active", "item": items,
    }


def _answers(session: Any) -> list[Answer]:
    found = []
    for step in symptom_guide().steps.values():
        if step.kind not in QUESTION_KINDS:
            continue
        value = answer(session, step.key)
        if step.kind == "choice":
            if value not in ("yes", "no"):
                raise ValueError(f"symptom question {step.key!r} must be answered yes or no")
            found.append(Answer(step.key, value == "yes", step.prompt))
        else:
            found.append(Answer(step.key, int(value), step.prompt))
    return found


def send_symptoms(context: TaskContext, session: Any) -> ActionResult:
    _token, patient_id = who(session)
    built = response(QUESTIONNAIRE, _answers(session), patient_id, context.clock.now())
    return submit(context, session, built)


ACTIONS = {"send_symptoms": send_symptoms}
