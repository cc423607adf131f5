"""Typed kiosk settings: defaults, then a TOML file, then HELSELOS_* environment variables.

All paths the kiosk writes to are derived here, in one place.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kiosk.services.smart import DELIVERY_SCOPES, RENEWAL_TASK_CODE, SIGN_IN_SCOPES

DEFAULT_CONFIG_PATH = Path("/etc/helselos/kiosk.toml")

# Whole-number settings and the range each may take: wide enough for any real kiosk, narrow
# enough that a typo (an hour typed in ms) does not switch a safeguard off.
_INT_RANGES: dict[str, tuple[int, int]] = {
    "idle_timeout_s": (40, 3600),
    "idle_warning_s": (20, 600),
    "max_extensions": (10, 1000),
    "http_retries": (0, 10),
    "outbox_max_age_h": (1, 24 * 30),
}
_FLOAT_RANGES: dict[str, tuple[float, float]] = {"http_timeout_s": (0.1, 120.0)}
_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


class ConfigError(ValueError):
    """A setting could not be read; the message names the file or variable and the field."""


def _default_state_dir(env: Mapping[str, str]) -> Path:
    # systemd's StateDirectory= sets STATE_DIRECTORY; elsewhere follow the XDG convention.
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "helselos"


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set. Each field is documented because it is the manual."""

    state_dir: Path = field(default_factory=lambda: _default_state_dir(os.environ))
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
    idle_timeout_s: int = 120
    """Seconds without any input before the session ends (warning included)."""
    idle_warning_s: int = 30
    """Seconds before the end at which the warning is shown, spoken and sounded (>= 20)."""
    max_extensions: int = 10
    """How often a citizen may extend a session by one action (>= 10)."""
    speech: bool = True
    """Speak every screen. Off: text only."""
    audio_output: str = "auto"
    """auto (sound card, else a private file sink), none, or file:DIR (one WAV per utterance)."""
    headset_jack: str = "auto"
    """How the kiosk knows a headset is plugged in (personal text is spoken only into one):
    auto (sound card 0's jack switch, if it has one), none, alsa:CARD, or file:PATH (on/off)."""
    http_timeout_s: float = 5.0
    """Seconds to wait for the backend before saying it is not answering."""
    http_retries: int = 2
    """Extra attempts for idempotent requests, with backoff."""
    country: str = "NO"
    """NO or SE: whose rules apply to proxies and parents acting for children."""
    outbox_max_age_h: int = 72
    """Hours an undelivered submission may wait on this kiosk before it is discarded."""
    portal_url: str | None = None
    """The health portal's address, drawn as a QR code at the end of the phone walk-through.
    Practice mode: the demo service's practice portal page (`/portal`)."""
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

    def __post_init__(self) -> None:
        for name, (low, high) in (_INT_RANGES | _FLOAT_RANGES).items():
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{name}: must be a finite number, got {value}")
            if not low <= value <= high:
                raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
        for name in ("fhir_base_url", "issuer", "portal_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("https://", "http://")):
                raise ConfigError(f"{name}: must start with https://, got {url!r}")
        for name in ("client_id", "scopes", "delivery_client_id", "delivery_scopes"):
            if not getattr(self, name).strip():
                raise ConfigError(f"{name}: must not be empty")
        if self.delivery_key_file is not None and self.delivery_secret_file is not None:
            raise ConfigError("delivery_key_file and delivery_secret_file: set one of them, "
                              "not both (a key is the stronger proof)")
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


_TYPES: dict[str, type] = {f.name: f.type for f in fields(Settings)}  # type: ignore[misc]


def _number(name: str, kind: str, raw: Any) -> int | float:
    """A whole or decimal number for field name, finite and in the field's range."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got {raw!r}")
    value: int | float
    if kind == "int":
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"expected a whole number, got {raw!r}")
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    else:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {raw!r}")
    low, high = (_INT_RANGES | _FLOAT_RANGES).get(name, (-math.inf, math.inf))
    if not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}, got {value}")
    return value


def _coerce(name: str, raw: Any, origin: str) -> Any:
    kind = str(_TYPES[name])
    try:
        if kind == "Path":
            return Path(str(raw))
        if kind == "Path | None":
            return None if raw in ("", None) else Path(str(raw))
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if kind in ("int", "float"):
            return _number(name, kind, raw)
        if not isinstance(raw, str):
            raise ValueError(f"expected text in quotes, got {raw!r}")
        if kind == "str | None":
            return None if raw == "" else raw
        return raw
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(f"{origin}: field {name!r}: {exc}") from exc


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
            if key not in _TYPES:
                known = ", ".join(sorted(_TYPES))
                raise ConfigError(f"{path}: unknown field {key!r} (known fields: {known})")
            values[key] = _coerce(key, raw, str(path))
    for name in _TYPES:
        var = f"HELSELOS_{name.upper()}"
        if var in env:
            values[name] = _coerce(name, env[var], f"environment variable {var}")
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw, "command line")
    return Settings(**values)


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of settings with some fields changed (used by tests and the CLI)."""
    return replace(settings, **changes)
