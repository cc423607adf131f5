"""Everything the kiosk app runs on, built once from Settings: services, guides, voice, helper.

No Textual here, so the same Runtime serves the app, the CLI's checks and the tests. In practice
mode (no backend_url) the bundled demo health service is started on a free local port.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from hardware.audio import AudioOutput, NullOutput, open_output
from hardware.headset import JackSensor, open_jack
from hardware.printer import ReceiptPrinter, open_printer
from helper_mode.assist import HelperMode
from helper_mode.audit import AuditLog
from helper_mode.staff import StaffRegistry
from kiosk.clock import Clock, SystemClock
from kiosk.config import ConfigError, Settings
from kiosk.guides.loader import bundled_guides_dir, load_guides
from kiosk.guides.model import Guide
from kiosk.services.delivery_token import DeliveryToken
from kiosk.services.demo_backend import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import DeliveryLoop, OutboxSender
from kiosk.services.signin import DeviceSignIn
from kiosk.services.tasks.common import TaskActions, TaskContext
from kiosk.session import Session
from speech.synth import SynthError, Synthesizer
from speech.voice import Voice
from translations.catalog import Localizer

log = logging.getLogger(__name__)


def translate(msgid: str, lang: str) -> str:
    """Translation callback for the voice (it speaks notices such as the privacy notice)."""
    return Localizer(lang).gettext(msgid)


@dataclass
class Runtime:
    """The kiosk's long-lived parts. ``close()`` stops all of them."""

    settings: Settings
    clock: Clock
    session: Session
    guides: list[Guide]
    actions: TaskActions
    signin: DeviceSignIn
    voice: Voice
    helper: HelperMode
    demo: DemoBackend | None
    base_url: str
    http: HttpClient
    output: AudioOutput
    printer: ReceiptPrinter
    headset: JackSensor
    outbox: Outbox
    delivery: DeliveryLoop | None
    synth: Synthesizer | None = None
    speech_problem: str | None = None
    """Why the kiosk runs silent although speech is on (shown to staff, never personal)."""
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.delivery is not None:
            self.delivery.stop()
        self.outbox.close()
        self.session.wipe()
        self.voice.reset()
        self.voice.close()
        if self.synth is not None:
            self.synth.close()
        self.output.close()
        self.http.close()
        if self.demo is not None:
            self.demo.stop()


def _open_speech(settings: Settings) -> tuple[Synthesizer | None, str | None]:
    if not settings.speech:
        return None, None
    try:
        return Synthesizer(), None
    except (SynthError, OSError, RuntimeError) as exc:
        log.warning("speech synthesis unavailable, running silent: %s", exc)
        return None, str(exc)


def _read_secret(settings: Settings) -> str | None:
    path = settings.delivery_secret_file
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ConfigError(f"delivery_secret_file: cannot read {path}: {exc.strerror}") from exc


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    demo_seed: int | None = None,
    demo_poll_interval_s: int = 1,
) -> Runtime:
    """Build (and start) everything; on failure, whatever was started is stopped again."""
    clock = clock or SystemClock()
    started: list[Any] = []
    try:
        demo: DemoBackend | None = None
        if settings.backend_url is None:
            demo = DemoBackend(
                host=settings.demo_host, port=0, clock=clock, seed=demo_seed,
                kiosk_name=settings.kiosk_name, poll_interval=demo_poll_interval_s,
                client_id=settings.client_id, country=settings.country,
            )
            base_url = demo.start()
            started.append(demo.stop)
        else:
            base_url = settings.backend_url
        http = HttpClient(base_url, timeout_s=settings.http_timeout_s,
                          retries=settings.http_retries)
        started.append(http.close)
        fhir = FhirClient(http)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        outbox = Outbox(settings.outbox_file, clock=clock, max_age_h=settings.outbox_max_age_h)
        started.append(outbox.close)
        secret = demo.delivery_secret if demo is not None else _read_secret(settings)
        sender = OutboxSender(outbox, fhir, DeliveryToken(http, settings.client_id, secret or ""))
        delivery: DeliveryLoop | None = None
        if secret:
            delivery = DeliveryLoop(sender, clock=clock)
            delivery.start()
            started.append(delivery.stop)
        else:
            log.warning("no delivery_secret_file: saved submissions wait until one is set")
        actions = TaskActions(TaskContext(fhir, clock, sender, country=settings.country))
        # Endpoints from the service's published metadata, in practice mode too: the practice
        # service takes the path any identity provider does.
        signin = DeviceSignIn(http, settings.client_id, clock=clock, fhir=fhir, discovery=True)
        guides = load_guides([bundled_guides_dir()], known_sources=actions.sources(),
                             known_actions=actions.actions())
        output = open_output(settings.audio_output, clock) if settings.speech else NullOutput()
        printer = open_printer(settings.printer_device, settings.printer_width)
        headset = open_jack(settings.headset_jack)
        started.append(output.close)
        synth, problem = _open_speech(settings)
        if synth is not None:
            started.append(synth.close)
        voice = Voice(synth, output, translate=translate, enabled=settings.speech)
        helper = HelperMode(StaffRegistry(settings.staff_file, clock),
                            AuditLog(settings.audit_file, clock))
    except BaseException:
        for stop in reversed(started):
            stop()
        raise
    return Runtime(
        settings=settings, clock=clock, session=Session(settings.default_language),
        guides=guides, actions=actions, signin=signin, voice=voice, helper=helper, demo=demo,
        base_url=base_url, http=http, output=output, printer=printer, headset=headset,
        outbox=outbox, delivery=delivery,
        synth=synth, speech_problem=problem,
    )
