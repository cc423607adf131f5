"""The doctor's checks against real files, real espeak-ng, real sockets and the demo backend."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk import doctor
from kiosk.config import Settings
from kiosk.doctor import FAIL, OK, WARN, Check
from kiosk.doctor_service import check_service
from tests.servers.medplum import MedplumServer
from tests.servers.two_origins import TwoOrigins


def settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings(state_dir=tmp_path / "state", **changes)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_clock_before_2024_fails() -> None:
    check = doctor.check_clock(datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/Oslo")))
    assert check.status == FAIL and "2020-01-01" in check.detail


def test_clock_with_local_timezone_is_ok() -> None:
    check = doctor.check_clock(datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Oslo")))
    assert check == Check("clock", OK, "2026-12-01 10:15 CET")


def test_clock_in_utc_warns_about_the_timezone() -> None:
    check = doctor.check_clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert check.status == WARN and "timezone" in check.detail
    assert doctor.check_clock(datetime(2026, 12, 1, 9, 0)).status == WARN


def test_clock_default_is_now() -> None:
    assert doctor.check_clock().status in {OK, WARN}


def test_state_dir_is_created_private_and_writable(tmp_path: Path) -> None:
    check = doctor.check_state_dir(settings(tmp_path))
    assert check.status == OK, check
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700
    assert list((tmp_path / "state").iterdir()) == []


def test_state_dir_readable_by_others_warns(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir(mode=0o755)
    (tmp_path / "state").chmod(0o755)
    check = doctor.check_state_dir(settings(tmp_path))
    assert check.status == WARN and "0755" in check.detail


def test_state_dir_that_cannot_exist_fails(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    check = doctor.check_state_dir(Settings(state_dir=tmp_path / "blocker" / "state"))
    assert check.status == FAIL and "not writable" in check.detail


def test_disk_space_is_measured_at_the_nearest_existing_folder(tmp_path: Path) -> None:
    check = doctor.check_disk(settings(tmp_path))
    assert check.status in {OK, WARN, FAIL}
    assert f"MB free at {tmp_path}" in check.detail


def test_audio_none_and_file_sinks(tmp_path: Path) -> None:
    assert doctor.check_audio(settings(tmp_path, audio_output="none")).status == WARN
    sink = tmp_path / "wavs"
    sink.mkdir()
    assert doctor.check_audio(settings(tmp_path, audio_output=f"file:{sink}")).status == OK
    missing = doctor.check_audio(settings(tmp_path, audio_output=f"file:{tmp_path / 'nope'}"))
    assert missing.status == FAIL


def test_audio_auto_reports_the_sound_card_or_the_private_sink(tmp_path: Path) -> None:
    import sounddevice

    check = doctor.check_audio(settings(tmp_path))
    try:
        sounddevice.query_devices(kind="output")
        has_output = True
    except (sounddevice.PortAudioError, ValueError):
        has_output = False
    if has_output:
        assert check.status == OK and check.detail.startswith("sound card ")
    else:
        assert check.status == WARN and check.detail.startswith(doctor.NO_SOUND_CARD)


def test_no_printer_configured_is_fine(tmp_path: Path) -> None:
    check = doctor.check_printer(settings(tmp_path))
    assert check == Check("printer", OK,
                          "none configured (printer_device): no slips are printed")


def test_a_printer_file_that_is_writable_is_ok_and_nothing_is_printed(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    check = doctor.check_printer(settings(tmp_path, printer_device=device))
    assert check.status == OK and str(device) in check.detail
    assert device.read_bytes() == b""


def test_a_printer_device_that_is_not_there_fails(tmp_path: Path) -> None:
    device = tmp_path / "usb" / "lp0"
    check = doctor.check_printer(settings(tmp_path, printer_device=device))
    assert check.status == FAIL and f"{device} does not exist" in check.detail
    assert not device.exists()


def test_a_printer_pipe_nobody_reads_fails_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    check = doctor.check_printer(settings(tmp_path, printer_device=fifo))
    assert check.status == FAIL and "nothing reads" in check.detail


def test_a_printer_character_device_reports_its_width(tmp_path: Path) -> None:
    check = doctor.check_printer(
        settings(tmp_path, printer_device=Path("/dev/null"), printer_width=32))
    assert check == Check(
        "printer", OK, "ESC/POS printer at /dev/null (58 mm, 32 characters): writable, ready")


def test_every_language_with_a_voice_named_speaks(tmp_path: Path) -> None:
    from translations.languages import LANGUAGES

    checks = doctor.check_voices(settings(tmp_path))
    assert [c.name for c in checks] == [f"voice {code}" for code in LANGUAGES]
    speaking = {c.name.removeprefix("voice ") for c in checks if c.status == OK}
    assert {code for code, lang in LANGUAGES.items() if lang.espeak_voice} <= speaking, checks
    # Northern Sami and Somali have no voice: text only, a warning.
    assert all(c.status == WARN for c in checks if c.name in ("voice se", "voice so")), checks
    # Nynorsk is read by the Bokmål voice, Tigrinya by espeak-ng 1.52's data (piper-tts).
    named = {c.name: c for c in checks}
    assert named["voice nn"].status == OK
    assert named["voice nn"].detail == "read by the nb voice (none of its own)"
    assert (named["voice ti"].status, named["voice ti"].detail) == (OK, "espeak-ng voice")


def test_catalog_check_names_each_language() -> None:
    from translations.languages import LANGUAGES

    checks = doctor.check_catalogs()
    assert [c.name for c in checks] == [f"catalog {code}" for code in LANGUAGES]
    for check in checks:
        assert check.status == OK or "untranslated" in check.detail


def test_bundled_guides_are_valid() -> None:
    check = doctor.check_guides()
    assert check.status == OK, check.detail


def backend_check(settings: Settings) -> Check:
    """The "backend" line of the service checks: the FHIR server's CapabilityStatement."""
    (check,) = [c for c in check_service(settings) if c.name == "backend"]
    return check


