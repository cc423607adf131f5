"""Measurement tasks: send one home measurement (blood pressure, pulse, weight, blood sugar,
oxygen saturation) to the GP office as an Observation, through the outbox.

Reads the citizen's answers from the session: "kind" (a kind of the health API's
measurements.yaml, e.g. "blood_pressure") and one number per reading of that kind, stored under
the reading's key (e.g. "systolic", "diastolic"). An implausible value is an ActionResult that
is not ok, whose msgid says what to check (the citizen goes back and types it again).
"""

from __future__ import annotations

from typing import Any

from kiosk.guides.model import ActionResult
from kiosk.services.health.measurements import OutOfRange, kinds, measurement
from kiosk.services.tasks.common import TaskContext, answer, submit, who


def send_measurement(context: TaskContext, session: Any) -> ActionResult:
    _token, patient_id = who(session)
    key = str(answer(session, "kind"))
    known = kinds()
    if key not in known:
        raise ValueError(f"no measurement kind {key!r}; known: {sorted(known)}")
    kind = known[key]
    values = {reading.key: answer(session, reading.key) for reading in kind.readings}
    try:
        built = measurement(kind, values, patient_id, context.clock.now())
    except OutOfRange as exc:
        # values holds {min} and {max} for the message; nothing is remembered from a failure.
        return ActionResult(ok=False, error=exc.msgid, values=exc.values)
    return submit(context, session, built)


ACTIONS = {"send_measurement": send_measurement}
