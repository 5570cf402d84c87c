#!/usr/bin/env bash
# Installs Debian's Chromium and CJK fonts for the browser tests when they are missing:
# Noto CJK for the pages, WenQuanYi Zen Hei (TrueType outlines) for the embedded-font PDF test.
# Needs root (or passwordless sudo); otherwise it says what to install and the browser
# tests skip, unless TONGBAN_REQUIRE_BROWSER=1 makes them fail.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto sans cjk" \
  && fc-list 2>/dev/null | grep -qi "wenquanyi zen hei"; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "ensure-browser: /usr/bin/chromium or CJK fonts missing and no root; run: apt-get install chromium fonts-noto-cjk fonts-wqy-zenhei" >&2
  exit 0
fi
echo "ensure-browser: installing chromium, fonts-noto-cjk and fonts-wqy-zenhei (Debian packages)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-wqy-zenhei >/dev/null
echo "ensure-browser: $(/usr/bin/chromium --version)"
