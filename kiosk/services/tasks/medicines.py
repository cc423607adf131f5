"""Medicine tasks: list my medicines, list the ones I may ask to renew, and ask for a renewal.

Reads the citizen's answer "medicine" (the id of a renewable medicine, as the source lists it).
The same medicine is often on the record twice (what the patient takes, and the prescription):
it is shown once, and a renewal is asked for on the prescription when there is one. A
medicine whose renewal is already awaited is not offered again; if one was asked for in the
meantime, the action says so instead of asking twice. When the service is away, that check
cannot be made: the request is then saved on the kiosk as the citizen chose it, and sent later,
rather than lost.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.services.health import medicines as health
from kiosk.services.http import ServiceTimeout, ServiceUnavailable
from kiosk.services.tasks.common import TaskContext, answer, submit, who
from translations.catalog import N_

ALREADY_ASKED = N_(
    "You have already asked your GP office to renew this medicine. They will answer you soon."
)
NOT_RENEWABLE = N_(
    "This medicine can no longer be renewed here. Please go back and choose again."
)
_RENEWABLE_STATUSES = frozenset({"active", "intended", "on-hold"})


def _grouped(context: TaskContext, session: Any) -> list[list[health.Medicine]]:
    """The patient's medicines, one group per name; the prescription first in each group."""
    token, patient_id = who(session)
    found = health.medicines(context.fhir, token, patient_id, context.renewal_code)
    groups = [list(g) for _name, g in groupby(found, key=lambda m: m.name.casefold())]
    for group in groups:
        group.sort(key=lambda m: m.resource_type != "MedicationRequest")
    return groups


def my_medicines(context: TaskContext, session: Any) -> list[Option]:
    """Every medicine once, with how to take it."""
    options = []
    for group in _grouped(context, session):
        dosage = next((m.dosage for m in group if m.dosage), "")
        options.append(Option(id=group[0].reference, label=group[0].name, detail=dosage))
    return options


def _renewable(group: list[health.Medicine]) -> health.Medicine | None:
    """The resource to renew, or None when the medicine is over or a renewal is awaited."""
    if any(m.renewal_requested for m in group):
        return None
    return next((m for m in group if m.status in _RENEWABLE_STATUSES), None)


def renewable_medicines(context: TaskContext, session: Any) -> list[Option]:
    """The medicines the citizen may ask to renew now, by name only."""
    options = []
    for group in _grouped(context, session):
        medicine = _renewable(group)
        if medicine is not None:
            options.append(Option(id=medicine.reference, label=medicine.name))
    return options


def request_renewal(context: TaskContext, session: Any) -> ActionResult:
    """Ask the GP office to renew the chosen medicine, unless that is already asked."""
    _token, patient_id = who(session)
    chosen = str(answer(session, "medicine"))
    try:
        groups = _grouped(context, session)
    except (ServiceUnavailable, ServiceTimeout):
        return _submit(context, session, patient_id, _as_chosen(session, chosen))
    group = next((g for g in groups if any(m.reference == chosen for m in g)), None)
    if group is not None and any(m.renewal_requested for m in group):
        return ActionResult(ok=False, error=ALREADY_ASKED)
    medicine = _renewable(group) if group is not None else None
    if medicine is None:
        return ActionResult(ok=False, error=NOT_RENEWABLE)
    return _submit(context, session, patient_id, medicine)


def _as_chosen(session: Any, reference: str) -> health.Medicine:
    """The medicine as the citizen picked it from the list: its reference and the name shown."""
    kind, _, rid = reference.partition("/")
    return health.Medicine(id=rid, resource_type=kind, name=session.labels.get("medicine", ""),
                           dosage="", status="", renewal_requested=False)


def _submit(context: TaskContext, session: Any, patient_id: str,
            medicine: health.Medicine) -> ActionResult:
    request = health.renewal_request(medicine, patient_id, context.clock.now(),
                                     renewal_code=context.renewal_code)
    return submit(context, session, request, medicine_name=medicine.name)


SOURCES = {"my_medicines": my_medicines, "renewable_medicines": renewable_medicines}
ACTIONS = {"request_renewal": request_renewal}
