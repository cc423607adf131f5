"""Nothing of a person outlives their visit anywhere in the kiosk process: after a visit with
canaries (the citizen's name and sign-in token, her medicines as the kiosk showed them, a time
on the booking screen, a relative's name and national ID number typed in the proxy guide, a
message typed to the GP office) ends by Done, End, Back or the idle timeout, and a second
person's visit ends too, no object the garbage collector knows of — nor any string or bytes
they hold — contains a canary; nor do the state dir, the spoken clips and the log.

The health service is a separate ``kiosk demo-backend`` process, so its data is not in the
kiosk's memory. The walk starts from every object ``gc.get_objects()`` returns, not from the
app, so a module-level list or a closure holding a person is found; only this suite's own
modules are left out, and canaries are kept as code points so the test's copy is no string."""

from __future__ import annotations

import gc
import linecache
import logging
import random
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from kiosk.services.health import national_id
from tests.kiosk.test_app_guide_proxy import at

TESTS = Path(__file__).resolve().parents[1]
ENDINGS = ("done", "end", "back", "timeout")
LETTERS = "bcdfghjklmnpqrstvwxz"


class Canary:
    """A text to look for, held as code points: the test's own copy is no str or bytes."""

    def __init__(self, what: str, text: str) -> None:
        self.what = what
        self.points = tuple(ord(c) for c in text)

    def text(self) -> str:
        return "".join(chr(p) for p in self.points)


def invented_national_id(rng: random.Random) -> str:
    """A valid national ID number of an adult born in the 1980s that no other test uses."""
    while True:
        digits = (f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(80, 89)}"
                  f"{rng.randint(0, 499):03d}{rng.randint(0, 99):02d}")
        try:
            national_id.parse(digits)
        except national_id.NationalIdError:
            continue
        return digits


def invented_word(rng: random.Random, length: int = 9) -> str:
    """A word no code, catalog or earlier test holds."""
    return "".join(rng.choice(LETTERS) for _ in range(length)).capitalize()


@pytest.fixture
def app_on_backend(make_runtime: Callable[..., Runtime], separate_demo_service: str,
                   tmp_path: Path) -> KioskApp:
    """The kiosk on that service, speaking (into WAV files) as it does at a real terminal."""
    return KioskApp(make_runtime(fhir_base_url=f"{separate_demo_service}/fhir", speech=True,
                                 audio_output=f"file:{tmp_path / 'audio'}"))


def _test_module_objects() -> set[int]:
    """This suite's own modules, their namespaces, classes and functions: they hold test
    constants (other tests' names and ids), not anything the kiosk keeps."""
    skip: set[int] = set()
    for module in list(sys.modules.values()):
        if Path(getattr(module, "__file__", None) or "/").is_relative_to(TESTS):
            skip.update((id(module), id(vars(module))))
            for value in vars(module).values():
                if getattr(value, "__module__", "") == module.__name__:
                    skip.add(id(value))
    # Lines of source files read for tracebacks and assertion messages: code, not data.
    skip.add(id(linecache.cache))
    for entry in linecache.cache.values():
        skip.update(id(part) for part in (entry, *entry))
    return skip


def live_holders(canaries: list[Canary]) -> list[str]:
    """Each string or bytes reachable from any object the collector tracks that contains a
    canary, with the types of the objects holding it."""
    gc.collect()
    texts = [(c.what, c.text()) for c in canaries]
    skip = _test_module_objects() | {id(c) for c in canaries} | {id(t) for _, t in texts}
    skip.update(id(t) for t in texts)
    skip.update((id(texts), id(canaries)))
    found: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = gc.get_objects()
    skip.update((id(stack), id(found), id(seen)))
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in skip:
            continue
        seen.add(id(obj))
        if isinstance(obj, str | bytes | bytearray):
            text = obj if isinstance(obj, str) else bytes(obj).decode("utf-8", "replace")
            for what, canary in texts:
                if canary in text:
                    found.append(f"{what}: {text[:100]!r} held by {describe_holders(obj, skip)}")
        elif not isinstance(obj, types.CodeType):
            # Code objects hold only the program's own constants.
            stack.extend(gc.get_referents(obj))
    return found


def describe_holders(obj: object, skip: set[int]) -> list[str]:
    """Who holds obj, for the failure message: types, with a dict's first keys."""
    holders = []
    for holder in gc.get_referrers(obj):
        if id(holder) in skip or isinstance(holder, types.FrameType):
            continue
        if isinstance(holder, dict):
            holders.append(f"dict{sorted(map(str, holder))[:6]}")
        else:
            holders.append(type(holder).__qualname__)
    return holders


def on_disk(runtime: Runtime, canaries: list[Canary], visit_clips: set[Path]) -> list[str]:
    found = [f"audio clip of a visit kept: {clip.name}" for clip in visit_clips
             if clip.exists()]
    for path in Path(runtime.settings.state_dir).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"state file {path.name}: {c.what}" for c in canaries
                      if c.text().encode() in content]
    return found


def keys(text: str) -> list[str]:
    named = {" ": "space", ",": "comma", ".": "full_stop", "?": "question_mark"}
    return [named.get(c, c) for c in text]