def test_practice_backend_answers(tmp_path: Path) -> None:
    check = backend_check(settings(tmp_path))
    assert check.status == OK, check.detail
    assert "practice demo service at http://127.0.0.1:" in check.detail


def test_configured_backend_that_is_up(tmp_path: Path) -> None:
    from kiosk.demo import DemoBackend

    backend = DemoBackend()
    backend.start()
    try:
        check = backend_check(settings(tmp_path, fhir_base_url=backend.fhir_base))
    finally:
        backend.stop()
    assert check.status == OK and f"configured FHIR server at {backend.fhir_base}" in check.detail


def test_a_fhir_server_we_did_not_write_passes(
    tmp_path: Path, medplum_server: MedplumServer
) -> None:
    # Medplum has no /health: the doctor asks only what every FHIR server answers. (This one
    # publishes no SMART configuration, so only the backend line is checked here.)
    check = backend_check(settings(tmp_path, fhir_base_url=medplum_server.fhir_base))
    assert check.status == OK, check.detail
    assert check.detail.endswith("FHIR 4.0.1")


def test_the_two_origin_setup_passes_and_says_what_was_found(
    tmp_path: Path, two_origins: TwoOrigins
) -> None:
    oidc = two_origins.oidc
    checks = {c.name: c for c in check_service(settings(
        tmp_path, fhir_base_url=two_origins.fhir.fhir_base,
        delivery_client_id=oidc.delivery_jwt_client_id,
        delivery_key_file=oidc.delivery_key_file, delivery_key_id=oidc.delivery_key_id))}
    assert {name: c.status for name, c in checks.items()} == {
        "backend": OK, "sign-in": OK, "delivery": OK}
    found = checks["sign-in"].detail
    assert f"issuer {oidc.base_url} (from the smart-configuration)" in found
    for endpoint in ("/device/auth", "/token", "/token/revocation", "/jwks"):
        assert f"{oidc.base_url}{endpoint}" in found
    assert checks["delivery"].detail == (
        f"client {oidc.delivery_jwt_client_id} got a token "
        f"(private_key_jwt (RS384, kid {oidc.delivery_key_id}))")


def test_a_fhir_server_naming_no_issuer_and_a_refused_key_fail_clearly(
    tmp_path: Path, medplum_server: MedplumServer, two_origins: TwoOrigins
) -> None:
    checks = {c.name: c for c in check_service(settings(
        tmp_path, fhir_base_url=medplum_server.fhir_base))}
    assert checks["sign-in"].status == FAIL
    assert "set issuer" in checks["sign-in"].detail
    assert checks["delivery"].status == WARN
    key = tmp_path / "not-registered.pem"
    key.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    checks = {c.name: c for c in check_service(settings(
        tmp_path, fhir_base_url=two_origins.fhir.fhir_base,
        delivery_client_id=two_origins.oidc.delivery_jwt_client_id, delivery_key_file=key))}
    assert checks["delivery"].status == FAIL
    assert "invalid_client" in checks["delivery"].detail


def test_configured_backend_that_is_down_fails(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/fhir"
    check = backend_check(settings(tmp_path, fhir_base_url=url, http_timeout_s=2.0))
    assert check.status == FAIL


def test_a_crashing_check_becomes_a_failed_line() -> None:
    def broken() -> Check:
        raise RuntimeError("driver exploded")

    assert doctor._guarded("printer", broken) == [
        Check("printer", FAIL, "RuntimeError: driver exploded")
    ]


def test_exit_code_fails_only_on_fail() -> None:
    assert doctor.exit_code([Check("a", OK, ""), Check("b", WARN, "")]) == 0
    assert doctor.exit_code([Check("a", OK, ""), Check("b", FAIL, "")]) == 1


def test_run_checks_covers_every_area_and_is_json_serialisable(tmp_path: Path) -> None:
    checks = doctor.run_checks(settings(tmp_path, audio_output="none"))
    names = [c.name for c in checks]
    for expected in ("audio output", "printer", "voice nb", "catalog nb", "guides", "backend",
                     "sign-in", "delivery", "state dir", "clock", "disk space"):
        assert expected in names
    json.dumps([c.__dict__ for c in checks])


def test_headset_detection_is_reported(tmp_path: Path) -> None:
    none = doctor.check_headset(settings(tmp_path, headset_jack="none"))
    assert none.status == WARN and "never spoken" in none.detail
    jack = tmp_path / "jack"
    assert doctor.check_headset(settings(tmp_path, headset_jack=f"file:{jack}")).status == FAIL
    jack.write_text("on")
    found = doctor.check_headset(settings(tmp_path, headset_jack=f"file:{jack}"))
    assert found.status == OK and "headset plugged in" in found.detail
