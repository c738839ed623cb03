#!/usr/bin/env bash
# Make sure a Chromium is installed for the offline browser test (tools/check_site.py) and screenshots.
# Usage: bash tools/install_browser.sh      (as root, or with passwordless sudo; idempotent)
#   * a chromium / chromium-browser / google-chrome already on PATH is used as it is (GitHub's runners
#     have Google Chrome); $LMBOOK_CHROMIUM names another one;
#   * otherwise, on Debian/Ubuntu, installs Debian's `chromium` and `fonts-noto-cjk` (Chinese text in
#     screenshots) with apt-get. Playwright's own browser download (`playwright install`) is never used.
set -euo pipefail

have_browser() {
  [[ -n "${LMBOOK_CHROMIUM:-}" && -x "${LMBOOK_CHROMIUM}" ]] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || command -v google-chrome >/dev/null 2>&1
}

if [[ $(id -u) -eq 0 ]]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
apt_install() {
  [[ "$SUDO" != none ]] && command -v apt-get >/dev/null 2>&1 || return 1
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  apt_install fonts-noto-cjk || echo "install_browser: fonts-noto-cjk not installed (Chinese may show as boxes in screenshots)"
fi
if have_browser; then
  echo "install_browser: using $(command -v chromium || command -v chromium-browser || command -v google-chrome || echo "$LMBOOK_CHROMIUM")"
  exit 0
fi
if apt_install chromium && have_browser; then
  echo "install_browser: installed $(command -v chromium)"
  exit 0
fi
cat >&2 <<MSG
install_browser: ERROR: no Chromium found and it could not be installed here.
  Debian/Ubuntu: sudo apt-get install chromium fonts-noto-cjk
  macOS:         brew install --cask chromium    (or set LMBOOK_CHROMIUM to Google Chrome's binary)
  The browser test (tests/test_site_browser.py) skips without a browser, except in CI.
MSG
exit 1
