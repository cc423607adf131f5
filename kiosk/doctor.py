"""`kiosk doctor`: small health checks an operator runs after installing or when something is off.

Each check returns one ``Check``; none raises. Checks never read or print citizen data.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Settings

if TYPE_CHECKING:
    from kiosk.guides.schema import GuideError
    from speech.synth import Synthesizer

OK, WARN, FAIL = "OK", "WARN", "FAIL"
MIN_FREE_BYTES = 50 * 1024 * 1024
LOW_FREE_BYTES = 500 * 1024 * 1024
NO_SOUND_CARD = "no sound card: silent, speech goes to a private file sink"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table."""

    name: str
    status: str
    """OK, WARN (works, but not as well as it should) or FAIL (the kiosk cannot do its job)."""
    detail: str


def check_audio(settings: Settings) -> Check:
    """Is there a sound card to speak through?"""
    spec = settings.audio_output
    if spec == "none":
        return Check("audio output", WARN, "audio_output = none: the kiosk is silent")
    if spec.startswith("file:"):
        target = Path(spec.removeprefix("file:"))
        if target.is_dir() and os.access(target, os.W_OK):
            return Check("audio output", OK, f"speech is written as WAV files into {target}")
        return Check("audio output", FAIL, f"{target} is not a writable directory")
    from hardware.audio import NoAudioDevice, SoundDeviceOutput

    # The same choice "auto" makes at run time: the default output device, else a file sink.
    try:
        output = SoundDeviceOutput()
    except NoAudioDevice as exc:
        return Check("audio output", WARN, f"{NO_SOUND_CARD} ({exc})")
    output.close()
    return Check("audio output", OK, output.description)


def check_printer(settings: Settings) -> Check:
    """Is the receipt printer's device there, writable and ready? Nothing is printed."""
    from hardware.printer import PrinterError, PrinterOutOfPaper, open_printer

    if settings.printer_device is None:
        return Check("printer", OK, "none configured (printer_device): no slips are printed")
    printer = open_printer(settings.printer_device, settings.printer_width)
    try:
        return Check("printer", OK, printer.check())
    except PrinterOutOfPaper as exc:
        return Check("printer", WARN, str(exc))
    except PrinterError as exc:
        return Check("printer", FAIL, str(exc))


def check_headset(settings: Settings) -> Check:
    """Can the kiosk tell when a headset is plugged in? Without it, personal text is not spoken."""
    from hardware.headset import NoJack, open_jack

    sensor = open_jack(settings.headset_jack)
    if isinstance(sensor, NoJack):
        return Check("headset", WARN, "no headset detection (headset_jack): personal text is "
                                      "shown but never spoken")
    state = sensor.plugged()
    if state is None:
        return Check("headset", FAIL, f"{sensor.description} cannot be read")
    return Check("headset", OK, f"{sensor.description}: "
                                f"{'headset plugged in' if state else 'no headset now'}")


def open_synth(settings: Settings) -> Synthesizer:
    """The synthesizer as the kiosk opens it: its Piper voices and recorded clips included."""
    from speech.synth import Synthesizer
    from translations.recordings import Recordings

    return Synthesizer(voices_dir=settings.piper_voices_dir,
                       recordings=Recordings(settings.recordings_path))


def check_voices(settings: Settings) -> list[Check]:
    """One check per shipped language: what speaks it here, and that it really speaks a word."""
    from speech.synth import SynthError
    from translations.languages import LANGUAGES

    try:
        synth = open_synth(settings)
    except SynthError as exc:
        return [Check("text to speech", FAIL if settings.speech else WARN, str(exc))]
    checks = []
    with synth:
        for code, language in LANGUAGES.items():
            name = f"voice {code}"
            kind = synth.kind(code)
            if not synth.has_voice(code):
                detail = ("recorded clips only; other texts are shown only" if kind == "recorded"
                          else "no voice: text only")
                checks.append(Check(name, WARN, detail))
                continue
            wav = synth.synthesize(language.native_name, code)
            if wav.stat().st_size <= 44:  # a WAV header and no samples
                checks.append(Check(name, FAIL, f"the {kind} voice made no sound"))
            else:
                checks.append(Check(name, OK, _voice_name(kind)))
            wav.unlink(missing_ok=True)
    return checks


