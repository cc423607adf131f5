"""Answering by voice: keeps the listener listening for what the screen on top offers, and turns
what it heard into the same actions a key or a touch would take.

The grammar is rebuilt whenever something else is shown or spoken (kiosk/voice_grammar.py).
While the kiosk speaks, only "stop" is listened for, so the kiosk never hears itself. An
answer that cannot be taken back (sending, ending the visit) is said back and needs a yes
first, unless the screen itself was that yes-or-no question. Nothing else acts: a sound that
is not exactly one of the screen's phrases only shows what was heard.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from hardware.audio import LISTENING_SOUND_S
from kiosk.offers import by_id
from kiosk.screens.view import View
from kiosk.voice_grammar import Grammar, grammar
from speech.recognizer import normalise
from translations.catalog import N_

if TYPE_CHECKING:
    from kiosk.app import KioskApp
    from speech.listener import Listener

log = logging.getLogger(__name__)

ECHO_S = 0.1
"""How long a room carries the listening beep after it ends (a small room, a hard floor)."""

PUSH_HINT = N_("Press F5, then say the words on a button, or say \"number\" and its number.")
ALWAYS_HINT = N_("You can also say the words on a button, or \"number\" and its number.")
HEARD = N_("Heard: {text}")
LISTENING = N_("Listening… say the words on a button.")
NOT_UNDERSTOOD_PUSH = N_("Sorry, I did not understand. Press F5 and say it again, or press a "
                         "button.")
NOT_UNDERSTOOD = N_("Sorry, I did not understand. Please say it again, or press a button.")
NO_LISTENING = N_("The kiosk cannot listen in this language. Please use the buttons.")
END_VISIT = N_("End the visit")


class VoiceControl:
    """The app's side of listening."""

    def __init__(self, app: KioskApp, listener: Listener) -> None:
        self.app = app
        self.listener = listener
        self.grammar = Grammar("")
        self.kiosk_speaking = False

    def hint(self) -> str | None:
        """What a view may promise about voice in the language of the moment."""
        l10n = self.app.l10n
        if not self.listener.listens(l10n.lang):
            return None
        return l10n.gettext(ALWAYS_HINT if self.listener.mode == "always" else PUSH_HINT)

    def refresh(self) -> None:
        """Listen for what the screen on top offers now (only "stop" while the kiosk speaks)."""
        shown = self.app.speaking()
        offers = shown.offers() if shown is not None else []
        values = shown.spoken_values() if isinstance(shown, View) else None
        self.grammar = grammar(offers, self.app.l10n, values)
        heard = self.grammar.only("stop") if self.kiosk_speaking else self.grammar
        self.listener.set_commands(self.grammar.lang, heard.phrases, heard.fillers)

    def speaking(self, speaking: bool) -> None:
        if speaking != self.kiosk_speaking:
            self.kiosk_speaking = speaking
            self.refresh()

    def talk(self) -> bool:
        """The Talk key: stop speaking, beep "speak now" and listen; False when the kiosk
        cannot listen here."""
        runtime = self.app.runtime
        runtime.voice.stop()
        self.speaking(False)
        # The microphone would hear the beep: the listener is deaf while it plays, and a
        # little after for the room's echo.
        if not self.listener.talk(deaf_s=LISTENING_SOUND_S + ECHO_S):
            return False
        try:
            runtime.output.play(runtime.listening_sound)
        except Exception:  # a broken sound card must not stop the citizen from speaking
            log.exception("the listening sound could not be played")
        return True

    def answered(self, text: str, command: str | None) -> None:
        """What the recognizer heard: act only on an exact phrase of the screen on top."""
        target = self.grammar.targets.get(command) if command is not None else None
        if target is None:
            said = normalise(text)
            shown = self.app.speaking()
            if (said and isinstance(shown, View) and shown.takes_dictation
                    and self.listener.can_dictate(self.app.l10n.lang)):
                self.dictated(shown, text.strip())
                return
            if said and said not in self.grammar.fillers:
                # Speech that is no answer here: say so, so the citizen is not left waiting.
                self.app.show_caption(self.app.l10n.format(HEARD, text=text))
                push = self.listener.mode == "push"
                self.app.runtime.voice.say(
                    self.app.l10n.gettext(NOT_UNDERSTOOD_PUSH if push else NOT_UNDERSTOOD),
                    self.app.l10n.lang)
            return
        self.app.show_caption(self.app.l10n.format(HEARD, text=text))
        if target.kind == "command":
            self.command(target.name)
            return
        shown = self.app.speaking()
        if target.kind == "value":
            if isinstance(shown, View):
                shown.run_worker(shown.enter_spoken(target.name), group="take", exclusive=True)
            return
        offer = by_id(shown.offers(), target.name) if shown is not None else None
        if shown is None or offer is None:
            return
        if offer.consequential and not (isinstance(shown, View) and shown.asks_yes_no):
            self.app.confirm_spoken(offer.label, lambda: shown.choose(offer))
        else:
            shown.choose(offer)

    def dictated(self, view: View, text: str) -> None:
        """Free words for a question that asks for text: read back, written in on a yes."""
        self.app.confirm_spoken(
            text, lambda: view.run_worker(view.enter_spoken(text), group="take", exclusive=True),
            private=True)

    def command(self, name: str) -> None:
        """The commands every screen shares."""
        app = self.app
        runtime = app.runtime
        if name == "stop":
            runtime.voice.stop()
        elif name == "repeat":
            app.action_repeat()
        elif name == "help":
            app.action_staff_help()
        elif name == "back":
            app.go_back_or_close()
        elif name == "end":
            app.confirm_spoken(app.l10n.gettext(END_VISIT), app.end_session)
        elif name in ("slower", "faster"):
            app.action_speech_rate(name == "faster")
        elif name in ("louder", "softer"):
            app.action_volume(name == "louder")
