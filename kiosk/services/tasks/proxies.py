"""Proxy tasks: the signed-in citizen makes a relative their proxy (fullmakt), and chooses
whose record the kiosk uses: their own, or that of someone they may act for.

The proxy guide's answers: "relative" (the relative's name), "relative_id" (their national
identity number, which also gives their birth date), "scope" ("all" or "some"), for "some" a
yes or no per proxy choice of the country's rules, stored as "area_<choice>" (e.g.
"area_medicines"), and "duration" ("year" or "open").

``check_relative`` checks the number and asks the country's policy early, so a mistyped
number or a relative who may not be a proxy is said at once; ``proxy_summary`` lists what the
proxy will cover and for how long, for the citizen to confirm; ``give_proxy`` checks it all
again with the areas chosen and submits the RelatedPerson through the outbox. A refusal is an
ActionResult that is not ok, carrying the reason.

``my_proxies`` lists the proxies the citizen has given that are in force ("which_proxy" is
the chosen one's id) and ``end_proxy`` ends it.

``whose_record`` lists the citizen and the people the health service lets them act for (it
applies the country's policy: a parent for a child of the right age, a proxy in force), and
``act_for`` keeps the answer "whose" in the Session, so ``who()`` uses that person's record.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.policy.access import ALL, Decision, Policy, ProxyGrant, policy_for
from kiosk.services.health import national_id
from kiosk.services.health.fhirdata import parse_day
from kiosk.services.health.proxies import (
    end_proxy,
    has_confidential_address,
    linked_records,
    register_proxy,
    related_people,
)
from kiosk.services.http import ServiceError
from kiosk.services.tasks.common import MissingAnswer, NotSignedIn, TaskContext, answer, submit
from translations.catalog import N_

AREA_WORDS = {
    ALL: N_("Use all your health services"),
    "appointments": N_("Book and change appointments"),
    "medicines": N_("See your medicines and ask for renewals"),
    "messages": N_("Send messages to your GP office"),
    "records": N_("See your vaccines, health contacts and health records"),
}
"""What a proxy covers, in words, for ``ALL`` and each proxy choice of the rules."""
DURATION_WORDS = {"year": N_("For one year"), "open": N_("Until I end it")}
"""The duration as the guide's choices say it."""
NOT_IN_FORCE = N_("This proxy has already ended. Please choose again.")
NOTHING_CHOSEN = N_("You said no to every service, so there is no proxy to give. Please change"
                   " your answers.")


class NoBirthDate(ServiceError):
    """The health service's record of the citizen lacks the birth date the policy needs."""

    msgid = N_("Your health record has no birth date, so a proxy cannot be given here. Please ask"
              " the staff for help.")


def _signed_in(session: Any) -> tuple[str, str]:
    """The signed-in citizen themselves: only they can give their own proxy, never someone
    the kiosk acts for on their behalf."""
    person = session.person
    if person is None:
        raise NotSignedIn("proxy step reached without a signed-in person")
    return person.access_token, person.patient_id


def _patient(context: TaskContext, token: str, patient_id: str) -> tuple[date, bool]:
    """The patient's birth date and whether their address is confidential, as the health
    service records them."""
    patient = context.fhir.read("Patient", patient_id, token)
    born = parse_day(patient.get("birthDate"), "Patient.birthDate")
    if born is None:
        raise NoBirthDate("the Patient resource has no birthDate")
    return born, has_confidential_address(patient)


