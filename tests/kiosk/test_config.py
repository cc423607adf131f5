"""Settings: the receipt printer's fields from defaults, a TOML file and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, Settings, load_settings


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """An empty configuration file, so /etc/helselos/kiosk.toml never plays a part."""
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    return path


def test_no_printer_by_default_also_in_practice_mode(empty: Path) -> None:
    settings = load_settings(empty, env={})
    assert settings.practice_mode
    assert settings.printer_device is None
    assert settings.printer_width == 48


def test_printer_from_a_file_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('printer_device = "/dev/usb/lp0"\nprinter_width = 32\n', encoding="utf-8")
    settings = load_settings(config, env={})
    assert settings.printer_device == Path("/dev/usb/lp0")
    assert settings.printer_width == 32
    overridden = load_settings(config, env={"HELSELOS_PRINTER_DEVICE": "",
                                            "HELSELOS_PRINTER_WIDTH": "48"})
    assert overridden.printer_device is None, "an empty value means no printer"
    assert overridden.printer_width == 48


@pytest.mark.parametrize("width", [0, 40, 80])
def test_printer_width_is_32_or_48(tmp_path: Path, width: int) -> None:
    with pytest.raises(ConfigError, match=r"printer_width: must be 48 \(80 mm paper\) or 32"):
        Settings(state_dir=tmp_path, printer_width=width)


def test_a_wrong_printer_width_names_the_variable(empty: Path) -> None:
    with pytest.raises(ConfigError, match="HELSELOS_PRINTER_WIDTH: field 'printer_width'"):
        load_settings(empty, env={"HELSELOS_PRINTER_WIDTH": "wide"})


@pytest.mark.parametrize("spec", ["auto", "none", "alsa:0", "file:/run/helselos/jack"])
def test_headset_jack_settings_that_name_a_sensor(tmp_path: Path, spec: str) -> None:
    assert Settings(state_dir=tmp_path, headset_jack=spec).headset_jack == spec


def test_a_headset_jack_that_names_no_sensor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="headset_jack: must be auto, none, alsa:CARD"):
        Settings(state_dir=tmp_path, headset_jack="bluetooth")
