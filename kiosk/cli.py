"""The `kiosk` command: run the kiosk, check an installation, validate guides, manage staff.

`kiosk` with no command is `kiosk run`. Every command has --help with examples.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import __version__
from kiosk.config import ConfigError, Settings, load_settings
from kiosk.logsetup import setup_logging

if TYPE_CHECKING:
    from kiosk.clock import Clock
    from kiosk.runtime import Runtime

log = logging.getLogger("kiosk")

RUN_EXAMPLES = """\
examples:
  kiosk run                              practice mode on the bundled demo health service
  kiosk run --language en --no-speech    English, text only
  kiosk run --fhir-base-url https://fhir.example.org/fhir/R4 --config /etc/helselos/kiosk.toml
  kiosk run --audio file:/tmp/speech     write each utterance as a WAV file instead of playing it
"""
DOCTOR_EXAMPLES = """\
examples:
  kiosk doctor                  table of checks; exit 1 when any check FAILs
  kiosk doctor --json           the same as JSON, for monitoring
"""
GUIDES_EXAMPLES = """\
examples:
  kiosk guides check                          the guides bundled with the kiosk
  kiosk guides check my-guides/ extra.yaml    your own guide files or folders
"""
STAFF_EXAMPLES = """\
examples:
  kiosk staff add "Ola Bibliotekar"           asks for a 6-8 digit PIN twice
  printf '482193\\n' | kiosk staff add Ola --pin-stdin
  kiosk staff add Kari --badge                scan Kari's badge twice instead of a PIN
  kiosk staff list
  kiosk staff remove Ola
"""
DEMO_EXAMPLES = """\
examples:
  kiosk demo-backend                          http://127.0.0.1:8765
  kiosk demo-backend --host 0.0.0.0           reachable from phones on the same network