def _voice_name(kind: str | None) -> str:
    if kind is not None and kind.startswith("neighbour:"):
        return f"read by the {kind.removeprefix('neighbour:')} voice (none of its own)"
    return {"piper": "Piper neural voice", "espeak": "espeak-ng voice"}.get(kind or "", "")


def check_listening(settings: Settings) -> list[Check]:
    """The microphone, and per language whether a speech model is installed and loads."""
    from hardware.microphone import probe_microphone
    from kiosk.model_check import check_model
    from speech.models import ModelError, list_models
    from translations.languages import LANGUAGES

    if settings.voice_input == "off":
        return [Check("listening", OK, "voice_input = off: answers by touch and keys only")]
    problem = probe_microphone(settings.microphone)
    checks = [Check("microphone", WARN, f"{problem}: answers by touch and keys only")
              if problem else Check("microphone", OK, f"input found ({settings.voice_input})")]
    models = {m.language: m for m in reversed(list_models(settings.speech_models_dir))}
    for code in [*LANGUAGES, *sorted(set(models) - set(LANGUAGES))]:
        name = f"listening {code}"
        model = models.get(code)
        if model is None:
            checks.append(Check(name, WARN, "no speech model (kiosk models add): touch and "
                                "keys only"))
            continue
        try:
            probe = check_model(model.path, code, model.engine)
        except ModelError as exc:
            checks.append(Check(name, FAIL, str(exc)))
            continue
        detail = (f"{model.engine} model, {model.size_bytes / 1e6:.0f} MB, loads in "
                  f"{probe.load_seconds:.1f} s")
        if code not in LANGUAGES:
            checks.append(Check(name, WARN, f"{detail}, but the kiosk does not offer {code}"))
        elif probe.unheard:
            # Those words are left out of every screen's grammar; the citizen presses instead.
            checks.append(Check(name, WARN, f"{detail}; cannot hear: "
                                f"{', '.join(probe.unheard)}"))
        else:
            checks.append(Check(name, OK, detail))
    return checks


def check_catalogs() -> list[Check]:
    """Every text the kiosk shows is translated in every shipped language."""
    from translations.extract import missing_in_catalog
    from translations.languages import LANGUAGES

    checks = []
    for code in LANGUAGES:
        missing = missing_in_catalog(code)
        if missing:
            # A plural entry is a (singular, plural) pair: name it by its singular.
            text = missing[0] if isinstance(missing[0], str) else missing[0][0]
            first = text if len(text) <= 40 else text[:39] + "…"
            detail = f"{len(missing)} text(s) untranslated, e.g. {first!r}"
            checks.append(Check(f"catalog {code}", WARN, detail))
        else:
            checks.append(Check(f"catalog {code}", OK, "complete"))
    return checks


def check_guides() -> Check:
    """The bundled guides load and validate against the services the kiosk offers."""
    from kiosk.guides.loader import bundled_guides_dir

    guides_dir = bundled_guides_dir()
    errors = guide_errors([guides_dir])
    if errors:
        return Check("guides", FAIL, f"{len(errors)} error(s), first: {errors[0]}")
    count = len(list(guides_dir.glob("*.yaml")))
    return Check("guides", OK, f"{count} guide file(s) in {guides_dir} are valid")


def guide_errors(paths: list[Path]) -> list[GuideError]:
    """Validation errors of guide files or folders, checked against TaskActions' names."""
    from kiosk.guides.loader import check_paths
    from kiosk.services.tasks.common import known_actions, known_sources

    return check_paths(paths, known_sources(), known_actions())


def check_state_dir(settings: Settings) -> Check:
    """The state directory exists (or can be made), is writable and private to the kiosk user."""
    path = settings.state_dir
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("state dir", FAIL, f"{path} is not writable: {exc.strerror or exc}")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("state dir", WARN, f"{path} is mode {mode:04o}; make it 0700 (chmod 700)")
    return Check("state dir", OK, f"{path} is writable, mode {mode:04o}")


