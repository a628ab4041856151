#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the browser tests (tests/browser.py).
#
#   scripts/chromium.sh     make sure `chromium` and `chromedriver` are installed; print the two
#                           paths (browser, then driver), one a line
#
# Idempotent: when both are found nothing is installed. Otherwise, as root with apt-get, it installs
# Debian's `chromium` and `chromium-driver` packages (updating the package lists if the first try
# fails). On failure the last line on stderr says why, and the exit code is 1.
set -euo pipefail

fail() { echo "chromium.sh: $*" >&2; exit 1; }
note() { echo "chromium.sh: $*" >&2; }

case "${1:-}" in
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac

find_browser() { command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true; }
find_driver() { command -v chromedriver 2>/dev/null || { [[ -x /usr/bin/chromedriver ]] && echo /usr/bin/chromedriver; } || true; }

if [[ -z "$(find_browser)" || -z "$(find_driver)" ]]; then
    [[ $EUID -eq 0 ]] || fail "chromium and chromedriver are not installed and we are not root to install them"
    command -v apt-get >/dev/null || fail "chromium and chromedriver are not installed and there is no apt-get"
    note "installing Debian's chromium and chromium-driver packages"
    install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver)
    if ! "${install[@]}" >&2; then
        note "install failed; updating the package lists and trying again"
        apt-get update -q >&2 || fail "apt-get update failed"
        "${install[@]}" >&2 || fail "apt-get install chromium chromium-driver failed"
    fi
fi

browser="$(find_browser)"
driver="$(find_driver)"
[[ -n "$browser" ]] || fail "chromium installed, but no chromium binary is found"
[[ -n "$driver" ]] || fail "chromium-driver installed, but no chromedriver binary is found"
echo "$browser"
echo "$driver"