def one_year_on(day: date) -> date:
    """The last day of a proxy given for one year from ``day``."""
    try:
        return day.replace(year=day.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February: a year on is 28 February
        return day.replace(year=day.year + 1, day=28)


def _relative(session: Any, today: date) -> national_id.NationalId | ActionResult:
    """The relative's checked number, or the refusal saying what to fix."""
    try:
        found = national_id.parse(str(answer(session, "relative_id")))
    except national_id.NationalIdError as error:
        return ActionResult(ok=False, error=error.msgid, values=dict(error.params))
    if found.birth_date > today:
        return ActionResult(ok=False, error=national_id.NOT_VALID)
    return found


def _decide(context: TaskContext, session: Any, relative: national_id.NationalId,
            areas: frozenset[str], valid_until: date | None, today: date) -> Decision:
    token, patient_id = _signed_in(session)
    born, confidential = _patient(context, token, patient_id)
    grant = ProxyGrant(born, relative.birth_date, areas, valid_until=valid_until,
                       giver_confidential_address=confidential)
    return policy_for(context.country).adult_proxy(grant, today)


def chosen(policy: Policy, session: Any) -> frozenset[str]:
    """What the citizen gives the proxy for: ``ALL``, or the choices they said yes to."""
    if answer(session, "scope") == ALL:
        return frozenset({ALL})
    said = {name: session.answers.get(f"area_{name}") for name in policy.proxy_choices}
    missing = sorted(name for name, yes in said.items() if yes is None)
    if missing:
        raise MissingAnswer(f"the session has no answer for the areas {missing}")
    return frozenset(name for name, yes in said.items() if yes is True)


def _end(context: TaskContext, session: Any) -> date | None:
    today = context.clock.now().date()
    return one_year_on(today) if answer(session, "duration") == "year" else None


def check_relative(context: TaskContext, session: Any) -> ActionResult:
    """Is the number right, and may this relative be the citizen's proxy at all?"""
    today = context.clock.now().date()
    relative = _relative(session, today)
    if isinstance(relative, ActionResult):
        return relative
    policy = policy_for(context.country)
    decision = _decide(context, session, relative, policy.proxy_areas([ALL]), None, today)
    return ActionResult(ok=decision.allowed, error=None if decision.allowed else decision.reason)


def proxy_summary(context: TaskContext, session: Any) -> list[Option]:
    """What the proxy will cover, in words, then for how long; nothing when nothing is chosen."""
    policy = policy_for(context.country)
    names = chosen(policy, session)
    if not names:
        return []
    order = [ALL, *policy.proxy_choices]
    return [*(Option(id=name, label=AREA_WORDS[name], label_msgid=True)
              for name in order if name in names),
            Option(id="duration", label=DURATION_WORDS[str(answer(session, "duration"))],
                   label_msgid=True)]


def give_proxy(context: TaskContext, session: Any) -> ActionResult:
    _token, patient_id = _signed_in(session)
    today = context.clock.now().date()
    relative = _relative(session, today)
    if isinstance(relative, ActionResult):
        return relative
    policy = policy_for(context.country)
    names = chosen(policy, session)
    if not names:
        return ActionResult(ok=False, error=NOTHING_CHOSEN)
    end = _end(context, session)
    decision = _decide(context, session, relative, policy.proxy_areas(names), end, today)
    if not decision.allowed:
        return ActionResult(ok=False, error=decision.reason)
    name = str(answer(session, "relative"))
    return submit(context, session, register_proxy(
        patient_id, name, today, end, areas=names, national_id=relative.value))


def my_proxies(context: TaskContext, session: Any) -> list[Option]:
    """The proxies the signed-in citizen has given that are in force now, by name."""
    token, patient_id = _signed_in(session)
    today = context.clock.now().date()
    return [Option(id=r.id, label=r.name)
            for r in related_people(context.fhir, token, patient_id)
            if r.is_proxy and r.in_force(today)]


def end_given_proxy(context: TaskContext, session: Any) -> ActionResult:
    """End the chosen proxy now. Sent now or not at all: the outbox never keeps a change to an
    existing resource, so a failure is raised and the citizen is told nothing changed."""
    proxy_id = str(answer(session, "which_proxy"))
    if not any(o.id == proxy_id for o in my_proxies(context, session)):
        return ActionResult(ok=False, error=NOT_IN_FORCE)
    return submit(context, session, end_proxy(proxy_id))


def whose_record(context: TaskContext, session: Any) -> list[Option]:
    """Me first, then everyone whose record links to me (a child, someone who made me their
    proxy), by name."""
    token, me = _signed_in(session)
    today = context.clock.now().date()
    others = [Option(id=patient, label=name)
              for patient, name in linked_records(context.fhir, token, me, today)]
    others.sort(key=lambda o: (o.label.casefold(), o.id))
    return [Option(id=me, label=session.person.display_name), *others]


def act_for(context: TaskContext, session: Any) -> ActionResult:
    _signed_in(session)
    session.act_for(str(answer(session, "whose")), session.labels.get("whose", ""))
    return ActionResult(ok=True)


SOURCES = {"whose_record": whose_record, "proxy_summary": proxy_summary,
           "my_proxies": my_proxies}
ACTIONS = {"give_proxy": give_proxy, "check_relative": check_relative, "act_for": act_for,
           "end_proxy": end_given_proxy}
