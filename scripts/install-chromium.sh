#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright's own browser download does not
# work on closed networks; the tests drive /usr/bin/chromium instead).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
