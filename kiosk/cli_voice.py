"""The operator's voice commands: `kiosk models add|list` (speech models, one per language and
engine, installed from files: nothing is downloaded) and `kiosk listen --file` (what the kiosk
would hear in a recording: a way to tell a bad microphone from a bad model)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.cli_args import SettingsFor
from kiosk.config import Settings

MODELS_EXAMPLES = """examples:
  kiosk models add /media/usb/vosk-model-small-sv-rs-0.15.zip --language sv
  kiosk models add /srv/models/nb-whisper-base --language nb
  kiosk models list
"""

LISTEN_EXAMPLES = """examples:
  kiosk listen --file clip.wav --language nb
  kiosk listen --file clip.wav --language en --say yes --say no --say "book an appointment"
"""



class VoiceUsageError(Exception):
    """What the operator should fix, as one sentence (the cli prints it and exits 2)."""


def add_commands(commands: Any, add_config: Callable[[argparse.ArgumentParser], None],
                 settings_for: SettingsFor) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    models = commands.add_parser(
        "models", help="install and list speech models (listening)", formatter_class=raw,
        epilog=MODELS_EXAMPLES,
        description="Speech models let the kiosk listen in a language: one per language and "
        "engine (Vosk, or Whisper in CTranslate2 format), in the models folder (models_dir, "
        "default state_dir/models). Nothing is ever downloaded: copy a model to the kiosk "
        "and add it from its folder or .zip file.",
    )
    model_commands = models.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add = model_commands.add_parser(
        "add", help="install a model from a folder or .zip", formatter_class=raw,
        epilog=MODELS_EXAMPLES,
        description="Install a Vosk or Whisper model for a language. It is loaded once to "
        "check it works; a model that does not load is not installed.",
    )
    add_config(add)
    add.add_argument("path", type=Path, metavar="PATH", help="the model's folder or .zip file")
    add.add_argument("--language", required=True, metavar="CODE", help="e.g. nb, sv, en")
    add.add_argument("--replace", action="store_true",
                     help="replace an installed model of the same language and engine")
    add.set_defaults(func=lambda args: cmd_models_add(args, settings_for(args)))
    listing = model_commands.add_parser(
        "list", help="list installed models", formatter_class=raw, epilog=MODELS_EXAMPLES,
        description="List the installed speech models: language, engine, size, load time.")
    add_config(listing)
    listing.set_defaults(func=lambda args: cmd_models_list(args, settings_for(args)))

    listen = commands.add_parser(
        "listen", help="print what the kiosk hears in a recording", formatter_class=raw,
        epilog=LISTEN_EXAMPLES,
        description="Play a WAV file through the language's speech model as the microphone "
        "would, and print each utterance and whether it is a command. Without --say it "
        "listens for the commands every screen has (help, repeat, back, …), yes and no, and "
        "\"number one\" to \"number nine\".",
    )
    add_config(listen)
    listen.add_argument("--file", type=Path, required=True, metavar="WAV",
                        help="a recording (any rate, mono or stereo)")
    listen.add_argument("--language", metavar="CODE", help="default: default_language")
    listen.add_argument("--say", action="append", default=[], metavar="PHRASE",
                        help="a command to listen for (repeat for more)")
    listen.set_defaults(func=lambda args: cmd_listen(args, settings_for(args)))


def cmd_models_add(args: argparse.Namespace, settings: Settings) -> int:
    from kiosk.model_check import check_model
    from speech.models import ModelError, add_model

    print(f"checking {args.path} (loading a model takes a few seconds) …", file=sys.stderr)
    try:
        model = add_model(args.path, args.language, settings.speech_models_dir, load=check_model,
                          replace=args.replace)
    except ModelError as exc:
        raise VoiceUsageError(str(exc)) from exc
    print(f"installed {model.engine} model for {model.language}: {_size(model.size_bytes)}, "
          f"loads in {model.load_seconds:.1f} s, in {model.path.parent}")
    return 0


def cmd_models_list(args: argparse.Namespace, settings: Settings) -> int:
    from speech.models import list_models

    models = list_models(settings.speech_models_dir)
    if not models:
        print(f"no speech models in {settings.speech_models_dir}: the kiosk listens in no "
              "language (see kiosk models add --help)")
        return 0
    print(f"{'language':<9} {'engine':<8} {'size':>8} {'load':>6}  added       from")
    for model in models:
        print(f"{model.language:<9} {model.engine:<8} {_size(model.size_bytes):>8} "
              f"{model.load_seconds:>5.1f}s  {model.added_at:%Y-%m-%d}  {model.source}")
    return 0


def cmd_listen(args: argparse.Namespace, settings: Settings) -> int:
    from hardware.microphone import AudioInputError, WavSource
    from kiosk.voice_grammar import everyday_phrases
    from speech.engines import load_recognizer
    from speech.models import ModelError
    from translations.catalog import Localizer, UnknownLanguage

    language = args.language or settings.default_language
    try:
        l10n = Localizer(language)
    except UnknownLanguage:
        l10n = None  # a model may be installed before the kiosk offers its language
    phrases = list(args.say) or (everyday_phrases(l10n) if l10n is not None else ["yes", "no"])
    fillers = l10n.language.filler_words if l10n is not None else ()
    try:
        source = WavSource(args.file, silence_after_s=1.0)
        recognizer = load_recognizer(settings.speech_models_dir, language)
    except (AudioInputError, ModelError) as exc:
        raise VoiceUsageError(str(exc)) from exc
    if recognizer is None:
        raise VoiceUsageError(f"no speech model for {language!r} in "
                              f"{settings.speech_models_dir} (see kiosk models list)")
    print(f"listening for: {', '.join(phrases)}", file=sys.stderr)
    recognizer.set_commands(phrases, fillers)
    heard_any = False
    try:
        for block in source.blocks():
            heard = recognizer.accept(block)
            if heard is not None:
                heard_any = True
                verdict = f"command {heard.command!r}" if heard.command else "no command"
                print(f"heard {heard.text!r}: {verdict}")
    finally:
        recognizer.close()
        source.close()
    if not heard_any:
        print("heard nothing (silence, or nothing the model took for speech)")
    return 0


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:.0f} MB"
