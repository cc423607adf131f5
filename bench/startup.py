"""Cold start of `kiosk run --no-speech` to its first screen, against a minimal Textual app.

Each start runs in a fresh tmux session (100x32) with a private HOME, XDG and state directory;
the pane is read every 20 ms until the first screen's text appears. Runs are interleaved (kiosk,
minimal, kiosk, ...) so that a busy machine slows both alike. Prints the median of each and the
ratio kiosk / minimal: what the kiosk adds on top of Textual's own start-up.

Both start from bytecode, as an installed kiosk does (pip compiles the package when it installs
it, and the hardened service could not write beside its modules anyway): the kiosk's own
modules are compiled once before the runs, as the site-packages under Textual already are.

    python bench/startup.py --runs 3
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = ("kiosk", "speech", "translations", "helper_mode", "hardware")
POLL_S = 0.02
SIZE = ("100", "32")


def idle_texts() -> tuple[str, ...]:
    """The idle screen's title in every shipped language (the kiosk may start in any of them)."""
    sys.path.insert(0, str(HERE.parent))
    from translations.catalog import Localizer
    from translations.languages import LANGUAGES

    return tuple({Localizer(code).gettext("Welcome to the health kiosk") for code in LANGUAGES})


def isolated_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    paths = {
        "HOME": root / "home",
        "XDG_CONFIG_HOME": root / "home" / ".config",
        "XDG_CACHE_HOME": root / "home" / ".cache",
        "XDG_DATA_HOME": root / "home" / ".local" / "share",
        "XDG_STATE_HOME": root / "home" / ".local" / "state",
        "HELSELOS_STATE_DIR": root / "state",
    }
    for name, path in paths.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    # An installed /etc/helselos/kiosk.toml must not turn the benchmark into a production start.
    config = root / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    env["HELSELOS_CONFIG"] = str(config)
    return env


def time_to_text(
    command: list[str], markers: tuple[str, ...], env: dict[str, str], timeout_s: float
) -> float:
    """Seconds from starting command in a new tmux server until the pane shows a marker.

    A private tmux server per start: it takes its environment from this client, so the pane
    gets the isolated HOME and state directory."""
    tmux = ["tmux", "-S", env["HOME"] + "/tmux.sock"]
    start = time.monotonic()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "bench", "-x", SIZE[0], "-y", SIZE[1],
         shlex.join(command)],
        check=True, env=env,
    )
    try:
        pane = ""
        while time.monotonic() - start < timeout_s:
            shown = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "bench"], capture_output=True, text=True
            )
            if shown.returncode != 0:
                raise RuntimeError(f"{shlex.join(command)} exited before its first screen")
            pane = shown.stdout
            if any(marker in pane for marker in markers):
                return time.monotonic() - start
            time.sleep(POLL_S)
        raise TimeoutError(
            f"{shlex.join(command)} showed none of {markers} in {timeout_s} s:\n{pane}"
        )
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts of each app (default 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per start")
    args = parser.parse_args(argv)

    kiosk = [str(Path(sys.executable).parent / "kiosk"), "run", "--no-speech"]
    minimal = [sys.executable, str(HERE / "minimal_app.py")]
    markers = idle_texts()
    for package in PACKAGES:
        compileall.compile_dir(HERE.parent / package, quiet=1)
    times: dict[str, list[float]] = {"kiosk": [], "minimal": []}
    for run in range(1, args.runs + 1):
        for name, command, wanted in (("kiosk", kiosk, markers), ("minimal", minimal, ("ready",))):
            with tempfile.TemporaryDirectory(prefix="helselos-bench-") as root:
                elapsed = time_to_text(command, wanted, isolated_env(Path(root)), args.timeout)
            times[name].append(elapsed)
            print(f"run {run}: {name:<7} {elapsed:6.3f} s", file=sys.stderr)

    kiosk_median = statistics.median(times["kiosk"])
    minimal_median = statistics.median(times["minimal"])
    print(f"kiosk run --no-speech  median {kiosk_median:6.3f} s over {args.runs} runs")
    print(f"minimal Textual app    median {minimal_median:6.3f} s over {args.runs} runs")
    print(f"ratio kiosk / minimal  {kiosk_median / minimal_median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
