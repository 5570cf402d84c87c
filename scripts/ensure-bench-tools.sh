#!/usr/bin/env bash
# Installs the HTTP load generator wrk (Debian package) for bench/web.py when it is
# missing. Idempotent and non-interactive. Needs root (or passwordless sudo); otherwise it
# says what to install and exits 0, and the HTTP benchmark and its smoke test skip.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "ensure-bench-tools: wrk missing and no root; run: apt-get install wrk" >&2
  exit 0
fi
echo "ensure-bench-tools: installing wrk (Debian package)..."
install_wrk() {
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk \
    >/dev/null 2>&1
}
# The package lists may be missing or stale (a 404 on the .deb): refresh them once.
install_wrk || { $SUDO apt-get update -qq && install_wrk; }
echo "ensure-bench-tools: $(command -v wrk)"
