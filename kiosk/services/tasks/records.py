"""Read-only records: the citizen's vaccines (given and recommended), the health service's
alerts to them, and their health contacts.

Every item is shown as the service wrote it: the name as ``label``; a status, a role or a phone
number as ``detail``. Dates are ``day``, which the screen writes in the citizen's language.
"""

from __future__ import annotations

from typing import Any

from kiosk.guides.model import Option
from kiosk.services.health import alerts, contacts, vaccines
from kiosk.services.tasks.common import TaskContext, who
from kiosk.services.tasks.machine import for_citizen
from translations.catalog import KIOSK_TZ, N_

STATUS_WORDS = {
    "due": N_("due now"),
    "overdue": N_("overdue"),
    "immune": N_("you are immune"),
    "contraindicated": N_("not advised for you"),
    "complete": N_("complete"),
}
"""A recommendation's forecastStatus (immunization-recommendation-status) in words."""


def _detail(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def my_vaccines(context: TaskContext, session: Any) -> list[Option]:
    token, patient_id = who(session)
    return [
        Option(id=v.id, label=v.name, day=v.given)
        for v in vaccines.vaccines(context.fhir, token, patient_id)
    ]


def vaccine_recommendations(context: TaskContext, session: Any) -> list[Option]:
    """A status the kiosk knows is said in the citizen's language; another as the server
    words it."""
    token, patient_id = who(session)
    return [
        Option(id=f"recommendation-{index}", label=r.name,
               note=STATUS_WORDS.get(r.status_code or "", ""),
               detail="" if (r.status_code or "") in STATUS_WORDS else r.status, day=r.due)
        for index, r in enumerate(vaccines.recommendations(context.fhir, token, patient_id), 1)
    ]


def my_alerts(context: TaskContext, session: Any) -> list[Option]:
    """The health service's alerts, machine-translated into the citizen's language where a
    pair is installed."""
    token, patient_id = who(session)
    listed = []
    for a in alerts.alerts(context.fhir, token, patient_id):
        label, original = for_citizen(context, session, a.text)
        listed.append(Option(id=a.id, label=label, original=original, detail=a.sender,
                             day=a.sent.astimezone(KIOSK_TZ).date() if a.sent else None))
    return listed


def health_contacts(context: TaskContext, session: Any) -> list[Option]:
    token, patient_id = who(session)
    return [
        Option(id=c.reference, label=c.name, detail=_detail(c.role, c.phone))
        for c in contacts.health_contacts(context.fhir, token, patient_id)
    ]


SOURCES = {
    "my_vaccines": my_vaccines,
    "vaccine_recommendations": vaccine_recommendations,
    "my_alerts": my_alerts,
    "health_contacts": health_contacts,
}
