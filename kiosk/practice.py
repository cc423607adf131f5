"""Practice visits for digital-skills courses: a staff member starts one, and for that visit the
kiosk works with a practice health service of its own and its fictional people.

A practice visit never reaches the configured health service, whatever it is: its tasks, sign-in,
sign-out and saved submissions all go through the ``PracticeService`` built here, which knows
only the practice service's address (its own HTTP pool, its own temporary outbox and delivery
loop). Nothing of it is written to the audit log as a citizen's consent or proxy either: those
events would describe fictional people. The service is stopped, and its outbox deleted, when the
practice visit ends.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.demo import DemoBackend
from kiosk.services.delivery_token import ClientSecret, DeliveryToken
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.health.medicines import RenewalCode
from kiosk.services.http import HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import DeliveryLoop, OutboxSender
from kiosk.services.signin import DeviceSignIn
from kiosk.services.tasks.common import TaskActions, TaskContext
from translations.mt import MachineTranslator

DEMO_LANGUAGE = "en"
"""The practice service's GP office writes in English (kiosk/demo/seed.yaml): in practice mode
its words are machine-translated from English, whatever office_language says."""


class VisitServices(Protocol):
    """What a visit's tasks and sign-in go through: the configured service's (the Runtime) or a
    practice visit's (PracticeService)."""

    @property
    def actions(self) -> TaskActions: ...

    @property
    def signin(self) -> DeviceSignIn: ...

    @property
    def demo(self) -> DemoBackend | None: ...


@dataclass
class PracticeService:
    """A running practice health service and the kiosk's clients of it; ``close()`` ends all."""

    demo: DemoBackend
    pool: HttpPool
    outbox: Outbox
    delivery: DeliveryLoop
    actions: TaskActions
    signin: DeviceSignIn
    folder: Path
    """The temporary folder holding the practice outbox."""

    def close(self) -> None:
        self.delivery.stop()
        self.outbox.close()
        self.pool.close()
        self.demo.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_practice(settings: Settings, clock: Clock,
                   translator: MachineTranslator | None = None, *, seed: int | None = None,
                   poll_interval_s: int = 1) -> PracticeService:
    """Start a practice service on this machine and connect a visit's services to it only.

    The configured service's settings that name it (fhir_base_url, issuer, audience, delivery
    key) are not used: the practice service is found from its own address, as in practice mode.
    translator is the kiosk's own (its models are loaded once), so a learner sees the practice
    office's words machine-translated as a citizen sees a real office's."""
    demo = DemoBackend(host=settings.demo_host, port=0, clock=clock, seed=seed,
                       kiosk_name=settings.kiosk_name, poll_interval=poll_interval_s,
                       delivery_client_id=settings.delivery_client_id,
                       country=settings.country)
    demo.start()
    folder = Path(tempfile.mkdtemp(prefix="helselos-practice-"))
    pool = HttpPool(timeout_s=settings.http_timeout_s, retries=settings.http_retries)
    try:
        fhir = FhirClient(pool.at(demo.fhir_base))
        discovery = Discovery(pool, demo.fhir_base)
        outbox = Outbox(folder / "outbox.sqlite3", clock=clock,
                        max_age_h=settings.outbox_max_age_h)
        token = DeliveryToken(discovery, settings.delivery_client_id,
                              ClientSecret(demo.delivery_secret),
                              scope=settings.delivery_scopes, clock=clock)
        sender = OutboxSender(outbox, fhir, token)
        delivery = DeliveryLoop(sender, clock=clock)
        delivery.start()
    except BaseException:
        pool.close()
        demo.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    actions = TaskActions(TaskContext(
        fhir, clock, sender, country=settings.country,
        renewal_code=RenewalCode.parse(settings.renewal_task_code), audit=None,
        translator=translator, office_language=DEMO_LANGUAGE))
    signin = DeviceSignIn(discovery, fhir, settings.client_id, scope=settings.scopes,
                          national_id_claim=settings.national_id_claim, clock=clock)
    return PracticeService(demo=demo, pool=pool, outbox=outbox, delivery=delivery,
                           actions=actions, signin=signin, folder=folder)
