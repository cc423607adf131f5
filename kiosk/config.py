"""Typed kiosk settings: defaults, then a TOML file, then HELSELOS_* environment variables, then
the command line. ``Settings`` is a msgspec Struct: each value, from whichever source, is
converted to its field's type by msgspec (text from the environment too), and the Struct checks
the whole in ``__post_init__``.

All paths the kiosk writes to are derived here, in one place.
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta
from msgspec.inspect import BoolType, FloatType, IntType, NoneType, StrType, UnionType

from kiosk.handoff import link_problem
from kiosk.services.smart import DELIVERY_SCOPES, RENEWAL_TASK_CODE, SIGN_IN_SCOPES

DEFAULT_CONFIG_PATH = Path("/etc/helselos/kiosk.toml")

# Number settings carry the range each may take (``Meta``): wide enough for any real kiosk,
# narrow enough that a typo (an hour typed in ms) does not switch a safeguard off.
_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


class ConfigError(ValueError):
    """A setting could not be read; the message names the file or variable and the field."""


def _default_state_dir(env: Mapping[str, str]) -> Path:
    # systemd's StateDirectory= sets STATE_DIRECTORY; elsewhere follow the XDG convention.
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "helselos"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an operator can set. Each field is documented because it is the manual."""

    state_dir: Path = msgspec.field(default_factory=lambda: _default_state_dir(os.environ))
    """Staff accounts, the audit log, and the outbox of submissions not yet delivered (deleted
    on delivery, never kept longer than outbox_max_age_h). Nothing else about a citizen."""
    fhir_base_url: str | None = None
    """Base URL of the health service's FHIR R4 API, any path (e.g.
    https://fhir.example.org/fhir/R4). None: start the bundled demo service (practice mode)."""
    issuer: str | None = None
    """The identity provider's issuer URL. None: the one the FHIR server names in its
    /.well-known/smart-configuration."""
    demo_host: str = "127.0.0.1"
    """Address the bundled demo service listens on (practice mode only)."""
    client_id: str = "helselos-kiosk"
    """OAuth client id of this kiosk at the identity provider: a public client allowed the
    device grant."""
    scopes: str = SIGN_IN_SCOPES
    """Scopes the citizen's sign-in asks for (SMART v2)."""
    audience: str | None = None
    """The API the tokens are for, sent as resource (RFC 8707) and aud (SMART). None:
    fhir_base_url."""
    national_id_claim: str | None = None
    """id_token claim holding the citizen's national ID number (e.g. pid), looked up as
    Patient?identifier= when the provider names neither a patient nor a fhirUser. None: not
    used."""
    kiosk_name: str = "Helselos practice kiosk"
    """Name and place shown on the citizen's phone when they approve sign-in."""
    default_language: str = "nb"
    """Language the idle screen starts in, and the one a session resets to."""
    idle_timeout_s: Annotated[int, Meta(ge=40, le=3600)] = 120
    """Seconds without any input before the session ends (warning included)."""
    idle_warning_s: Annotated[int, Meta(ge=20, le=600)] = 30
    """Seconds before the end at which the warning is shown, spoken and sounded (>= 20)."""
    max_extensions: Annotated[int, Meta(ge=10, le=1000)] = 10
    """How often a citizen may extend a session by one action (>= 10)."""
    speech: bool = True
    """Speak every screen. Off: text only."""
    audio_output: str = "auto"
    """auto (sound card, else a private file sink), none, or file:DIR (one WAV per utterance)."""
    headset_jack: str = "auto"
    """How the kiosk knows a headset is plugged in (personal text is spoken only into one):
    auto (sound card 0's jack switch, if it has one), none, alsa:CARD, or file:PATH (on/off)."""
    http_timeout_s: Annotated[float, Meta(ge=0.1, le=120.0)] = 5.0
    """Seconds to wait for the backend before saying it is not answering."""
    http_retries: Annotated[int, Meta(ge=0, le=10)] = 2
    """Extra attempts for idempotent requests, with backoff."""
    country: str = "NO"
    """NO or SE: whose rules apply to proxies and parents acting for children."""
    office_language: str = "nb"
    """Language the GP office writes and reads in: its messages and alerts are
    machine-translated from it, and a citizen's message into it, where a pair is installed
    (practice mode: en, the language of the demo service's people)."""
    outbox_max_age_h: Annotated[int, Meta(ge=1, le=24 * 30)] = 72
    """Hours an undelivered submission may wait on this kiosk before it is discarded."""
    portal_url: str | None = None
    """The health portal's address, drawn as a QR code at the end of the phone walk-through.
    Practice mode: the demo service's practice portal page (`/portal`)."""
    portal_links: dict[str, str] = msgspec.field(default_factory=dict)
    """The health portal's own page for a task, per guide id (e.g. appointment =
    "https://portal.example.no/timebestilling"): "Continue on my phone" shows it as a QR code,
    used exactly as written (https only, nothing of the visit is ever added). A task without one
    does not offer it. In the settings file only."""
    delivery_client_id: str = "helselos-kiosk-delivery"
    """OAuth client id of this kiosk's delivery identity: a confidential client allowed client
    credentials, creating submissions only, which sends saved submissions after the citizen has
    left."""
    delivery_key_file: Path | None = None
    """Private key (PEM or JWK) that signs the delivery client's SMART Backend Services
    assertions (RFC 7523); the identity provider holds its public key."""
    delivery_key_id: str | None = None
    """Key id (kid) of delivery_key_file as the identity provider knows it. None: the JWK's
    kid, else the key's RFC 7638 thumbprint."""
    delivery_secret_file: Path | None = None
    """File with the delivery client's secret (client_secret_basic), for a provider that takes
    no keys. Practice mode uses the demo service's own."""
    delivery_scopes: str = DELIVERY_SCOPES
    """Scopes of the delivery token (SMART v2, create only)."""
    renewal_task_code: str = RENEWAL_TASK_CODE
    """system|code of the Task.code that marks a request to renew a medicine, as the GP
    office's system knows it."""
    printer_device: Path | None = None
    """Device file of an ESC/POS receipt printer (e.g. /dev/usb/lp0) for the slip to finish a
    task later. Empty: no printer, also in practice mode."""
    printer_width: int = 48
    """Characters per printed line: 48 for 80 mm paper, 32 for 58 mm paper."""
    printer_profile: str = "TM-T20II"
    """The printer's python-escpos profile (its code pages), e.g. TM-T88V, TM-T20II or default;
    text no code page of it holds is printed as a picture."""
    voice_input: str = "push"
    """Listening: push (the citizen presses the Talk key, F5, or the talk button, then speaks),
    always (listens whenever the kiosk is not speaking), or off. Only in a language whose
    speech model is installed (kiosk models add)."""
    models_dir: Path | None = None
    """Where speech models are installed, one per language and engine. Empty: state_dir/models."""
    voices_dir: Path | None = None
    """Where Piper voices are installed, one per language (kiosk voices add). Empty:
    state_dir/voices."""
    recordings_dir: Path | None = None
    """Recorded audio: <language>/<key>.wav per catalog text (kiosk translations audio-missing
    LANG names them). Empty: the bundled translations/audio."""
    microphone: str | None = None
    """The sound input device (a name or number as `python -m sounddevice` lists it). Empty:
    the system's default input."""
    repeated_press_s: Annotated[float, Meta(ge=0.0, le=2.0)] = 0.0
    """A key pressed again within this many seconds counts once (for a tremor, or a key held
    down: the keyboard's own repeat then does nothing). 0: off; up to 2 seconds."""
    places: dict[str, str] = msgspec.field(default_factory=dict)
    """Where this kiosk's headset jack, printer slot and help button are, per language (e.g.
    nb = "Hodetelefonkontakten er under skjermen til høyre. …"), said when a headset is
    plugged in. In the settings file only."""
    kiosk_place: str = ""
    """Where this kiosk stands (e.g. "2nd floor, by the lifts"), sent with a call for staff so
    they know where to go."""
    help_webhook_url: str | None = None
    """Where a call for staff is posted (e.g. a chat service's incoming webhook): JSON with the
    event, kiosk_name, kiosk_place, a random call id, the time and a line of text, nothing about
    the citizen; retried in the background. Empty: the call only chimes and shows at the kiosk."""
    help_webhook_secret_file: Path | None = None
    """File with this kiosk's secret for help_webhook_url, sent as the X-Helselos-Secret header.
    Empty: no header."""
    helper_quiet_s: Annotated[int, Meta(ge=30, le=3600)] = 300
    """Seconds without a key or touch after which helper mode locks itself (it also locks at
    the end of every visit)."""

    def __post_init__(self) -> None:
        for name, (low, high) in _ranges().items():
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{name}: must be a finite number, got {value}")
            if not low <= value <= high:
                raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
        for name in ("fhir_base_url", "issuer", "portal_url", "help_webhook_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("https://", "http://")):
                raise ConfigError(f"{name}: must start with https://, got {url!r}")
        for task, link in self.portal_links.items():
            problem = link_problem(task, link)
            if problem is not None:
                raise ConfigError(f"portal_links: {problem}")
        for name in ("client_id", "scopes", "delivery_client_id", "delivery_scopes"):
            if not getattr(self, name).strip():
                raise ConfigError(f"{name}: must not be empty")
        if self.delivery_key_file is not None and self.delivery_secret_file is not None:
            raise ConfigError("delivery_key_file and delivery_secret_file: set one of them, "
                              "not both (a key is the stronger proof)")
        if self.help_webhook_secret_file is not None and self.help_webhook_url is None:
            raise ConfigError("help_webhook_secret_file: set help_webhook_url too (the secret "
                              "is only sent there)")
        system, _, code = self.renewal_task_code.partition("|")
        if not system.strip() or not code.strip():
            raise ConfigError(f"renewal_task_code: must be system|code, "
                              f"got {self.renewal_task_code!r}")
        if not _valid_host(self.demo_host):
            raise ConfigError(f"demo_host: not an IP address or host name: {self.demo_host!r}")
        if not (self.audio_output in ("auto", "none")
                or (self.audio_output.startswith("file:") and self.audio_output[5:].strip())):
            raise ConfigError(f"audio_output: must be auto, none or file:DIR, "
                              f"got {self.audio_output!r}")
        if self.idle_warning_s < 20:
            raise ConfigError("idle_warning_s: must be at least 20 seconds (WCAG 2.2.1)")
        if self.idle_timeout_s <= self.idle_warning_s:
            raise ConfigError("idle_timeout_s: must be longer than idle_warning_s")
        if self.max_extensions < 10:
            raise ConfigError("max_extensions: must be at least 10 (WCAG 2.2.1)")
        if self.http_timeout_s <= 0:
            raise ConfigError("http_timeout_s: must be positive")
        if self.http_retries < 0:
            raise ConfigError("http_retries: must be 0 or more")
        if self.country not in ("NO", "SE"):
            raise ConfigError(f"country: must be NO or SE, got {self.country!r}")
        if self.outbox_max_age_h < 1:
            raise ConfigError("outbox_max_age_h: must be at least 1 hour")
        if not (self.headset_jack in ("auto", "none")
                or self.headset_jack.startswith(("alsa:", "file:"))):
            raise ConfigError(f"headset_jack: must be auto, none, alsa:CARD or file:PATH, "
                              f"got {self.headset_jack!r}")
        if self.voice_input not in ("push", "always", "off"):
            raise ConfigError(f"voice_input: must be push, always or off, "
                              f"got {self.voice_input!r}")
        if self.printer_device is not None:
            # Only then: reading python-escpos's profiles takes a fifth of a second.
            from hardware.printer import profile_problem

            problem = profile_problem(self.printer_profile)
            if problem is not None:
                raise ConfigError(f"printer_profile: {problem}")
        if self.printer_width not in (32, 48):
            raise ConfigError(
                f"printer_width: must be 48 (80 mm paper) or 32 (58 mm paper), "
                f"got {self.printer_width}"
            )

    @property
    def practice_mode(self) -> bool:
        """True when no real backend is configured and the bundled demo service is used."""
        return self.fhir_base_url is None

    @property
    def staff_file(self) -> Path:
        return self.state_dir / "staff.json"

    @property
    def audit_file(self) -> Path:
        return self.state_dir / "audit.log"

    @property
    def speech_models_dir(self) -> Path:
        """Speech models, one per language and engine (kiosk models add)."""
        return self.models_dir if self.models_dir is not None else self.state_dir / "models"

    @property
    def piper_voices_dir(self) -> Path:
        """Piper voices, one per language (kiosk voices add)."""
        return self.voices_dir if self.voices_dir is not None else self.state_dir / "voices"

    @property
    def recordings_path(self) -> Path:
        """Recorded audio of catalog texts, one folder per language."""
        from translations.recordings import DEFAULT_DIR

        return self.recordings_dir if self.recordings_dir is not None else DEFAULT_DIR

    @property
    def outbox_file(self) -> Path:
        """SQLite database of submissions not yet delivered (deleted on delivery)."""
        return self.state_dir / "outbox.sqlite3"


def _valid_host(host: str) -> bool:
    """An IP address, or a host name whose last label is not all digits (999.1.1.1 is
    neither)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOST_NAME.fullmatch(host)) and not host.rsplit(".", 1)[-1].isdigit()


_FIELDS: dict[str, msgspec.structs.FieldInfo] = {
    f.name: f for f in msgspec.structs.fields(Settings)}
_ON_OFF = {"1": True, "true": True, "yes": True, "on": True,
           "0": False, "false": False, "no": False, "off": False}
"""The words an operator may write for a yes/no setting."""


@cache
def _kind(name: str) -> tuple[Any, bool]:
    """The field's type as msgspec sees it, and whether it may be left empty (None)."""
    info = msgspec.inspect.type_info(_FIELDS[name].type)
    if isinstance(info, UnionType):
        rest = [t for t in info.types if not isinstance(t, NoneType)]
        return (rest[0] if len(rest) == 1 else info), len(rest) < len(info.types)
    return info, False


@cache
def _ranges() -> dict[str, tuple[Any, Any]]:
    """Every number setting's range, from the model."""
    found = {}
    for name in _FIELDS:
        kind = _kind(name)[0]
        if isinstance(kind, IntType | FloatType) and kind.ge is not None and kind.le is not None:
            found[name] = (kind.ge, kind.le)
    return found


def _path(kind: type, value: Any) -> Any:
    """msgspec's hook for the one type it does not know: a path."""
    if kind is Path and isinstance(value, str | int | float):
        return Path(str(value))
    raise NotImplementedError


def _read(name: str, raw: Any, origin: str) -> Any:
    """One setting as a file, the environment or the command line gives it, converted by the
    model to its field's type (text too: ``"120"`` for a whole number, ``yes`` for yes/no). An
    empty value leaves a setting that may be empty unset."""
    kind, may_be_empty = _kind(name)
    if may_be_empty and raw in ("", None):
        return None
    if isinstance(kind, BoolType) and not isinstance(raw, bool):
        raw = _ON_OFF.get(str(raw).strip().lower(), raw)
    try:
        if isinstance(kind, FloatType) and not isinstance(raw, bool):
            number = msgspec.convert(raw, float, strict=False)
            if not math.isfinite(number):
                raise ConfigError(f"{origin}: field {name!r}: expected a finite number, "
                                  f"got {raw!r}")
        return msgspec.convert(raw, _FIELDS[name].type, strict=False, dec_hook=_path)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{origin}: field {name!r}: {_said(name, kind, raw, str(exc))}") from exc


def _said(name: str, kind: Any, raw: Any, problem: str) -> str:
    """msgspec's problem with a setting, in the words the kiosk has always used."""
    if isinstance(kind, BoolType):
        return f"expected true or false, got {raw!r}"
    if isinstance(kind, StrType):
        return f"expected text in quotes, got {raw!r}"
    if isinstance(kind, IntType | FloatType):
        if isinstance(raw, bool):
            return f"expected a number, got {raw!r}"
        if re.search(r"` [<>]=? ", problem) and name in _ranges():
            low, high = _ranges()[name]
            number = msgspec.convert(raw, int if isinstance(kind, IntType) else float,
                                     strict=False)
            return f"must be between {low} and {high}, got {number}"
        if isinstance(kind, IntType):
            return f"expected a whole number, got {raw!r}"
        return f"expected a number, got {raw!r}"
    return problem[0].lower() + problem[1:]


def load_settings(
    path: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Read settings: defaults < TOML file < HELSELOS_<FIELD> environment < explicit overrides.

    With no path, /etc/helselos/kiosk.toml is read if it exists (or HELSELOS_CONFIG names one).
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {"state_dir": _default_state_dir(env)}
    if path is None and env.get("HELSELOS_CONFIG"):
        path = Path(env["HELSELOS_CONFIG"])
    if path is None and DEFAULT_CONFIG_PATH.is_file():
        path = DEFAULT_CONFIG_PATH
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no such configuration file") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as "
                              "UTF-8") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the configuration file: "
                              f"{exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for key, raw in data.items():
            if key not in _FIELDS:
                known = ", ".join(sorted(_FIELDS))
                raise ConfigError(f"{path}: unknown field {key!r} (known fields: {known})")
            values[key] = _read(key, raw, str(path))
    for name in _FIELDS:
        var = f"HELSELOS_{name.upper()}"
        if var in env:
            values[name] = _read(name, env[var], f"environment variable {var}")
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _read(name, raw, "command line")
    return Settings(**values)


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of settings with some fields changed (used by tests and the CLI)."""
    return msgspec.structs.replace(settings, **changes)