def check_clock(now: datetime | None = None) -> Check:
    """The clock is set (slot times depend on it) and a local timezone is configured."""
    now = now or datetime.now().astimezone()
    zone = now.tzname() or "no timezone"
    if now.year < 2024:
        return Check("clock", FAIL, f"the clock says {now:%Y-%m-%d}: set the time (NTP)")
    if now.tzinfo is None or zone == "UTC":
        return Check(
            "clock", WARN, f"{now:%Y-%m-%d %H:%M} {zone}: set the local timezone (timedatectl)"
        )
    return Check("clock", OK, f"{now:%Y-%m-%d %H:%M} {zone}")


def check_disk(settings: Settings) -> Check:
    """Free space where the kiosk writes its state."""
    path = settings.state_dir
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    text = f"{free / 1024 / 1024:.0f} MB free at {path}"
    if free < MIN_FREE_BYTES:
        return Check("disk space", FAIL, text)
    if free < LOW_FREE_BYTES:
        return Check("disk space", WARN, text)
    return Check("disk space", OK, text)


def check_outbox(settings: Settings, now: datetime | None = None) -> Check:
    """Submissions waiting on this kiosk to be sent: how many, the oldest one's age and the
    longest they are kept. Counts and ages only; the doctor never reads what they hold."""
    from kiosk.services.outbox import OutboxError, read_stats

    limit_h = settings.outbox_max_age_h
    now = now or datetime.now().astimezone()
    try:
        stats = read_stats(settings.outbox_file, now=now)
    except OutboxError as exc:
        return Check("outbox", FAIL, f"{exc}: submissions cannot be saved")
    if stats is None or (stats.pending == 0 and stats.expired == 0):
        return Check("outbox", OK, f"nothing waiting to be sent (kept at most {limit_h} h)")
    parts = [f"{stats.pending} waiting to be sent"]
    if stats.oldest_age_s is not None:
        parts.append(f"the oldest {stats.oldest_age_s / 3600:.1f} h old")
    parts.append(f"kept at most {limit_h} h")
    if stats.rejected:
        parts.append(f"{stats.rejected} refused by the health service (see the log)")
    recent_loss = False
    if stats.expired:
        parts.append(f"{stats.expired} expired submission(s) were discarded")
        recent_loss = (stats.last_expired_at or 0) > now.timestamp() - limit_h * 3600
    aging = (stats.oldest_age_s or 0) >= limit_h * 3600 / 2
    status = WARN if stats.rejected or aging or recent_loss else OK
    return Check("outbox", status, "; ".join(parts))


def _guarded(name: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    try:
        result = check()
    except Exception as exc:  # the doctor reports a broken part; it must not crash on it
        return [Check(name, FAIL, f"{type(exc).__name__}: {exc}")]
    return result if isinstance(result, list) else [result]


def run_checks(settings: Settings) -> list[Check]:
    """All checks in the order the table shows them."""
    from kiosk.doctor_languages import check_languages
    from kiosk.doctor_service import check_service

    return [
        *_guarded("audio output", lambda: check_audio(settings)),
        *_guarded("printer", lambda: check_printer(settings)),
        *_guarded("headset", lambda: check_headset(settings)),
        *_guarded("text to speech", lambda: check_voices(settings)),
        *_guarded("listening", lambda: check_listening(settings)),
        *_guarded("catalogs", check_catalogs),
        *_guarded("languages", lambda: check_languages(settings)),
        *_guarded("guides", check_guides),
        *_guarded("backend", lambda: check_service(settings)),
        *_guarded("state dir", lambda: check_state_dir(settings)),
        *_guarded("outbox", lambda: check_outbox(settings)),
        *_guarded("clock", check_clock),
        *_guarded("disk space", lambda: check_disk(settings)),
    ]


def exit_code(checks: list[Check]) -> int:
    """1 when any check failed, else 0 (warnings do not fail the doctor)."""
    return 1 if any(c.status == FAIL for c in checks) else 0
