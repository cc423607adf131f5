"""build_runtime: practice mode starts the demo service on 127.0.0.1, loads the bundled guides
checked against the task actions, and close() stops it all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.config import Settings
from kiosk.runtime import Runtime, build_runtime
from tests.servers.oidc_provider import OidcServer


def test_practice_runtime_serves_and_stops(make_runtime: Callable[..., Runtime]) -> None:
    runtime = make_runtime()
    assert runtime.settings.practice_mode
    assert runtime.demo is not None
    assert runtime.demo.base_url.startswith("http://127.0.0.1:")
    assert runtime.fhir_base_url == f"{runtime.demo.base_url}/fhir"
    assert requests.get(f"{runtime.demo.base_url}/health", timeout=5).status_code == 200
    assert "appointment" in [guide.id for guide in runtime.guides]
    assert runtime.voice.synth is None
    assert runtime.speech_problem is None
    runtime.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{runtime.demo.base_url}/health", timeout=5)


def test_configured_backend_means_no_demo(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", fhir_base_url="http://127.0.0.1:9/fhir/",
                        speech=False)
    runtime = build_runtime(settings, clock=ManualClock())
    try:
        assert runtime.demo is None
        assert runtime.fhir_base_url == "http://127.0.0.1:9/fhir"  # a trailing slash aside
        assert runtime.settings.staff_file.parent.is_dir()
    finally:
        runtime.close()


def test_sign_in_starts_at_an_identity_provider_we_did_not_write(
    tmp_path: Path, oidc_server: OidcServer
) -> None:
    # The kiosk finds the provider's endpoints in its metadata; it posted to the practice
    # service's fixed oauth/device_authorization, which oidc-provider answers with 404. The
    # provider is the configured issuer; the FHIR base (no server there) is never contacted.
    settings = Settings(state_dir=tmp_path / "state", fhir_base_url="http://127.0.0.1:9/fhir",
                        issuer=oidc_server.base_url, client_id=oidc_server.client_id,
                        speech=False)
    runtime = build_runtime(settings, clock=ManualClock())
    try:
        auth = runtime.signin.start()
    finally:
        runtime.close()
    assert auth.user_code and auth.verification_uri.startswith(oidc_server.base_url)


@pytest.mark.slow
def test_speech_on_builds_a_synthesizer(make_runtime: Callable[..., Runtime],
                                        tmp_path: Path) -> None:
    runtime = make_runtime(speech=True, audio_output=f"file:{tmp_path / 'audio'}")
    assert runtime.synth is not None
    assert runtime.voice.has_voice("nb") and runtime.voice.has_voice("en")
