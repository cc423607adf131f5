"""The repository's systemd unit, read the way systemd reads it, for the tests that check it and
the ones that run its command lines."""

from __future__ import annotations

from pathlib import Path

UNIT = Path(__file__).resolve().parents[1] / "kiosk.service"
INSTALLED_KIOSK = "/opt/helselos/.venv/bin/kiosk"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as section -> key -> values (keys such as DeviceAllow may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"directive outside a section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"not a directive: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def service() -> dict[str, list[str]]:
    """The unit's [Service] section."""
    return parse_unit(UNIT.read_text(encoding="utf-8"))["Service"]


def unit_command(key: str, kiosk: Path) -> str:
    """The unit's command line for key (ExecStart, ExecStartPre, ...), run with ``kiosk``."""
    values = service().get(key)
    assert values, f"kiosk.service has no {key}= line"
    return values[-1].replace(INSTALLED_KIOSK, str(kiosk))
