"""The operator's voice commands: `kiosk voices add|list` (Piper neural voices, one per language,
installed from files: nothing is downloaded) and `kiosk translations audio-missing LANG` (the
catalog texts of a language still to be recorded, with the file each recording goes into)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.cli_args import SettingsFor, subcommands
from kiosk.cli_voice import VoiceUsageError
from kiosk.config import Settings

VOICES_EXAMPLES = """examples:
  kiosk voices add /media/usb/nb_NO-talesyntese-medium.onnx --language nb
  kiosk voices list
"""
AUDIO_EXAMPLES = """examples:
  kiosk translations audio-missing so            msgid, translation and file, one per line
  kiosk translations audio-missing so --tsv > so-to-record.tsv
"""



def add_commands(commands: Any, add_config: Callable[[argparse.ArgumentParser], None],
                 settings_for: SettingsFor) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    voices = commands.add_parser(
        "voices", help="install and list Piper voices (speaking)", formatter_class=raw,
        epilog=VOICES_EXAMPLES,
        description="A Piper voice speaks a language far more naturally than espeak-ng: one "
        "per language, in the voices folder (voices_dir, default state_dir/voices). Nothing is "
        "ever downloaded: copy the voice's .onnx and .onnx.json files to the kiosk and add it.",
    )
    voice_commands = voices.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add = voice_commands.add_parser(
        "add", help="install a Piper voice from its .onnx file", formatter_class=raw,
        epilog=VOICES_EXAMPLES,
        description="Install a Piper voice for a language; its .onnx.json must lie beside the "
        ".onnx file. It is loaded and says a few words first; a voice that does not speak is "
        "not installed. Restart the kiosk to use it.",
    )
    add_config(add)
    add.add_argument("path", type=Path, metavar="FILE.onnx", help="the voice's .onnx file")
    add.add_argument("--language", required=True, metavar="CODE", help="e.g. nb, sv, en")
    add.add_argument("--replace", action="store_true",
                     help="replace the voice installed for the language")
    add.set_defaults(func=lambda args: cmd_voices_add(args, settings_for(args)))
    listing = voice_commands.add_parser(
        "list", help="list installed Piper voices", formatter_class=raw, epilog=VOICES_EXAMPLES,
        description="List the installed Piper voices: language, size, load time, source file.")
    add_config(listing)
    listing.set_defaults(func=lambda args: cmd_voices_list(args, settings_for(args)))

    translations = subcommands(
        commands, "translations", help="work with translations", formatter_class=raw,
        description="Translations of the kiosk's texts, and their recorded audio.")
    missing = translations.add_parser(
        "audio-missing", help="list the texts of a language still to be recorded",
        formatter_class=raw, epilog=AUDIO_EXAMPLES,
        description="Recorded audio speaks a language no voice speaks: each catalog text "
        "recorded by a person as a 16-bit WAV file in recordings_dir/LANG/ (default "
        "translations/audio). Lists each text without a recording: its msgid, its translation "
        "and the file name to record it into. Texts with placeholders or plural forms cannot "
        "be recorded and are not listed.",
    )
    add_config(missing)
    missing.add_argument("language", metavar="LANG", help="e.g. so, se, ti")
    missing.add_argument("--tsv", action="store_true",
                         help="tab-separated: file, msgid, translation (for a spreadsheet)")
    missing.set_defaults(func=lambda args: cmd_audio_missing(args, settings_for(args)))


def cmd_voices_add(args: argparse.Namespace, settings: Settings) -> int:
    from speech.piper_voices import VoiceError, add_voice

    print(f"checking {args.path} (it loads and says a few words) …", file=sys.stderr)
    try:
        voice = add_voice(args.path, args.language, settings.piper_voices_dir,
                          replace=args.replace)
    except VoiceError as exc:
        raise VoiceUsageError(str(exc)) from exc
    print(f"installed Piper voice for {voice.language}: {voice.size_bytes / 1e6:.0f} MB, "
          f"loads in {voice.load_seconds:.1f} s, in {voice.path.parent}")
    return 0


def cmd_voices_list(args: argparse.Namespace, settings: Settings) -> int:
    from speech.piper_voices import list_voices

    voices = list_voices(settings.piper_voices_dir)
    if not voices:
        print(f"no Piper voices in {settings.piper_voices_dir}: the kiosk speaks with espeak-ng "
              "(see kiosk voices add --help)")
        return 0
    print(f"{'language':<9} {'size':>8} {'load':>6}  added       from")
    for voice in voices:
        print(f"{voice.language:<9} {voice.size_bytes / 1e6:>5.0f} MB {voice.load_seconds:>5.1f}s"
              f"  {voice.added_at:%Y-%m-%d}  {voice.source}")
    return 0


def cmd_audio_missing(args: argparse.Namespace, settings: Settings) -> int:
    from translations.languages import UnknownLanguage
    from translations.recordings import Recordings

    recordings = Recordings(settings.recordings_path)
    try:
        missing = recordings.missing(args.language)
    except UnknownLanguage as exc:
        raise VoiceUsageError(str(exc)) from exc
    folder = recordings.directory / args.language
    if args.tsv:
        print("file\tmsgid\ttranslation")
        for entry in missing:
            print(f"{entry.file_name}\t{_one_line(entry.msgid)}\t{_one_line(entry.text)}")
        return 0
    for entry in missing:
        print(f"{folder / entry.file_name}\n  msgid: {_one_line(entry.msgid)}\n"
              f"  say:   {_one_line(entry.text)}")
    recorded = recordings.count(args.language)
    print(f"{len(missing)} texts to record in {folder} ({recorded} recorded)", file=sys.stderr)
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())
