"""Everything the kiosk app runs on, built once from Settings: services, guides, voice, helper.

No Textual here, so the same Runtime serves the app, the CLI's checks and the tests. In practice
mode (no fhir_base_url) the bundled demo health service is started on a free local port and
reached exactly as a real one: through its FHIR base URL and the documents it publishes.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware.audio import (
    LISTENING_SOUND_S,
    AudioOutput,
    NullOutput,
    make_chime,
    make_tone,
    open_output,
)
from hardware.headset import JackSensor, open_jack
from hardware.microphone import AudioSource, MicrophoneSource
from hardware.printer import ReceiptPrinter, open_printer
from helper_mode.assist import HelperMode
from helper_mode.audit import AuditLog
from helper_mode.call_staff import StaffCall, Webhook
from helper_mode.staff import StaffRegistry
from kiosk.clock import Clock, SystemClock
from kiosk.config import ConfigError, Settings
from kiosk.demo import DemoBackend
from kiosk.guides.loader import bundled_guides_dir, load_guides
from kiosk.guides.model import Guide
from kiosk.practice import DEMO_LANGUAGE, PracticeService, VisitServices
from kiosk.services.delivery_token import (
    ClientSecret,
    Credential,
    DeliveryToken,
    KeyFileError,
    load_private_key,
)
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.health.medicines import RenewalCode
from kiosk.services.http import HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import DeliveryLoop, OutboxSender
from kiosk.services.signin import DeviceSignIn
from kiosk.services.tasks.common import TaskActions, TaskContext
from kiosk.session import Session
from speech.engines import load_recognizer
from speech.listener import Listener
from speech.models import find_model
from speech.synth import SynthError, Synthesizer
from speech.voice import Voice
from translations.catalog import Localizer
from translations.mt import MachineTranslator, engines_for
from translations.recordings import Recordings

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
    audit: AuditLog
    """Who did what, and when (helper mode, visits, proxies, consents); never about whom."""
    demo: DemoBackend | None
    fhir_base_url: str
    pool: HttpPool
    discovery: Discovery
    output: AudioOutput
    printer: ReceiptPrinter
    headset: JackSensor
    outbox: Outbox
    delivery: DeliveryLoop | None
    staff_call: StaffCall
    chime: Path
    """The call-staff chime (a WAV in a private temporary folder)."""
    listening_sound: Path
    """The short high beep that says "speak now" after the Talk key (same folder)."""
    listener: Listener | None = None
    """Listening for spoken answers; None when voice_input is off."""
    synth: Synthesizer | None = None
    speech_problem: str | None = None
    """Why the kiosk runs silent although speech is on (shown to staff, never personal)."""
    practice: PracticeService | None = None
    """The practice service of a practice visit under way (staff started it), else None."""
    _closed: bool = field(default=False, repr=False)

    @property
    def visit(self) -> VisitServices:
        """What the current visit's tasks and sign-in go through: the practice service during a
        practice visit (never the configured one), else the configured service."""
        return self.practice if self.practice is not None else self

    def end_practice(self) -> PracticeService | None:
        """The visit is over: the practice service, if one ran, is detached (the caller closes
        it once its sign-out is done)."""
        practice, self.practice = self.practice, None
        return practice

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        practice = self.end_practice()
        if practice is not None:
            practice.close()
        if self.delivery is not None:
            self.delivery.stop()
        self.outbox.close()
        self.staff_call.close()
        if self.listener is not None:
            self.listener.close()
        self.session.wipe()
        self.voice.reset()
        self.voice.close()
        if self.synth is not None:
            self.synth.close()
        self.output.close()
        shutil.rmtree(self.chime.parent, ignore_errors=True)
        self.pool.close()
        if self.demo is not None:
            self.demo.stop()


def _open_speech(settings: Settings) -> tuple[Synthesizer | None, str | None]:
    if not settings.speech:
        return None, None
    try:
        return Synthesizer(voices_dir=settings.piper_voices_dir,
                           recordings=Recordings(settings.recordings_path)), None
    except (SynthError, OSError, RuntimeError) as exc:
        log.warning("speech synthesis unavailable, running silent: %s", exc)
        return None, str(exc)


def _open_listener(settings: Settings,
                   open_source: Callable[[], AudioSource] | None) -> Listener | None:
    if settings.voice_input == "off":
        return None
    models_dir = settings.speech_models_dir
    # A device as `python -m sounddevice` lists it: its number, or a part of its name.
    device = (int(settings.microphone) if settings.microphone and settings.microphone.isdigit()
              else settings.microphone)
    return Listener(
        open_source or (lambda: MicrophoneSource(device)),
        lambda lang: load_recognizer(models_dir, lang),
        mode="always" if settings.voice_input == "always" else "push",
        has_model=lambda lang: find_model(models_dir, lang) is not None,
    )


def delivery_credential(settings: Settings) -> Credential | None:
    """How the kiosk proves its delivery identity: a Backend Services key, else a secret."""
    if settings.delivery_key_file is not None:
        try:
            return load_private_key(settings.delivery_key_file, settings.delivery_key_id)
        except KeyFileError as exc:
            raise ConfigError(f"delivery_key_file: {exc}") from exc
    path = settings.delivery_secret_file
    if path is None:
        return None
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"delivery_secret_file: cannot read {path}: {exc.strerror}") from exc
    return ClientSecret(secret) if secret else None


def staff_webhook(settings: Settings) -> Webhook | None:
    """Where a call for staff is posted, with this kiosk's secret; None: chimed and shown only."""
    if settings.help_webhook_url is None:
        return None
    secret = ""
    path = settings.help_webhook_secret_file
    if path is not None:
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"help_webhook_secret_file: cannot read {path}: "
                              f"{type(exc).__name__}") from exc
        # A header value: a line break or non-ASCII text would be refused at every try.
        if not (secret.isascii() and secret.isprintable()):
            raise ConfigError(f"help_webhook_secret_file: {path} must hold one line of "
                              "printable ASCII")
    return Webhook(settings.help_webhook_url, secret, settings.kiosk_name, settings.kiosk_place,
                   settings.default_language, timeout_s=settings.http_timeout_s)


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    demo_seed: int | None = None,
    demo_poll_interval_s: int = 1,
    open_source: Callable[[], AudioSource] | None = None,
) -> Runtime:
    """Build (and start) everything; on failure, whatever was started is stopped again.

    ``open_source`` gives the listener its audio (the microphone unless a test or `kiosk
    listen` plays recordings instead)."""
    clock = clock or SystemClock()
    started: list[Any] = []
    try:
        demo: DemoBackend | None = None
        credential = delivery_credential(settings)
        staff_call = StaffCall(staff_webhook(settings), clock=clock)
        started.append(staff_call.close)
        sounds_dir = Path(tempfile.mkdtemp(prefix="helselos-sounds-"))
        started.append(lambda: shutil.rmtree(sounds_dir, ignore_errors=True))
        chime = make_chime(sounds_dir / "chime.wav")
        listening_sound = make_tone(sounds_dir / "listening.wav", freq=1320.0,
                                    seconds=LISTENING_SOUND_S)
        if settings.fhir_base_url is None:
            demo = DemoBackend(
                host=settings.demo_host, port=0, clock=clock, seed=demo_seed,
                kiosk_name=settings.kiosk_name, poll_interval=demo_poll_interval_s,
                delivery_client_id=settings.delivery_client_id, country=settings.country,
            )
            demo.start()
            started.append(demo.stop)
            fhir_base_url = demo.fhir_base
            credential = ClientSecret(demo.delivery_secret)
        else:
            fhir_base_url = settings.fhir_base_url.rstrip("/")
        pool = HttpPool(timeout_s=settings.http_timeout_s, retries=settings.http_retries)
        started.append(pool.close)
        fhir = FhirClient(pool.at(fhir_base_url))
        # The identity provider is found from what the FHIR server publishes, in practice mode
        # too: the practice service takes the path any real one does.
        discovery = Discovery(pool, fhir_base_url, settings.issuer)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        outbox = Outbox(settings.outbox_file, clock=clock, max_age_h=settings.outbox_max_age_h)
        started.append(outbox.close)
        token = DeliveryToken(discovery, settings.delivery_client_id,
                              credential or ClientSecret(""), scope=settings.delivery_scopes,
                              audience=settings.audience, clock=clock)
        sender = OutboxSender(outbox, fhir, token)
        delivery: DeliveryLoop | None = None
        if credential is not None:
            delivery = DeliveryLoop(sender, clock=clock)
            delivery.start()
            started.append(delivery.stop)
        else:
            log.warning("no delivery_key_file or delivery_secret_file: saved submissions wait "
                        "until one is set")
        audit = AuditLog(settings.audit_file, clock)
        actions = TaskActions(TaskContext(
            fhir, clock, sender, country=settings.country,
            renewal_code=RenewalCode.parse(settings.renewal_task_code),
            audit=audit.citizen_event,
            translator=MachineTranslator(engines_for(settings.state_dir)),
            office_language=settings.office_language if demo is None else DEMO_LANGUAGE))
        signin = DeviceSignIn(discovery, fhir, settings.client_id, scope=settings.scopes,
                              audience=settings.audience,
                              national_id_claim=settings.national_id_claim, clock=clock)
        guides = load_guides([bundled_guides_dir()], known_sources=actions.sources(),
                             known_actions=actions.actions())
        unknown = sorted(set(settings.portal_links) - {guide.id for guide in guides})
        if unknown:  # a misspelt task would silently never offer its link
            raise ConfigError(f"portal_links: no task {', '.join(unknown)} (the tasks: "
                              f"{', '.join(sorted(g.id for g in guides))})")
        output = open_output(settings.audio_output, clock) if settings.speech else NullOutput()
        printer = open_printer(settings.printer_device, settings.printer_width,
                               settings.printer_profile)
        headset = open_jack(settings.headset_jack)
        started.append(output.close)
        synth, problem = _open_speech(settings)
        if synth is not None:
            started.append(synth.close)
        voice = Voice(synth, output, translate=translate, enabled=settings.speech)
        helper = HelperMode(StaffRegistry(settings.staff_file, clock), audit)
        listener = _open_listener(settings, open_source)
        if listener is not None:
            started.append(listener.close)
    except BaseException:
        for stop in reversed(started):
            stop()
        raise
    return Runtime(
        settings=settings, clock=clock, session=Session(settings.default_language),
        guides=guides, actions=actions, signin=signin, voice=voice, helper=helper, audit=audit,
        demo=demo, fhir_base_url=fhir_base_url, pool=pool, discovery=discovery, output=output,
        printer=printer, headset=headset,
        outbox=outbox, delivery=delivery, staff_call=staff_call, chime=chime,
        listening_sound=listening_sound,
        listener=listener,
        synth=synth, speech_problem=problem,
    )
