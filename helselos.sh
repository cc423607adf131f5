#!/usr/bin/env bash
# Set up and run Helselos, or run every test, on a fresh Debian or Ubuntu machine.
#
#   ./helselos.sh run [kiosk run options]   start the kiosk (practice mode on the demo service)
#   ./helselos.sh test                      lint, catalog and guide checks, then every test
#
# Both install what is missing first: Debian packages (apt-get as root, or through sudo), a
# Python 3.11+ virtual environment in .venv, and this project into it.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"

# apertium-*: rule-based machine translation between bokmål, nynorsk and Swedish; iproute2: the
# loopback-only test brings up lo in its own network namespace; fonts: slips in scripts no
# printer code page holds (Arabic, Ge'ez, Sami) are printed as pictures drawn in them.
PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 alsa-utils sox tmux zbar-tools
          apertium apertium-nno-nob apertium-swe-nor apertium-recursive iproute2
          fonts-dejavu-core fonts-noto-core)
VENV=.venv
STAMP="$VENV/.helselos-installed"

say() { printf 'helselos: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

missing_packages() {
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || printf '%s\n' "$pkg"
    done
}

install_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || {
        say "not a Debian-based system: make sure these are installed: ${PACKAGES[*]}"
        return 0
    }
    local missing
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -eq 0 ] && return 0
    local as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 \
            || die "please install these Debian packages (as root): apt-get install ${missing[*]}"
        as_root=(sudo)
    fi
    say "installing ${missing[*]}"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}"
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    die "Python 3.11 or newer is needed (Debian 12: apt-get install python3 python3-venv)"
}

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python=$(find_python)
        say "creating $VENV with $python"
        "$python" -m venv "$VENV" \
            || die "could not create $VENV: install python3-venv (apt-get install python3-venv)"
    fi
    # Reinstall only when pyproject.toml changed since the last install.
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
        say "installing Helselos and its test tools into $VENV"
        "$VENV/bin/python" -m pip install --quiet -e '.[test]'
        printf '%s\n' "$want" > "$STAMP"
    fi
}

# The integration tests' real servers (FHIR, OAuth) are Node programs pinned by their lockfiles.
install_test_servers() {
    local lock dir
    for lock in tests/servers/*/package-lock.json; do
        [ -e "$lock" ] || continue
        command -v npm >/dev/null 2>&1 \
            || die "the test servers need Node.js 20+ and npm (apt-get install nodejs npm)"
        dir=$(dirname "$lock")
        if [ ! -f "$dir/node_modules/.helselos-lock" ] \
            || ! cmp -s "$lock" "$dir/node_modules/.helselos-lock"; then
            say "installing the test server in $dir (npm ci)"
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
            cp "$lock" "$dir/node_modules/.helselos-lock"
        fi
    done
}

run_tests() {
    local bin="$VENV/bin"
    "$bin/ruff" check .
    "$bin/mypy"
    "$bin/lint-imports"
    "$bin/python" -m translations.extract --check
    "$bin/kiosk" guides check
    "$bin/pytest" -q
}

command=${1:-}
[ -n "$command" ] || usage 2
shift
case "$command" in
    run)
        install_system_packages
        setup_venv
        exec "$VENV/bin/kiosk" run "$@"
        ;;
    test)
        install_system_packages
        setup_venv
        install_test_servers
        run_tests
        ;;
    -h|--help|help) usage 0 ;;
    *) say "unknown command '$command'"; usage 2 ;;
esac
