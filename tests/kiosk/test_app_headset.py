"""Plugging a headset in at the kiosk: personal text, which the loudspeaker never says, is
spoken into the headset at once; pulling it out goes back to the loudspeaker and the privacy
notice. The jack's state comes from a state file (there is no sound card here)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp

NOTICE = "This is private. Plug in a headset to hear it."


async def test_a_headset_plugged_in_hears_the_private_screen(
    kd: SimpleNamespace, make_runtime: Any, tmp_path: Path
) -> None:
    jack = tmp_path / "jack"
    jack.write_text("off")
    runtime = make_runtime(headset_jack=f"file:{jack}",
                           places={"en": "The jack is under the screen."})
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        heard: list[str] = []
        captions = runtime.voice.on_event
        assert captions is not None

        def listen(kind: str, text: str) -> None:
            if kind == "speaking":
                heard.append(text)
            captions(kind, text)

        runtime.voice.on_event = listen
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot, "kari")
        for _ in range(6):
            await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StepView"
                                and not kd.view(app).query("#working"), "a question")
            if kd.step_kind(app) == "confirm":
                break
            await pilot.press("1")
            await pilot.pause()
        assert kd.view(app).private
        prompt = kd.view(app).heading()[0]
        await kd.wait_until(pilot, lambda: heard[-1:] == [NOTICE], "the notice")
        assert runtime.output.route == "speaker"
        assert prompt not in heard

        jack.write_text("on")
        await kd.wait_until(pilot, lambda: runtime.output.route == "headset", "the headset")
        # First that the headset works and where things are, then the screen.
        await kd.wait_until(pilot, lambda: heard[-1:] and prompt in heard[-1],
                            "the prompt spoken")
        assert heard[-1].startswith("The headset is connected. Speech now comes through it. "
                                    "The jack is under the screen.")

        jack.write_text("off")
        await kd.wait_until(pilot, lambda: runtime.output.route == "speaker", "the speaker")
        await kd.wait_until(pilot, lambda: heard[-1:] == [NOTICE], "the notice again")
