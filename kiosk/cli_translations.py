"""The operator's machine-translation commands: `kiosk translations add FILE.argosmodel` (an Argos
pair, installed from a file: nothing is downloaded), `kiosk translations list` (every pair
installed, Apertium's and Argos's, and which languages the GP office's words reach) and
`kiosk translations draft LANG` (a catalog's missing entries drafted for a translator)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.cli_args import SettingsFor, subcommands
from kiosk.cli_voice import VoiceUsageError
from kiosk.config import Settings

EXAMPLES = """examples:
  kiosk translations add /media/usb/translate-en_uk-1_9.argosmodel
  kiosk translations add /media/usb/translate-uk_en-1_9.argosmodel --replace
  kiosk translations list
"""

CHECK_TEXT = "Your appointment is on Monday."
"""Translated once by `add`, so a package that does not load is not left installed."""

DRAFT_DESCRIPTION = """\
Fill the missing entries of a language's catalog (empty ones, and texts the kiosk uses that the
catalog lacks) by machine translation of the English msgids, through the installed en->LANG
pair (see kiosk translations list).

Each filled entry is marked fuzzy: a draft, never counted as reviewed. The kiosk leaves fuzzy
entries out of the catalog it loads and shows those texts in English, so a citizen never reads
a draft as if it were checked.

An entry whose translation lost or changed a {placeholder} is not filled, nor are plural
entries and date patterns: each is listed with why. Nothing else in the file changes, and it is
replaced in one step.
"""

DRAFT_EXAMPLES = """examples:
  kiosk translations draft uk          fill translations/locale/uk.po's missing entries
  kiosk translations draft uk --dry-run --catalog /tmp/uk.po

Then a fluent speaker checks each entry marked "#, fuzzy" and removes the flag; until then the
kiosk shows that text in English, and python -m translations.extract --check lists it.
"""



def add_commands(commands: Any, add_config: Callable[[argparse.ArgumentParser], None],
                 settings_for: SettingsFor) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    translations = subcommands(
        commands, "translations", help="work with translations", formatter_class=raw,
        description="Translations of the kiosk's texts, and machine translation of the GP "
        "office's messages and alerts.")
    add = translations.add_parser(
        "add", help="install an Argos machine-translation pair from an .argosmodel file",
        formatter_class=raw, epilog=EXAMPLES,
        description="Install an Argos Translate package (one language pair, e.g. en->uk) into "
        "state_dir/argos/packages. It must bring its sentence splitter (minisbd/LANG.onnx); it "
        "translates a sentence first, and one that does not is not installed. Nothing is "
        "downloaded. Restart the kiosk to use it.")
    add_config(add)
    add.add_argument("path", type=Path, metavar="FILE.argosmodel", help="the package file")
    add.add_argument("--replace", action="store_true",
                     help="replace an installed package of the same pair")
    add.set_defaults(func=lambda args: cmd_translations_add(args, settings_for(args)))
    listing = translations.add_parser(
        "list", help="list machine-translation pairs", formatter_class=raw, epilog=EXAMPLES,
        description="List the installed machine-translation pairs (Apertium from Debian "
        "packages, Argos from .argosmodel files) and, for each language the kiosk offers, "
        "how the GP office's words reach it (directly or through English).")
    add_config(listing)
    listing.set_defaults(func=lambda args: cmd_translations_list(args, settings_for(args)))
    draft = translations.add_parser(
        "draft", help="fill a catalog's missing entries by machine translation (fuzzy)",
        formatter_class=raw, epilog=DRAFT_EXAMPLES,
        description=DRAFT_DESCRIPTION)
    add_config(draft)
    draft.add_argument("language", metavar="LANG", help="e.g. uk, so, ti")
    draft.add_argument("--catalog", type=Path, metavar="FILE.po",
                       help="the catalog to fill (default: the language's own)")
    draft.add_argument("--dry-run", action="store_true",
                       help="translate and report, but write nothing")
    draft.set_defaults(func=lambda args: cmd_translations_draft(args, settings_for(args)))


def cmd_translations_add(args: argparse.Namespace, settings: Settings) -> int:
    from translations.mt import EngineFailed
    from translations.mt_argos import Argos, PackageError, add_package, installed

    try:
        source, target = add_package(args.path, settings.state_dir, replace=args.replace)
    except PackageError as exc:
        raise VoiceUsageError(f"{args.path}: {exc}") from exc
    print(f"checking {source}->{target} (loading the model) …", file=sys.stderr)
    try:
        Argos(settings.state_dir).translate(CHECK_TEXT, source, target)
    except EngineFailed as exc:
        shutil.rmtree(installed(settings.state_dir)[(source, target)], ignore_errors=True)
        cause = exc.__cause__ or exc
        raise VoiceUsageError(f"{args.path}: it does not translate ({cause}); not installed") \
            from exc
    print(f"installed Argos pair {source}->{target} in {settings.state_dir / 'argos'}")
    return 0


def cmd_translations_list(args: argparse.Namespace, settings: Settings) -> int:
    from translations.languages import LANGUAGES
    from translations.mt import MachineTranslator, engines_for

    engines = engines_for(settings.state_dir)
    pairs = sorted((engine.name, *pair) for engine in engines for pair in engine.pairs())
    if not pairs:
        print("no machine-translation pairs: install apertium-nno-nob and apertium-swe-nor, "
              "or add an Argos pair (see kiosk translations add --help)")
        return 0
    print(f"{'engine':<9} pair")
    for engine_name, source, target in pairs:
        print(f"{engine_name:<9} {source}->{target}")
    translator = MachineTranslator(engines)
    office = settings.office_language
    print(f"\nthe GP office's words ({office}) and the citizen's replies:")
    for code in sorted(LANGUAGES):
        if code == office:
            continue
        ways = [_route(translator, office, code), _route(translator, code, office)]
        print(f"  {code:<4} {ways[0]:<28} {ways[1]}")
    return 0


def cmd_translations_draft(args: argparse.Namespace, settings: Settings) -> int:
    from translations.draft import SOURCE, draft_catalog, write_atomically
    from translations.extract import default_sources, extract_msgids
    from translations.languages import UnknownLanguage, get_language
    from translations.mt import MachineTranslator, engines_for

    if args.language == SOURCE:
        raise VoiceUsageError("the English catalog is the msgids themselves: nothing to draft")
    try:
        path = args.catalog or get_language(args.language).catalog
    except UnknownLanguage as exc:
        raise VoiceUsageError(str(exc)) from exc
    translator = MachineTranslator(engines_for(settings.state_dir))
    if not translator.can_translate(SOURCE, args.language):
        raise VoiceUsageError(f"no machine translation from {SOURCE} to {args.language} is "
                              "installed (see kiosk translations add --help)")
    print(f"translating {args.language}'s missing entries (loading the model) …",
          file=sys.stderr)
    draft = draft_catalog(path, args.language, translator, extract_msgids(default_sources()))
    for msgid, reason in draft.skipped:
        print(f"skipped {msgid!r}: {reason}")
    if draft.filled and not args.dry_run:
        write_atomically(path, draft.text)
    done = "would fill" if args.dry_run else "filled"
    print(f"{path}: {done} {len(draft.filled)} entries (marked fuzzy, to be checked), "
          f"skipped {len(draft.skipped)}")
    return 0


def _route(translator: Any, source: str, target: str) -> str:
    route = translator.route(source, target)
    if route is None:
        return f"{source}->{target}: none"
    return f"{source}->{target}: " + " + ".join(f"{hop.engine} {hop.source}->{hop.target}"
                                              for hop in route)