"""


class UsageError(Exception):
    """A problem the operator can fix; printed as one line, exit status 2."""


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    try:
        return load_settings(args.config, **overrides)
    except ConfigError as exc:
        raise UsageError(f"configuration error: {exc}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    speech = False if args.no_speech else None
    settings = _settings(
        args, fhir_base_url=args.fhir_base_url, default_language=args.language, speech=speech,
        audio_output=args.audio,
    )
    from translations.languages import UnknownLanguage, get_language

    try:
        get_language(settings.default_language)
    except UnknownLanguage as exc:
        raise UsageError(f"configuration error: default_language: {exc}") from exc
    try:
        setup_logging()
    except OSError as exc:
        raise UsageError(f"HELSELOS_LOG: cannot write the log file: {exc.strerror}") from exc
    log.info("starting, practice mode %s", settings.practice_mode)
    try:
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"configuration error: state_dir: cannot create {settings.state_dir}: "
                         f"{exc.strerror or exc}") from exc
    # Imported here so that `kiosk doctor`, `--help` and settings errors stay fast; the rest of
    # the kiosk is imported and built by the app once its first screen is drawn.
    from kiosk.app import KioskApp
    from kiosk.clock import SystemClock
    from kiosk.starting import Starting

    clock = SystemClock()
    app = KioskApp(Starting(settings, lambda: _build_runtime(settings, clock, args.demo_seed),
                            clock))
    try:
        app.run()
    finally:
        if app.built is not None:
            app.built.close()
        log.info("stopped")
    if app.start_failure is not None:
        if app.start_failure.details:
            print(app.start_failure.details, file=sys.stderr)
        raise UsageError(str(app.start_failure))
    return app.return_code or 0


def _build_runtime(settings: Settings, clock: Clock, demo_seed: int | None) -> Runtime:
    """Build the runtime (in the app, after its first screen); an operator's mistake becomes a
    StartFailed that says what to fix."""
    from kiosk.guides.schema import GuideErrors
    from kiosk.runtime import build_runtime
    from kiosk.starting import StartFailed

    try:
        return build_runtime(settings, clock=clock, demo_seed=demo_seed)
    except OSError as exc:
        # A demo_host this machine has no address for, a state directory that is read-only, an
        # audio folder that cannot be made: the operator's to fix, not a traceback.
        where = f" ({exc.filename})" if exc.filename else ""
        hint = (f" (is demo_host {settings.demo_host!r} an address of this machine?)"
                if settings.practice_mode and exc.filename is None else "")
        raise StartFailed(f"cannot start: {exc.strerror or exc}{where}{hint}") from exc
    except GuideErrors as exc:
        # The same lines `kiosk guides check` prints, so the operator sees what to fix.
        raise StartFailed("the guides have errors; fix them, then run: kiosk guides check",
                          details=str(exc)) from exc
    except ConfigError as exc:
        raise StartFailed(f"configuration error: {exc}") from exc


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import exit_code, run_checks

    checks = run_checks(_settings(args))
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], indent=2, ensure_ascii=False))
        return exit_code(checks)
    width = max(len(c.name) for c in checks)
    print(f"{'check':<{width}}  status  detail")
    for check in checks:
        print(f"{check.name:<{width}}  {check.status:<6}  {check.detail}")
    failed = sum(c.status == "FAIL" for c in checks)
    warned = sum(c.status == "WARN" for c in checks)
    print(f"\n{len(checks)} checks: {failed} failed, {warned} warnings")
    return exit_code(checks)


def cmd_guides_check(args: argparse.Namespace) -> int:
    from kiosk.doctor import guide_errors
    from kiosk.guides.loader import bundled_guides_dir

    paths = [Path(p) for p in args.paths] or [bundled_guides_dir()]
    errors = guide_errors(paths)
    for error in errors:
        print(error)
    files = sum(len(list(p.glob("*.yaml"))) if p.is_dir() else p.is_file() for p in paths)
    if errors:
        print(f"{len(errors)} error(s) in {files} guide file(s)")
        return 1
    print(f"{files} guide file(s) checked: no errors")
    return 0


def _staff(args: argparse.Namespace) -> tuple[Any, Any]:
    from helper_mode.audit import AuditLog
    from helper_mode.staff import StaffRegistry
    from kiosk.clock import SystemClock

    settings = _settings(args)
    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    clock = SystemClock()
    return StaffRegistry(settings.staff_file, clock), AuditLog(settings.audit_file, clock)


def _read_pin(from_stdin: bool, badge: bool = False) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    # A badge scanner types its code and Enter like a keyboard: scanned twice, as a PIN is
    # typed twice, so a misread is caught here instead of at the kiosk.
    what, ask = ("badge codes", "Scan the badge") if badge else ("PINs", "PIN (6-8 digits)")
    pin = getpass.getpass(f"{ask}: ")
    if getpass.getpass(f"{ask} again: ") != pin:
        raise UsageError(f"the two {what} differ; nothing was saved")
    return pin


def cmd_staff(args: argparse.Namespace) -> int:
    from helper_mode.staff import StaffError

    registry, audit = _staff(args)
    try:
        if args.action == "list":
            names = registry.names()
            print("\n".join(names) if names else "no staff members yet: kiosk staff add NAME")
            return 0
        if args.action == "add":
            name = registry.add(args.name, _read_pin(args.pin_stdin, args.badge),
                                badge=args.badge)
            event, done = "staff_added", "added"
        else:
            name = registry.remove(args.name)
            event, done = "staff_removed", "removed"
    except StaffError as exc:
        raise UsageError(str(exc)) from exc
    audit.append(name, event)
    print(f"{done} staff member {name!r}")
    return 0


def cmd_demo_backend(args: argparse.Namespace) -> int:
    from kiosk.demo import serve_forever

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how an operator stops it
        serve_forever(args.host, args.port, public_url=args.public_url)
    return 0


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="FILE",
        help="settings file (TOML); default /etc/helselos/kiosk.toml or $HELSELOS_CONFIG",
    )


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    _add_config(parser)
    parser.add_argument("--fhir-base-url", metavar="URL",
                        help="the health service's FHIR base URL (its identity provider is found "
                        "from it); without it: practice mode (demo service)")
    parser.add_argument("--language", metavar="CODE", help="start language, e.g. nb or en")
    parser.add_argument("--no-speech", action="store_true", help="text only, no spoken output")
    parser.add_argument("--audio", metavar="auto|none|file:DIR",
                        help="where speech goes: sound card (auto), nowhere, or WAV files in DIR")
    parser.add_argument("--demo-seed", type=int, metavar="N",
                        help="practice mode: the same demo data and sign-in codes on every start")


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="kiosk", formatter_class=raw,
        description="Helselos: an accessible, spoken health-service kiosk. "
        "Without a command, runs the kiosk (same as `kiosk run`).",
        epilog=RUN_EXAMPLES + "\nsee `kiosk COMMAND --help` for each command",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_run_options(parser)
    parser.set_defaults(func=cmd_run)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="start the kiosk (the default)", formatter_class=raw, epilog=RUN_EXAMPLES,
        description="Start the kiosk full-screen in this terminal. With no FHIR server "
        "configured it runs in practice mode against the bundled demo health service with "
        "fictional people.",
    )
    _add_run_options(run)
    run.set_defaults(func=cmd_run)

    doctor = commands.add_parser(
        "doctor", help="check audio, voices, listening, catalogs, guides, FHIR server, sign-in, "
        "delivery, state dir, clock, disk",
        formatter_class=raw, epilog=DOCTOR_EXAMPLES,
        description="Check this installation and print one line per check with OK, WARN or "
        "FAIL. Exit status 1 when anything FAILs.",
    )
    _add_config(doctor)
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(func=cmd_doctor)

    guides = commands.add_parser(
        "guides", help="work with guide files", formatter_class=raw, epilog=GUIDES_EXAMPLES,
        description="Guides are the YAML files that describe each task step by step.",
    )
    guide_commands = guides.add_subparsers(title="commands", metavar="COMMAND", required=True)
    check = guide_commands.add_parser(
        "check", help="validate guide files", formatter_class=raw, epilog=GUIDES_EXAMPLES,
        description="Validate guide files against the schema and the services the kiosk "
        "offers. Prints each error as file:line: field 'x': message; exit 1 on errors.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="guide files or folders (default: the bundled guides)")
    check.set_defaults(func=cmd_guides_check)

    staff = commands.add_parser(
        "staff", help="add, list or remove staff who may unlock helper mode",
        formatter_class=raw, epilog=STAFF_EXAMPLES,
        description="Staff members unlock helper mode with their PIN. Accounts live in the "
        "state directory (PINs are stored hashed); every change is written to the audit log.",
    )
    staff_commands = staff.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add = staff_commands.add_parser("add", help="add a staff member", formatter_class=raw,
                                    epilog=STAFF_EXAMPLES,
                                    description="Add a staff member; the PIN is asked twice.")
    _add_config(add)
    add.add_argument("name", metavar="NAME")
    add.add_argument("--pin-stdin", action="store_true",
                     help="read the PIN (or badge code) as one line from standard input")
    add.add_argument("--badge", action="store_true",
                     help="unlock with a badge instead of a PIN: scan it twice (8-64 letters, "
                     "digits or signs, as the badge scanner types them)")
    add.set_defaults(func=cmd_staff, action="add")
    listing = staff_commands.add_parser("list", help="list staff members by name",
                                        formatter_class=raw, epilog=STAFF_EXAMPLES,
                                        description="List staff members by name.")
    _add_config(listing)
    listing.set_defaults(func=cmd_staff, action="list")
    remove = staff_commands.add_parser("remove", help="remove a staff member",
                                       formatter_class=raw, epilog=STAFF_EXAMPLES,
                                       description="Remove a staff member and their PIN.")
    _add_config(remove)
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=cmd_staff, action="remove")

    demo = commands.add_parser(
        "demo-backend", help="serve the practice health service on its own",
        formatter_class=raw, epilog=DEMO_EXAMPLES,
        description="Serve the bundled demo health service (FHIR R4 + device sign-in, "
        "fictional people) until Ctrl+C, e.g. to train staff with phones.",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on")
    demo.add_argument("--port", type=int, default=8765, help="port to listen on")
    demo.add_argument("--public-url", metavar="URL",
                      help="address phones use to reach it, when not http://HOST:PORT "
                      "(e.g. behind a proxy)")
    demo.set_defaults(func=cmd_demo_backend)

    clear = commands.add_parser(
        "clear-screen", help="wipe the terminal the kiosk draws on",
        description="Reset the terminal on standard output and erase its screen and scrollback, "
        "so no citizen's screen stays visible after the kiosk stopped or was killed. The "
        "service unit runs it before and after the kiosk (ExecStartPre, ExecStopPost).",
    )
    clear.set_defaults(func=cmd_clear_screen)

    questionnaire = commands.add_parser(
        "symptom-questionnaire", help="print the FHIR Questionnaire the symptom answers belong to",
        description="Print, as FHIR R4 JSON, the Questionnaire that the symptom guide's answers "
        "(QuestionnaireResponse.questionnaire) point at. The GP office's FHIR server must hold "
        "it; load it there once, e.g. with a PUT to [base]/Questionnaire/symptoms.",
    )
    questionnaire.set_defaults(func=cmd_symptom_questionnaire)

    from kiosk.cli_voice import add_commands

    add_commands(commands, _add_config, _settings)
    from kiosk.cli_audit import add_commands as add_audit_commands

    add_audit_commands(commands, _add_config, _settings)
    from kiosk.cli_stats import add_commands as add_stats_commands

    add_stats_commands(commands, _add_config, _settings)
    from kiosk.cli_translations import add_commands as add_translations_commands

    add_translations_commands(commands, _add_config, _settings)
    from kiosk.cli_voices import add_commands as add_voices_commands

    add_voices_commands(commands, _add_config, _settings)
    return parser


def cmd_symptom_questionnaire(args: argparse.Namespace) -> int:
    from kiosk.services.tasks.symptoms import symptom_questionnaire

    print(json.dumps(symptom_questionnaire(), indent=2, ensure_ascii=False))
    return 0


# RIS (full reset, also leaves the alternate screen), then erase the screen and the scrollback.
CLEAR_SCREEN = "\033c\033[H\033[2J\033[3J"


def cmd_clear_screen(args: argparse.Namespace) -> int:
    sys.stdout.write(CLEAR_SCREEN)
    sys.stdout.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kiosk` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    from kiosk.cli_voice import VoiceUsageError

    try:
        return int(args.func(args))
    except (UsageError, VoiceUsageError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