def shown_text(app: KioskApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def back_to_menu(kd: SimpleNamespace, pilot: Any) -> None:
    for _ in range(10):
        if kd.screen_name(pilot.app) == "MenuView":
            return
        await pilot.press("escape")
        await pilot.pause(0.05)
    raise AssertionError(f"Back never reached the menu (screen: {pilot.app.screen!r})")


async def first_visit(kd: SimpleNamespace, pilot: Any, rng: random.Random) -> list[Canary]:
    """Kari: a time on the booking screen, her medicines, a proxy for a relative with a typed
    name and national ID number, and a typed message waiting for her yes. Her name and token
    are taken from the session, the rest from the screen and the keys."""
    app = pilot.app
    canaries: list[Canary] = []
    await kd.open_task(pilot, "appointment")
    await kd.at_step(pilot, "choice")
    await pilot.press("1")  # book a new appointment
    await kd.approve_by_phone(pilot, "kari")
    await kd.at_step(pilot, "choice")
    await pilot.press("1")  # at the GP office
    await kd.wait_until(pilot, lambda: kd.step_kind(app) == "slot"
                        and bool(kd.view(app).query("#option-1")), "free times")
    canaries.append(Canary("booked time", str(kd.view(app).query_one("#option-1").text)))
    await pilot.press("1")
    await kd.at_step(pilot, "confirm")
    await back_to_menu(kd, pilot)

    await kd.pick_task(pilot, "medicines")
    await kd.at_step(pilot, "list")
    drawn = shown_text(app)
    medicines = re.findall(r"\b[A-Z][a-z]+ \d+ (?:mg|microgram) tablet\b", drawn)
    assert medicines, drawn
    canaries += [Canary("medicine", m) for m in medicines]
    person = app.runtime.session.person
    assert person is not None
    canaries += [Canary("citizen's name", person.display_name),
                 Canary("access token", person.access_token)]
    await back_to_menu(kd, pilot)

    relative = Canary("relative's name", f"{invented_word(rng)} {invented_word(rng)}")
    typed_id = Canary("national id", invented_national_id(rng))
    canaries += [relative, typed_id]
    await kd.pick_task(pilot, "proxy")
    await at(kd, pilot, "what")
    await pilot.press("1")
    await at(kd, pilot, "relative")
    await pilot.press(*keys(relative.text()), "enter")
    await at(kd, pilot, "relative_id")
    await pilot.press(*typed_id.text(), "enter")
    await at(kd, pilot, "scope")
    await back_to_menu(kd, pilot)

    words = [invented_word(rng) for _ in range(4)]
    message = Canary("message", " ".join(words) + ".")
    # The first word is in every typed prefix of the message, as the text box grew.
    canaries += [message, Canary("message's first word", words[0])]
    await kd.pick_task(pilot, "messages")
    await kd.at_step(pilot, "choice")
    await pilot.press("1")
    await kd.at_step(pilot, "text")
    await pilot.press(*keys(message.text()), "enter")
    await kd.at_step(pilot, "confirm")
    return canaries


async def end_visit(kd: SimpleNamespace, pilot: Any, how: str, clock: ManualClock) -> None:
    app = pilot.app
    if how == "done":
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "the finish")
        await pilot.press("enter")
    elif how == "end":
        await pilot.press("f10")
    elif how == "back":
        for _ in range(20):
            if kd.screen_name(app) == "IdleView":
                break
            await pilot.press("escape")
            await pilot.pause(0.05)
    else:
        clock.advance(app.runtime.settings.idle_timeout_s)
        app.check_time_limit()
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView"
                        and app.flow.depth == 1, "the idle screen")
    await kd.settle(pilot)


@pytest.mark.parametrize("how", ENDINGS)
async def test_no_canary_lives_on_after_two_visits(
    kd: SimpleNamespace, app_on_backend: KioskApp, clock: ManualClock, how: str,
    caplog: pytest.LogCaptureFixture, tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = app_on_backend
    rng = random.Random(f"memory-{how}")
    async with app.run_test(size=kd.SIZE) as pilot:
        canaries = await first_visit(kd, pilot, rng)
        await kd.wait_until(pilot, lambda: any((tmp_path / "audio").glob("*.wav")),
                            "a spoken clip")
        seen_before = {found.split(":", 1)[0] for found in live_holders(canaries)}
        assert seen_before == {c.what for c in canaries}, "the scan cannot see every canary"
        audio = tmp_path / "audio"
        visit_clips = set(audio.glob("*.wav"))
        await end_visit(kd, pilot, how, clock)

        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot, "ola")
        await kd.at_step(pilot, "list")
        assert not any(c.text() in shown_text(app) for c in canaries)
        visit_clips.update(audio.glob("*.wav"))
        await end_visit(kd, pilot, how if how != "done" else "end", clock)

        found = live_holders(canaries) + on_disk(app.runtime, canaries, visit_clips)
        found += [f"log: {c.what}" for c in canaries if c.text() in caplog.text]
        assert not found, "\n".join(found)
