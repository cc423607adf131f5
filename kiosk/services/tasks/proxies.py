"""Proxy tasks: the signed-in citizen makes a relative their proxy (fullmakt), and chooses
whose record the kiosk uses: their own, or that of someone they may act for.

``give_proxy`` reads the answers "relative" (the relative's name), "relative_born" (their
birth year) and "duration" ("year" or "open"). The country's policy decides first, with the
citizen's age from their Patient record; a refusal is an ActionResult that is not ok,
carrying the policy's reason. Only then is the RelatedPerson submitted through the outbox.

``whose_record`` lists the citizen and the people the health service lets them act for (it
applies the country's policy: a parent for a child of the right age, a proxy in force), and
``act_for`` keeps the answer "whose" in the Session, so ``who()`` uses that person's record.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.policy.access import ProxyGrant, policy_for
from kiosk.services.health.fhirdata import parse_day
from kiosk.services.health.proxies import register_proxy
from kiosk.services.http import ServiceError, _
from kiosk.services.tasks.common import NotSignedIn, TaskContext, answer, submit


class NoBirthDate(ServiceError):
    """The health service's record of the citizen lacks the birth date the policy needs."""

    msgid = _("Your health record has no birth date, so a proxy cannot be given here. Please ask"
              " the staff for help.")


def _signed_in(session: Any) -> tuple[str, str]:
    """The signed-in citizen themselves: only they can give their own proxy, never someone
    the kiosk acts for on their behalf."""
    person = session.person
    if person is None:
        raise NotSignedIn("proxy step reached without a signed-in person")
    return person.access_token, person.patient_id


def birth_date(context: TaskContext, token: str, patient_id: str) -> date:
    """The patient's birth date as the health service records it."""
    patient = context.fhir.read("Patient", patient_id, token)
    born = parse_day(patient.get("birthDate"), "Patient.birthDate")
    if born is None:
        raise NoBirthDate("the Patient resource has no birthDate")
    return born


def one_year_on(day: date) -> date:
    """The last day of a proxy given for one year from ``day``."""
    try:
        return day.replace(year=day.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February: a year on is 28 February
        return day.replace(year=day.year + 1, day=28)


def give_proxy(context: TaskContext, session: Any) -> ActionResult:
    token, patient_id = _signed_in(session)
    today = context.clock.now().date()
    name = str(answer(session, "relative"))
    # Only the year is asked: the last day of it is the youngest the relative can be, so the
    # age rule never lets through someone who might be under age.
    year = int(answer(session, "relative_born"))
    proxy_birth = min(date(year, 12, 31), today)
    end = one_year_on(today) if answer(session, "duration") == "year" else None
    policy = policy_for(context.country)
    decision = policy.adult_proxy(
        ProxyGrant(birth_date(context, token, patient_id), proxy_birth,
                   frozenset(policy.areas), valid_until=end),
        today,
    )
    if not decision.allowed:
        return ActionResult(ok=False, error=decision.reason)
    return submit(context, session, register_proxy(patient_id, name, today, end))


def _person_name(patient: dict[str, Any]) -> str:
    for name in patient.get("name") or []:
        if name.get("text"):
            return str(name["text"])
        parts = [*(name.get("given") or []), name.get("family") or ""]
        if any(parts):
            return " ".join(str(p) for p in parts if p)
    return ""


def whose_record(context: TaskContext, session: Any) -> list[Option]:
    """Me first, then everyone else whose Patient record my token may read, by name."""
    token, me = _signed_in(session)
    others = [Option(id=str(p["id"]), label=_person_name(p))
              for p in context.fhir.search("Patient", {"_count": 100}, token)
              if str(p.get("id")) != me]
    others.sort(key=lambda o: (o.label.casefold(), o.id))
    return [Option(id=me, label=session.person.display_name), *others]


def act_for(context: TaskContext, session: Any) -> ActionResult:
    _signed_in(session)
    session.act_for(str(answer(session, "whose")), session.labels.get("whose", ""))
    return ActionResult(ok=True)


SOURCES = {"whose_record": whose_record}
ACTIONS = {"give_proxy": give_proxy, "act_for": act_for}
